"""Runtime hook (Linux): use X11 (XWayland on Wayland desktops), the only window system the bundle carries.

The Wayland plugins are left out of the bundle (they drag a dozen libraries in). On a Wayland
session Qt would try them first and print a warning before falling back to X11.
"""

import os

if not os.environ.get("QT_QPA_PLATFORM") and os.environ.get("DISPLAY"):
    os.environ["QT_QPA_PLATFORM"] = "xcb"
