"""Notices saves and edits made by other processes or windows, so the history pane shows them at once.

SQLite's ``PRAGMA data_version`` changes whenever another connection commits to the file; reading it
costs a few microseconds and touches no table, so a one-second timer is calm even on battery.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer, Signal

from desktop.errors import IrisFieldError
from desktop.history.store import ObservationStore

log = logging.getLogger(__name__)

CHECK_EVERY_MS = 1000


class HistoryWatcher(QObject):
    """Emits ``changed`` when someone else has written to the history since the last check."""

    changed = Signal()

    def __init__(self, store: ObservationStore, parent: QObject | None = None):
        """Watch ``store``'s file, checking every ``CHECK_EVERY_MS`` while the window is open."""
        super().__init__(parent)
        self._store = store
        self._version = self._read_version()
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_EVERY_MS)
        self.timer.timeout.connect(self.check)
        self.timer.start()

    def _read_version(self) -> int | None:
        try:
            return self._store.data_version()
        except IrisFieldError as exc:
            log.warning("cannot watch the history for changes: %s", exc)
            return None

    def check(self) -> bool:
        """Emit ``changed`` and return True if another connection committed since the last check."""
        version = self._read_version()
        if version is None or version == self._version:
            return False
        self._version = version
        self.changed.emit()
        return True
