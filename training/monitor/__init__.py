"""``iris-monitor``: field accuracy, drift where it happens, the challenger test, the verdict."""
