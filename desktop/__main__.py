"""Allow `python -m desktop ...`, the same as the `iris-field` command."""

import sys

from desktop.main import main

sys.exit(main())
