"""The history of saved observations: one SQLite file that survives kills, damage and read-only folders."""
