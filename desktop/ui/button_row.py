"""A row of controls that folds into two rows when the pane is too narrow, instead of cutting their words."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QGridLayout, QWidget


class ReflowingButtons(QWidget):
    """``leading`` buttons on the left, ``trailing`` on the right; one row when they fit, else two."""

    def __init__(
        self, leading: Sequence[QWidget], trailing: Sequence[QWidget], parent: QWidget | None = None
    ):
        """Take the buttons over (they become children of this row)."""
        super().__init__(parent)
        self._leading, self._trailing = list(leading), list(trailing)
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self.folded: bool | None = None
        self._arrange(folded=False)

    def _width_of(self, buttons: Sequence[QWidget]) -> int:
        spacing = max(self._grid.horizontalSpacing(), 0)
        return sum(b.sizeHint().width() for b in buttons) + spacing * max(len(buttons) - 1, 0)

    def one_row_width(self) -> int:
        """Return the width the buttons need side by side, each with its whole text."""
        spacing = max(self._grid.horizontalSpacing(), 0)
        return self._width_of(self._leading) + spacing + self._width_of(self._trailing)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        """Return the size of the folded form: the widest of the two rows, two rows high."""
        width = max(self._width_of(self._leading), self._width_of(self._trailing))
        height = sum(max(b.sizeHint().height() for b in group) for group in (self._leading, self._trailing))
        return QSize(width, height + max(self._grid.verticalSpacing(), 0))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        """Fold or unfold to fit the new width."""
        super().resizeEvent(event)
        self._arrange(folded=event.size().width() < self.one_row_width())

    def _arrange(self, *, folded: bool) -> None:
        if folded == self.folded:
            return
        self.folded = folded
        while self._grid.count():
            self._grid.takeAt(0)
        for column in range(self._grid.columnCount()):
            self._grid.setColumnStretch(column, 0)
        if folded:
            for column, button in enumerate(self._leading):
                self._grid.addWidget(button, 0, column)
            # The second row keeps to the right, under the end of the first, as it sat unfolded.
            first = max(len(self._leading) - len(self._trailing), 0)
            for column, button in enumerate(self._trailing, start=first):
                self._grid.addWidget(button, 1, column)
            self._grid.setColumnStretch(len(self._leading) + len(self._trailing), 1)
        else:
            for column, button in enumerate(self._leading):
                self._grid.addWidget(button, 0, column)
            gap = len(self._leading)
            self._grid.setColumnStretch(gap, 1)
            for offset, button in enumerate(self._trailing, start=gap + 1):
                self._grid.addWidget(button, 0, offset)
        self.updateGeometry()
