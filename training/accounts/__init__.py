"""``iris-accounts``: the lab server's accounts and roles, and the laptops' device keys."""
