"""SQLite's integrity check of a long history, run in the background once the window is open."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from desktop.errors import IrisFieldError
from desktop.store import ObservationStore

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

    def __init__(self, path: Path, parent: QObject | None = None):
        """Start checking ``path`` at once."""
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._found = _Found(self)
        self._found.damaged.connect(self.damaged)
        self._pool.start(_Check(path, self._found))

    def wait(self) -> None:
        """Block until the check has finished."""
        self._pool.waitForDone()
