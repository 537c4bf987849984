"""The `iris-field` entry point: the window without arguments, the command line with them."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from contract.exit_codes import ExitCode

EXIT_NO_DISPLAY = ExitCode.USAGE
NO_DISPLAY_MESSAGE = (
    "iris-field needs a display to open its window; use the command line instead, "
    "e.g. `iris-field predict 5.1 3.5 1.4 0.2` — see `iris-field --help`."
)


def has_display() -> bool:
    """Tell whether a window can open; only Linux and the BSDs can lack a display entirely."""
    if sys.platform in ("win32", "darwin"):
        return True
    # QT_QPA_PLATFORM set (e.g. "offscreen" in tests, "eglfs" on a kiosk) means the user chose a platform.
    return any(os.environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def main(argv: Sequence[str] | None = None) -> int:
    """Open the window when called without arguments, else run the command line; return the exit code.

    The windowed Windows program has no console: its words reach the user through
    desktop/cli/console_output.py (the parent's console, or a message box).
    """
    from desktop.cli.console_output import run_with_output

    args = list(sys.argv[1:] if argv is None else argv)
    if args:
        from desktop.cli.main import run

        return run_with_output(lambda: run(args), attach_console=True, show_on_success=True)
    # The window itself speaks in dialogs; only a window that cannot open needs its words carried.
    return run_with_output(_window_or_explain, attach_console=False, show_on_success=False)


def _window_or_explain() -> int:
    """Open the window, or say in one sentence why it cannot open."""
    if not has_display():
        # Checked before Qt is imported: Qt would abort the process with a core dump instead.
        if hasattr(sys.stderr, "reconfigure"):
            sys.stderr.reconfigure(errors="replace")  # the dash must not crash an ASCII-only console
        sys.stderr.write(NO_DISPLAY_MESSAGE + "\n")
        return EXIT_NO_DISPLAY
    return _open_window()


def _open_window() -> int:
    """Start the Qt application (imported only now, so the command line never loads Qt)."""
    try:
        import onnxruntime  # noqa: F401  -- before PySide6: on Windows the other order breaks its DLLs

        from desktop.ui.app import run
    except ImportError as exc:
        sys.stderr.write(
            f"iris-field cannot open its window because Qt or ONNX Runtime could not be loaded ({exc}); "
            "the command line still works, see `iris-field --help`.\n"
        )
        return ExitCode.FAILURE
    # Qt wants the program name first, as in sys.argv.
    return int(run(sys.argv[:1] or ["iris-field"]))


if __name__ == "__main__":
    sys.exit(main())
