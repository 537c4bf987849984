"""Sync of saved observations to the lab's MLflow server, exactly once each (Qt-free).

Importing the package registers the sync's tables with the history file (``schema``): any program that
syncs, or reads what the sync wrote, migrates the file with them.
"""

from desktop.sync import schema as _schema  # noqa: F401  (registers the sync's schema steps)
