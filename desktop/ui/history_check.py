"""SQLite's integrity check of a long history, run in the background once the window is open."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal

from desktop.errors import IrisFieldError
from desktop.history.store import ObservationStore

log = logging.getLogger(__name__)


class _Found(QObject):
    damaged = Signal(str)


class _Check(QRunnable):
    def __init__(self, path: Path, found: _Found):
        super().__init__()
        self._path, self._found = path, found

    def run(self) -> None:
        try:
            with ObservationStore.reader(self._path) as reader:
                problem = reader.check_integrity()
        except IrisFieldError as exc:
            log.warning("cannot check the history: %s", exc)
            return
        if problem:
            self._found.damaged.emit(problem)


class BackgroundIntegrityCheck(QObject):
    """Checks the history file in a thread of its own; ``damaged`` says what SQLite found wrong."""

    damaged = Signal(str)

    def __init__(self, path: Path, parent: QObject | None = None, *, delay_ms: int = 0):
        """Check ``path`` after ``delay_ms`` (start-up first: the check reads every page of the file)."""
        super().__init__(parent)
        self._path = path
        self._pool = QThreadPool(self)
        self._found = _Found(self)
        self._found.damaged.connect(self.damaged)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._start)
        self._timer.start(delay_ms)

    def _start(self) -> None:
        self._pool.start(_Check(self._path, self._found))

    def wait(self) -> None:
        """Cancel a check not yet started; block until a running one has finished."""
        self._timer.stop()
        self._pool.waitForDone()
