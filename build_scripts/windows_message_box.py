"""Windows: find the message box a program shows, read its words and press OK (the bundle check's eyes).

The windowed iris-field.exe, started without a console, shows what its command line has to say in
a message box (desktop/cli/console_output.py); the frozen-bundle test on the Windows runner uses this to
see it there and close it. Plain user32 calls through ctypes, nothing to install.
"""

from __future__ import annotations

import time

DIALOG_CLASS = "#32770"  # the window class of every standard dialog, message boxes included
MESSAGE_TEXT_ID = 0xFFFF  # the control holding a message box's text
WM_COMMAND, IDOK = 0x0111, 1
POLL_S = 0.2


def _user32():
    import ctypes
    from ctypes import wintypes

    user32 = ctypes.WinDLL("user32", use_last_error=True)
    user32.EnumWindows.argtypes = [ctypes.c_void_p, wintypes.LPARAM]
    user32.GetClassNameW.argtypes = [wintypes.HWND, wintypes.LPWSTR, ctypes.c_int]
    user32.GetWindowTextW.argtypes = [wintypes.HWND, wintypes.LPWSTR, ctypes.c_int]
    user32.IsWindowVisible.argtypes = [wintypes.HWND]
    user32.GetDlgItemTextW.argtypes = [wintypes.HWND, ctypes.c_int, wintypes.LPWSTR, ctypes.c_int]
    user32.PostMessageW.argtypes = [wintypes.HWND, wintypes.UINT, wintypes.WPARAM, wintypes.LPARAM]
    return user32


def message_boxes(title: str) -> list[int]:
    """Return the handles of the visible dialogs titled ``title``."""
    import ctypes
    from ctypes import wintypes

    user32 = _user32()
    found: list[int] = []

    @ctypes.WINFUNCTYPE(wintypes.BOOL, wintypes.HWND, wintypes.LPARAM)
    def visit(hwnd, _lparam):
        class_name = ctypes.create_unicode_buffer(64)
        caption = ctypes.create_unicode_buffer(256)
        user32.GetClassNameW(hwnd, class_name, len(class_name))
        user32.GetWindowTextW(hwnd, caption, len(caption))
        if class_name.value == DIALOG_CLASS and caption.value == title and user32.IsWindowVisible(hwnd):
            found.append(hwnd)
        return True

    user32.EnumWindows(visit, 0)
    return found


def wait_for_message_box(title: str, timeout_s: float) -> int | None:
    """Return the first message box titled ``title`` to appear within ``timeout_s``, or None."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        boxes = message_boxes(title)
        if boxes:
            return boxes[0]
        time.sleep(POLL_S)
    return None


def message_text(hwnd: int) -> str:
    """Return the words of the message box ``hwnd``."""
    import ctypes

    text = ctypes.create_unicode_buffer(8192)
    _user32().GetDlgItemTextW(hwnd, MESSAGE_TEXT_ID, text, len(text))
    return text.value


def press_ok(hwnd: int) -> None:
    """Press the message box's OK button, as a user would."""
    _user32().PostMessageW(hwnd, WM_COMMAND, IDOK, 0)
