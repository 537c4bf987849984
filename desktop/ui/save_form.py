"""The save form: an optional note and location, and the button that keeps the observation."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from desktop.ui.location_input import Location, parse_location

BUTTON_HEIGHT = 40


class SaveForm(QWidget):
    """Note and location fields beside a "Save observation" button bound to the window's save action."""

    def __init__(self, save_action: QAction, parent: QWidget | None = None):
        """Bind the button to ``save_action`` so the menu, Ctrl+S and the button do one thing."""
        super().__init__(parent)
        self._save_action = save_action
        self.note = QLineEdit(self)
        self.location = QLineEdit(self)
        for field in (self.note, self.location):
            field.setClearButtonEnabled(True)
            field.setMinimumHeight(32)
        self._note_label = QLabel(self)
        self._note_label.setBuddy(self.note)
        self._location_label = QLabel(self)
        self._location_label.setBuddy(self.location)
        self.save_button = QPushButton(self)
        self.save_button.setMinimumHeight(BUTTON_HEIGHT)
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(save_action.trigger)
        save_action.changed.connect(self._follow_action)
        self.status = QLabel(self)
        # Wrapped: a long line ("Not saved: …" in German) must not widen the column and squeeze the history.
        self.status.setWordWrap(True)

        fields = QFormLayout()
        fields.setContentsMargins(0, 0, 0, 0)
        fields.addRow(self._note_label, self.note)
        fields.addRow(self._location_label, self.location)
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(self.save_button)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(fields)
        outer.addLayout(row)
        self._follow_action()
        self.retranslate()

    def location_value(self) -> Location:
        """Return what the location field holds: a place name or coordinates."""
        return parse_location(self.location.text())

    def show_saved(self, message: str) -> None:
        """Say that the observation is on disk (called only after the store returned)."""
        self.status.setText(message)

    def clear_saved(self) -> None:
        """Forget the "saved" line once the measurements describe another flower."""
        self.status.clear()

    def _follow_action(self) -> None:
        self.save_button.setEnabled(self._save_action.isEnabled())
        self.save_button.setToolTip(self._save_action.toolTip())

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        """Follow a language switch."""
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        """Set every text in the current language."""
        self._note_label.setText(self.tr("&Note"))
        self._location_label.setText(self.tr("&Location"))
        self.note.setPlaceholderText(self.tr("optional, e.g. meadow by the stream, 3 flowers"))
        self.location.setPlaceholderText(self.tr("optional: place name, or latitude, longitude"))
        self.note.setAccessibleName(self.tr("Note"))
        self.location.setAccessibleName(self.tr("Location"))
        self.location.setToolTip(
            self.tr("A place name, or coordinates in decimal degrees such as 48.137, 11.575")
        )
        shortcut = self._save_action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        self.save_button.setText(self.tr("Save observation") + (f"  ({shortcut})" if shortcut else ""))
        self.save_button.setAccessibleName(self.tr("Save observation"))
