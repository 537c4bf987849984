"""The app's log file: a small rotating file in the per-user log folder, and a hook that logs crashes."""

from __future__ import annotations

import logging
import sys
import threading
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

from desktop import __version__, paths

LOG_FILENAME = "iris-field.log"
# Enough for weeks of field use; a support request needs the last days, not the last year.
MAX_BYTES = 1_000_000
BACKUP_COUNT = 3
FORMAT = "%(asctime)s %(levelname)-8s %(name)s [%(threadName)s] %(message)s"

_log_file: Path | None = None
_hooks_installed = False
crash_logger = logging.getLogger("iris_field.crash")


class _QuietRotatingFileHandler(RotatingFileHandler):
    """A rotating file handler that never writes its own failures to the console."""

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 -- logging's name
        """Drop the record: a full disk or a locked log must never disturb the app or its output."""


def log_file_path() -> Path:
    """Return where the log file is (or would be) written; shown to the user after a crash."""
    return _log_file if _log_file is not None else paths.log_dir() / LOG_FILENAME


def configured_log_file() -> Path | None:
    """Return the log file in use, or None if ``configure`` has not run or could not open one."""
    return _log_file


def configure(level: int = logging.INFO) -> Path | None:
    """Log to the rotating file and log uncaught exceptions; return the file, or None if unwritable.

    Safe to call more than once. Nothing is ever written to stdout or stderr by this module, so the
    command line's output stays exactly what the user asked for.
    """
    global _log_file
    install_excepthooks()
    if _log_file is not None:
        return _log_file
    try:
        folder = paths.log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        handler = _QuietRotatingFileHandler(
            folder / LOG_FILENAME, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8"
        )
    except OSError:
        return None  # a read-only home folder: the app still works, it just keeps no log
    handler.setFormatter(logging.Formatter(FORMAT))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    _log_file = folder / LOG_FILENAME
    logging.getLogger("iris_field").info(
        "iris-field %s started (%s, Python %s, %s)",
        __version__,
        "frozen" if getattr(sys, "frozen", False) else "from source",
        sys.version.split()[0],
        sys.platform,
    )
    return _log_file


def log_uncaught(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None, *, thread: str = ""
) -> None:
    """Write one uncaught exception with its traceback to the log."""
    where = f" in thread {thread}" if thread else ""
    crash_logger.critical("Unexpected error%s", where, exc_info=(exc_type, exc, tb))


def install_excepthooks() -> None:
    """Log uncaught exceptions of the main thread and of worker threads, then let the previous hooks run."""
    global _hooks_installed
    if _hooks_installed:
        return
    _hooks_installed = True
    previous_hook = sys.excepthook
    previous_thread_hook = threading.excepthook

    def excepthook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if not issubclass(exc_type, KeyboardInterrupt):
            log_uncaught(exc_type, exc, tb)
        previous_hook(exc_type, exc, tb)

    def thread_excepthook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None and not issubclass(args.exc_type, SystemExit):
            name = args.thread.name if args.thread is not None else "?"
            log_uncaught(args.exc_type, args.exc_value, args.exc_traceback, thread=name)
        previous_thread_hook(args)

    sys.excepthook = excepthook
    threading.excepthook = thread_excepthook
