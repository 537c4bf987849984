"""Exports the history to CSV in a background thread: a million rows never freeze the window."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from desktop.errors import IrisFieldError
from desktop.history_query import HistoryQuery
from desktop.store import ObservationStore
from desktop.tables.observation_csv import export_listed
from desktop.ui.problem_words import problem_text


class _Outcome(QObject):
    finished = Signal(object, int)  # target path, observations written
    failed = Signal(object, str)  # target path, why


class _Export(QRunnable):
    def __init__(self, history: Path, query: HistoryQuery, target: Path, outcome: _Outcome):
        super().__init__()
        self._history, self._query, self._target, self._outcome = history, query, target, outcome

    def run(self) -> None:
        try:
            # Its own connection; pages of rows made into cells column by column, as `history --csv`
            # does, written as they come (atomically). The file dialog has asked before overwriting.
            with ObservationStore.reader(self._history) as reader:
                written = export_listed(reader, self._query, self._target, overwrite=True)
        except (IrisFieldError, OSError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else problem_text(exc)
            self._outcome.failed.emit(self._target, reason)
            return
        self._outcome.finished.emit(self._target, written)


class HistoryExport(QObject):
    """Runs one export at a time; ``finished(path, count)`` or ``failed(path, reason)`` tells how it went."""

    finished = Signal(object, int)
    failed = Signal(object, str)

    def __init__(self, history: Path, parent: QObject | None = None):
        """Export from the history file at ``history``."""
        super().__init__(parent)
        self._history = history
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._outcome = _Outcome(self)
        self._outcome.finished.connect(self.finished)
        self._outcome.failed.connect(self.failed)

    def start(self, query: HistoryQuery, target: Path) -> None:
        """Write what ``query`` lists to ``target``, in the background."""
        self._pool.start(_Export(self._history, query, target, self._outcome))

    def busy(self) -> bool:
        """Tell whether an export is running."""
        return self._pool.activeThreadCount() > 0

    def wait(self) -> None:
        """Block until a running export has finished (closing the window)."""
        self._pool.waitForDone()
