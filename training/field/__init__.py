"""Field observations read back from the lab's server: run keys, table rows, confirmations."""
