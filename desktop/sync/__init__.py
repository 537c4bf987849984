"""Sync of saved observations to the lab's MLflow server, exactly once each (Qt-free)."""
