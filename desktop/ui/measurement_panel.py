"""The four measurements: a slider for a quick setting and a spin box for the exact value, per feature."""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import partial

from PySide6.QtCore import QEvent, QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QLabel,
    QProxyStyle,
    QSlider,
    QStyle,
    QStyleOption,
    QWidget,
)

from desktop.prediction.measurement_rules import allowed
from desktop.prediction.model_card import Feature, ModelCard
from desktop.ui.i18n import feature_label, format_number
from desktop.ui.measurement_spin_box import MeasurementSpinBox

# Sliders count in tenths of a unit: the arrow keys move 0.1 cm, Page Up/Down 1 cm.
TENTHS = 10
STEP = 1 / TENTHS
# Finger-sized rows and slider handles for touch convertibles.
ROW_HEIGHT = 40
HANDLE_SIZE = 26


class TouchSliderStyle(QProxyStyle):
    """The platform's slider look with a handle large enough to grab with a finger."""

    def pixelMetric(  # noqa: N802 (Qt's name)
        self, metric: QStyle.PixelMetric, option: QStyleOption | None = None, widget: QWidget | None = None
    ) -> int:
        """Enlarge the handle; everything else as the platform style says."""
        if metric in (QStyle.PixelMetric.PM_SliderLength, QStyle.PixelMetric.PM_SliderControlThickness):
            return HANDLE_SIZE
        if metric == QStyle.PixelMetric.PM_SliderThickness:
            return HANDLE_SIZE + 4
        return super().pixelMetric(metric, option, widget)


def spin_range(feature: Feature) -> tuple[float, float]:
    """Return what may be typed: the card's plausible range (its minimum excluded), as the command line."""
    rule = allowed(feature)
    return rule.low, rule.high


def slider_range(feature: Feature) -> tuple[float, float]:
    """Return the slider's span: the training range widened by half its width, in whole units."""
    # Wide enough to reach values the model never saw (so the warning can be seen), narrow enough that
    # one pixel of slider is still a sensible step.
    margin = (feature.stats.max - feature.stats.min) / 2
    lowest, highest = spin_range(feature)
    return (
        max(float(math.floor(feature.stats.min - margin)), lowest),
        min(float(math.ceil(feature.stats.max + margin)), highest),
    )


def starting_value(feature: Feature) -> float:
    """Return the value a slider starts at: the training mean, to 0.1."""
    lowest, highest = spin_range(feature)
    return min(max(round(feature.stats.mean, 1), lowest), highest)


class MeasurementPanel(QGroupBox):
    """Sliders paired with spin boxes for every feature of the model card, in card order."""

    values_changed = Signal()

    def __init__(self, card: ModelCard, parent: QWidget | None = None):
        """Build one row per card feature; labels, units and ranges all come from the card."""
        super().__init__(parent)
        self._features = card.features
        self._labels: list[QLabel] = []
        self._sliders: list[QSlider] = []
        self._spins: list[MeasurementSpinBox] = []
        grid = QGridLayout(self)
        grid.setColumnStretch(1, 1)
        grid.setVerticalSpacing(2)
        self._slider_style = TouchSliderStyle()
        self._slider_style.setParent(self)
        for row, feature in enumerate(card.features):
            label = QLabel(self)
            slider = QSlider(Qt.Orientation.Horizontal, self)
            spin = MeasurementSpinBox(self)
            low, high = slider_range(feature)
            slider.setRange(round(low * TENTHS), round(high * TENTHS))
            slider.setSingleStep(1)
            slider.setPageStep(TENTHS)
            slider.setStyle(self._slider_style)
            slider.setMinimumHeight(ROW_HEIGHT)
            spin.setDecimals(feature.decimals)  # the precision the model card states, shown
            spin.setSingleStep(STEP)
            spin.setRange(*spin_range(feature))
            spin.setSuffix(f" {feature.unit}")
            spin.setMinimumHeight(ROW_HEIGHT)
            spin.setAlignment(Qt.AlignmentFlag.AlignRight)
            label.setBuddy(slider)
            value = starting_value(feature)
            spin.setValue(value)
            slider.setValue(round(value * TENTHS))
            slider.valueChanged.connect(partial(self._on_slider_changed, row))
            spin.valueChanged.connect(partial(self._on_spin_changed, row))
            spin.refused.connect(partial(self._on_refused, row))
            grid.addWidget(label, row, 0)
            grid.addWidget(slider, row, 1)
            grid.addWidget(spin, row, 2)
            self._labels.append(label)
            self._sliders.append(slider)
            self._spins.append(spin)
        # Why the last typed value was not taken; hidden while every typed value was.
        self._refusal = QLabel(self)
        self._refusal.setWordWrap(True)
        self._refusal.setObjectName("refusal")
        self._refusal.setStyleSheet("color: #b00020;")
        self._refusal.hide()
        grid.addWidget(self._refusal, len(card.features), 0, 1, 3)
        self._touched = False
        # Tab walks slider, spin box, next slider… in card order.
        order = [w for pair in zip(self._sliders, self._spins, strict=True) for w in pair]
        for first, second in zip(order, order[1:], strict=False):
            QWidget.setTabOrder(first, second)
        self.retranslate()

    def sliders(self) -> tuple[QSlider, ...]:
        """Return the sliders in card order (for focus handling and tests)."""
        return tuple(self._sliders)

    def spin_boxes(self) -> tuple[MeasurementSpinBox, ...]:
        """Return the spin boxes in card order."""
        return tuple(self._spins)

    def values(self) -> tuple[float, ...]:
        """Return the current measurements in card order; the spin boxes hold the exact values."""
        return tuple(spin.value() for spin in self._spins)

    def commit_typed(self) -> bool:
        """Take every box's typed but uncommitted text, or refuse it on screen; False if one was refused.

        Qt commits typed text only on Enter or when the focus leaves; a shortcut such as Ctrl+S does
        neither, so whatever reads the measurements calls this first.
        """
        return all([spin.commit() for spin in self._spins])  # a list: every box is judged

    def touched(self) -> bool:
        """Tell whether a value was set since the window opened (the defaults are not a measurement)."""
        return self._touched

    def refusal_text(self) -> str:
        """Return the sentence saying why a typed value was not taken ("" when none is shown)."""
        return self._refusal.text() if not self._refusal.isHidden() else ""

    def set_values(self, values: Mapping[str, float]) -> None:
        """Show the given measurements (by feature name; others stay) and announce one change."""
        for row, feature in enumerate(self._features):
            if feature.name in values:
                self._show(row, float(values[feature.name]))
        self._accepted()

    def _show(self, row: int, value: float) -> None:
        # Blocked signals: the partner widget is updated by hand, and the caller emits once.
        with QSignalBlocker(self._spins[row]), QSignalBlocker(self._sliders[row]):
            self._spins[row].setValue(value)
            self._sliders[row].setValue(round(self._spins[row].value() * TENTHS))

    def _on_slider_changed(self, row: int, tenths: int) -> None:
        with QSignalBlocker(self._spins[row]):
            self._spins[row].setValue(tenths / TENTHS)
        self._accepted()

    def _on_spin_changed(self, row: int, value: float) -> None:
        # A typed value beyond the slider's span leaves the slider at its end; the spin box keeps it.
        with QSignalBlocker(self._sliders[row]):
            self._sliders[row].setValue(round(value * TENTHS))
        self._accepted()

    def _accepted(self) -> None:
        self._touched = True
        self._refusal.hide()
        self.values_changed.emit()

    def _on_refused(self, row: int, typed: str, reason: str) -> None:
        feature = self._features[row]
        kept = format_number(self._spins[row].value(), self.locale(), feature.decimals)
        self._refusal.setText(
            self.tr("{name}: “{typed}” was not taken. {reason} The value stays {kept} {unit}.").format(
                name=feature_label(feature), typed=typed, reason=reason, kept=kept, unit=feature.unit
            )
        )
        self._refusal.show()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        """Follow a language or locale switch."""
        if event.type() in (QEvent.Type.LanguageChange, QEvent.Type.LocaleChange):
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        """Set every visible and accessible text in the current language."""
        self.setTitle(self.tr("Measurements"))
        locale = self.locale()
        for feature, label, slider, spin in zip(
            self._features, self._labels, self._sliders, self._spins, strict=True
        ):
            name = feature_label(feature)
            seen = self.tr("The model was trained on {low}–{high} {unit}.").format(
                low=format_number(feature.stats.min, locale),
                high=format_number(feature.stats.max, locale),
                unit=feature.unit,
            )
            label.setText(name)
            slider.setAccessibleName(name)
            slider.setAccessibleDescription(
                self.tr("Arrow keys change it by 0.1 {unit}, Page Up and Page Down by 1 {unit}.").format(
                    unit=feature.unit
                )
            )
            slider.setToolTip(seen)
            spin.setAccessibleName(self.tr("{name} in {unit}").format(name=name, unit=feature.unit))
            spin.setAccessibleDescription(seen)
            spin.setToolTip(seen)
            spin.setLocale(locale)
