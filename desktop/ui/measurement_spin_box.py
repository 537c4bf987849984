"""A spin box that takes a typed measurement exactly ("2,5" or "2.5" in any language) or refuses it aloud."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QValidator
from PySide6.QtWidgets import QDoubleSpinBox, QWidget

from desktop.errors import InputError
from desktop.prediction.measurement_rules import shown_value
from desktop.tables.measurement_table import decimals_of, parse_measurement
from desktop.ui.i18n import format_number

_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class MeasurementSpinBox(QDoubleSpinBox):
    """Reads what was typed with the app's one number rule; never rounds, clamps or drops a character.

    QDoubleSpinBox on its own silently drops what its locale does not parse ("2,5" in English becomes
    2.0) and clamps or truncates the rest ("999" -> 9.0, "4.75" -> 4.7). Here a typed value is either
    taken exactly, or it is refused: ``refused`` carries the reason and the previous value stays.
    """

    refused = Signal(str, str)  # (text as typed, reason in the current language)

    def __init__(self, parent: QWidget | None = None):
        """Start without keyboard tracking: a value is judged once typing is finished."""
        super().__init__(parent)
        # Half-typed values ("9" on the way to "999") must never become the value.
        self.setKeyboardTracking(False)

    # ----------------------------------------------------------------- Qt's text <-> value hooks
    def _typed(self, text: str) -> str:
        """Return the number part of the line edit's text (without the unit suffix)."""
        typed = text.strip()
        suffix = self.suffix().strip()
        if suffix and typed.endswith(suffix):
            typed = typed[: -len(suffix)]
        return typed.strip()

    def refusal(self, text: str) -> str:
        """Return why ``text`` cannot be taken as this box's value, or "" if it can be taken exactly.

        The rules are the command line's (``desktop.prediction.measurement_rules``: the range is the card's,
        set by
        the panel); a very long value is named shortened, never in full or as "inf".
        """
        typed = shown_value(self._typed(text))
        locale = self.locale()
        low = format_number(self.minimum(), locale, self.decimals())
        high = format_number(self.maximum(), locale, self.decimals())
        unit = self.suffix().strip()
        try:
            value = parse_measurement(self._typed(text))
        except InputError:
            return self.tr("“{typed}” is not a number; type it like {example}.").format(
                typed=typed, example=format_number(2.5, locale, 1)
            )
        if not self.minimum() <= value <= self.maximum():
            return self.tr("{value} {unit} is outside the plausible range {low}–{high} {unit}.").format(
                value=typed, unit=unit, low=low, high=high
            )
        if decimals_of(self._typed(text)) > self.decimals():
            step = format_number(10 ** -self.decimals(), locale, self.decimals())
            return self.tr("{value} has more decimals than the model's precision of {step} {unit}.").format(
                value=typed, step=step, unit=unit
            )
        return ""

    def validate(self, text: str, pos: int) -> object:
        """Accept what can be taken exactly; anything else is kept on screen until typing is finished."""
        state = QValidator.State.Acceptable if not self.refusal(text) else QValidator.State.Intermediate
        return state, text, pos

    def fixup(self, text: str) -> str:
        """Never repair a typed value behind the user's back."""
        return text

    def valueFromText(self, text: str) -> float:  # noqa: N802 (Qt's name)
        """Return the typed number exactly (decimal point or comma, whatever the language)."""
        try:
            return parse_measurement(self._typed(text))
        except InputError:
            return self.value()

    def textFromValue(self, value: float) -> str:  # noqa: N802 (Qt's name)
        """Show the value in the current language's number format at the model's precision."""
        return format_number(value, self.locale(), self.decimals())

    # ----------------------------------------------------------------- taking or refusing aloud
    def commit(self) -> bool:
        """Take the typed text as the value now, or refuse it aloud; tell whether it was taken.

        The one way typed text becomes the value: Enter, leaving the box and every reader of the
        measurements (Save, Ctrl+S, the menus) come here, so nothing reads a value the box no longer shows.
        """
        text = self.lineEdit().text()
        reason = self.refusal(text)
        if reason:
            self.refused.emit(shown_value(self._typed(text)), reason)
            self.lineEdit().setText(self.textFromValue(self.value()))
            return False
        self.interpretText()  # emits valueChanged when the typed value differs
        return True

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        """Take or refuse the typed text on Enter."""
        if event.key() in _ENTER_KEYS:
            self.commit()
        super().keyPressEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 (Qt's name)
        """Take or refuse the typed text when the focus leaves."""
        self.commit()
        super().focusOutEvent(event)
