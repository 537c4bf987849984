"""Counts for the history pane and the status bar, worked out off the window's thread.

Counting a million rows takes tens of milliseconds even from an index; the window asks, keeps working,
and shows the answer when it comes. Only the newest request's answer is shown.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from desktop.errors import IrisFieldError
from desktop.history.queries import HistoryQuery
from desktop.history.store import ObservationStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HistoryCounts:
    """How many observations the pane's query lists, and how many are in each sync state."""

    listed: int
    by_sync_state: dict[str, int]


class _Answer(QObject):
    """Carries a count from the worker thread back to the window's thread."""

    ready = Signal(int, object)  # request number, HistoryCounts


class _Count(QRunnable):
    def __init__(
        self,
        path: Path,
        query: HistoryQuery,
        by_sync_state: dict[str, int] | None,
        request: int,
        answer: _Answer,
    ):
        super().__init__()
        self._path, self._query, self._request, self._answer = path, query, request, answer
        self._by_sync_state = by_sync_state  # None: count them again

    def run(self) -> None:
        try:
            # A connection of its own: SQLite connections are not shared between threads.
            reader = ObservationStore.reader(self._path)
            try:
                by_sync_state = self._by_sync_state or reader.counts()
                if self._query.lists_everything():
                    listed = sum(by_sync_state.values())  # every observation is in one sync state
                else:
                    listed = reader.count_matching(self._query)
                counts = HistoryCounts(listed, by_sync_state)
            finally:
                reader.close()
        except IrisFieldError as exc:
            log.warning("cannot count observations: %s", exc)
            return
        self._answer.ready.emit(self._request, counts)


class HistoryCounter(QObject):
    """Counts in a background thread; ``counted`` carries the answer to the latest ``request``."""

    counted = Signal(object)  # HistoryCounts
    busy_changed = Signal(bool)

    def __init__(self, path: Path, parent: QObject | None = None):
        """Count in the history file at ``path``."""
        super().__init__(parent)
        self._path = path
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._answer = _Answer(self)
        self._answer.ready.connect(self._on_ready)
        self._latest = 0
        self._states_stale = True
        self.last: HistoryCounts | None = None

    def request(self, query: HistoryQuery, *, data_changed: bool = True) -> None:
        """Count what ``query`` lists, and every sync state unless only the query changed.

        Requests not yet started are dropped: only the latest answer is ever shown.
        """
        self._latest += 1
        self._pool.clear()
        if data_changed:
            self._states_stale = True
        known = None if self._states_stale or self.last is None else self.last.by_sync_state
        self._pool.start(_Count(self._path, query, known, self._latest, self._answer))
        self.busy_changed.emit(True)

    @property
    def requested(self) -> int:
        """Return how many counts have been asked for so far."""
        return self._latest

    def busy(self) -> bool:
        """Tell whether an answer is still to come."""
        return self.last is None or self._pool.activeThreadCount() > 0

    def wait(self) -> None:
        """Block until every started count has finished (closing the window, tests)."""
        self._pool.waitForDone()

    def _on_ready(self, request: int, counts: HistoryCounts) -> None:
        if request != self._latest:
            return
        self._states_stale = False
        self.last = counts
        self.counted.emit(counts)
        self.busy_changed.emit(False)
