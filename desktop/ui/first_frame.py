"""Work that waits for a widget's first frame: a long history's counts and the sync never slow the opening."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

# A widget never painted (a window started minimized, say) does not hold its work back for longer.
LATEST_MS = 5_000


class FirstFrame(QObject):
    """Emits ``drawn`` once, just after its widget's first frame (the widget's ``paintEvent`` says so)."""

    drawn = Signal()

    def __init__(self, parent: QObject):
        """Wait for the first ``painted`` (at most ``LATEST_MS``); ``parent`` is the widget that calls it."""
        super().__init__(parent)
        self.is_drawn = False
        self._painted = False
        QTimer.singleShot(LATEST_MS, self, self._announce)

    def painted(self) -> None:
        """Note a paint; the first one announces the frame once it has been painted in full."""
        if not self._painted:
            self._painted = True
            QTimer.singleShot(0, self, self._announce)  # the rest of the frame is still being painted

    def _announce(self) -> None:
        if not self.is_drawn:
            self.is_drawn = True
            self.drawn.emit()

    def call_after(self, work: Callable[[], object]) -> None:
        """Run ``work`` at once if the first frame is shown, else just after it is."""
        if self.is_drawn:
            work()
        else:
            self.drawn.connect(work)
