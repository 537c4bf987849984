"""Where the command line's words go when the program has no console: the windowed Windows exe.

A windowed program (iris-field.exe) starts with ``sys.stdout`` and ``sys.stderr`` set to None:
``print`` then drops every word and ``sys.stdout.write`` raises. Started with arguments, it attaches
to the console of the program that started it (cmd.exe, PowerShell) when there is one; otherwise it
collects what the command writes and shows it in a message box when the command ends. Never Qt:
the command line must not load it. (iris-field-cli.exe, a console program, needs none of this.)
"""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass

TITLE = "Iris Field"
# A message box taller than the screen hides its OK button: longer output is cut, and says where to look.
MAX_LINES = 40
ATTACH_PARENT_PROCESS = 0xFFFFFFFF  # (DWORD)-1
MB_OK, MB_ICONERROR, MB_ICONINFORMATION, MB_SETFOREGROUND = 0x0, 0x10, 0x40, 0x10000

logger = logging.getLogger("iris_field.cli")


@dataclass(frozen=True)
class CommandOutput:
    """What a command wrote while there was no console, and whether it failed."""

    text: str
    failed: bool

    def shortened(self, max_lines: int = MAX_LINES) -> str:
        """Return the text cut to ``max_lines`` lines, naming the console program for the rest."""
        lines = self.text.rstrip().splitlines()
        if len(lines) <= max_lines:
            return "\n".join(lines)
        rest = len(lines) - max_lines
        return "\n".join([*lines[:max_lines], f"… and {rest} more lines: run iris-field-cli.exe for all."])


def has_console_streams() -> bool:
    """Tell whether both sys.stdout and sys.stderr exist (False in a windowed Windows program)."""
    return sys.stdout is not None and sys.stderr is not None


def attach_parent_console() -> bool:
    """Windows: write to the console of the program that started this one; False if it has none."""
    if sys.platform != "win32":
        return False
    import ctypes

    if not ctypes.windll.kernel32.AttachConsole(ATTACH_PARENT_PROCESS):
        return False  # started from Explorer, the Start menu or a program without a console
    # "CONOUT$" opens as a console stream, which takes UTF-8 and shows any character.
    if sys.stdout is None:
        sys.stdout = open("CONOUT$", "w", encoding="utf-8", errors="replace")  # noqa: SIM115
    if sys.stderr is None:
        sys.stderr = open("CONOUT$", "w", encoding="utf-8", errors="replace")  # noqa: SIM115
    sys.stdout.write("\n")  # cmd.exe has printed its prompt already: start on a line of our own
    return True


def show_message(output: CommandOutput) -> None:
    """Show the output in a message box on Windows; elsewhere (no such program there) write it to the log."""
    text = output.shortened()
    if sys.platform == "win32":
        import ctypes

        icon = MB_ICONERROR if output.failed else MB_ICONINFORMATION
        ctypes.windll.user32.MessageBoxW(None, text, TITLE, MB_OK | icon | MB_SETFOREGROUND)
        return
    logger.log(logging.ERROR if output.failed else logging.INFO, "%s", text)


def run_with_output(
    command: Callable[[], int],
    *,
    attach_console: bool,
    show_on_success: bool,
    show: Callable[[CommandOutput], None] = show_message,
) -> int:
    """Run ``command`` so that what it writes reaches the user even without a console; return its code.

    With both streams present this just runs the command. Otherwise, with ``attach_console``, the
    parent's console is used if there is one; failing that, the words are collected and handed to
    ``show`` at the end: always when ``show_on_success``, else only when the command failed.
    """
    if has_console_streams() or (attach_console and attach_parent_console() and has_console_streams()):
        return command()
    collected = io.StringIO()
    missing_stdout, missing_stderr = sys.stdout is None, sys.stderr is None
    if missing_stdout:
        sys.stdout = collected
    if missing_stderr:
        sys.stderr = collected
    code = 1
    try:
        code = command()
    finally:
        if missing_stdout:
            sys.stdout = None
        if missing_stderr:
            sys.stderr = None
        output = CommandOutput(collected.getvalue(), failed=code != 0)
        if output.text.strip() and (show_on_success or output.failed):
            show(output)
    return code
