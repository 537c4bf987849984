"""Build script tests render icons with Qt: never on a developer's screen, and CI has no display."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
