"""Frozen entry point: set up the log file, then run `iris-field` exactly as the console script does."""

import sys

from desktop import app_log
from desktop.main import main

if __name__ == "__main__":
    # Before anything else, so an unexpected error is written down even if the window never opens.
    app_log.configure()
    sys.exit(main())
