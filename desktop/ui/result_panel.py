"""The model's answer: species with its icon, a probability bar per class, and uncertain/unusual notices."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent, QFont, QIcon
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QProgressBar, QVBoxLayout, QWidget

from desktop.cli.csv_answer_text import NO_PERCENTAGE
from desktop.prediction.engine import UNCERTAIN_BELOW, Prediction
from desktop.prediction.model_card import ModelCard
from desktop.ui.i18n import feature_label, format_number, format_percent, species_name
from desktop.ui.species_icons import species_icon

ICON_SIZE = QSize(56, 56)
BAR_RESOLUTION = 1000
# Dark text on a pale amber ground: readable in sunlight; the ⚠ sign and the words carry the meaning.
WARNING_STYLE = "QLabel { background: #fff3c4; color: #202020; border: 1px solid #b58900; padding: 4px; }"


class ResultPanel(QWidget):
    """Shows one ``Prediction``; cheap to update, so it can follow a slider live."""

    def __init__(self, card: ModelCard, parent: QWidget | None = None):
        """Lay out one bar per class of the card."""
        super().__init__(parent)
        self._card = card
        self._prediction: Prediction | None = None
        self._shown_icon: tuple[str, bool] | None = None
        self._announced_heading = ""
        self.announcement = ""  # what was last read out to a screen reader
        top = self._build_heading()
        bars = self._build_bars(card)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addLayout(bars)
        layout.addWidget(self._verdict)
        layout.addWidget(self._unusual)
        self._verdict.hide()
        self._unusual.hide()
        self.retranslate()

    def _build_heading(self) -> QHBoxLayout:
        """Create the icon, species and confidence heading and the warnings; return the heading's row."""
        self._icon = QLabel(self)
        self._icon.setFixedSize(ICON_SIZE)
        self._species = QLabel(self)
        self._confidence = QLabel(self)
        self._confidence.setObjectName("confidence")
        heading = QFont(self.font())
        heading.setPointSizeF(heading.pointSizeF() * 1.8)
        heading.setBold(True)
        self._species.setFont(heading)
        self._confidence.setFont(heading)
        self._confidence.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self._verdict = QLabel(self)
        self._verdict.setWordWrap(True)
        self._verdict.setStyleSheet(WARNING_STYLE)
        self._unusual = QLabel(self)
        self._unusual.setWordWrap(True)
        self._unusual.setStyleSheet(WARNING_STYLE)

        top = QHBoxLayout()
        top.addWidget(self._icon)
        top.addWidget(self._species, 1)
        top.addWidget(self._confidence)
        return top

    def _build_bars(self, card: ModelCard) -> QGridLayout:
        """Create one row per class of ``card``: its name, its bar and its value."""
        bars = QGridLayout()
        bars.setColumnStretch(1, 1)
        bars.setVerticalSpacing(2)
        self._bar_names: list[QLabel] = []
        self._bars: list[QProgressBar] = []
        self._bar_values: list[QLabel] = []
        for row, species in enumerate(card.classes):
            name = QLabel(species_name(species), self)
            bar = QProgressBar(self)
            bar.setRange(0, BAR_RESOLUTION)
            bar.setTextVisible(False)
            bar.setFixedHeight(22)
            value = QLabel(self)
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            value.setMinimumWidth(value.fontMetrics().horizontalAdvance("100 %") + 4)
            bars.addWidget(name, row, 0)
            bars.addWidget(bar, row, 1)
            bars.addWidget(value, row, 2)
            self._bar_names.append(name)
            self._bars.append(bar)
            self._bar_values.append(value)
        return bars

    def bars(self) -> dict[str, QProgressBar]:
        """Return the probability bar of each class (for tests and accessibility checks)."""
        return dict(zip(self._card.classes, self._bars, strict=True))

    def bar_texts(self) -> dict[str, str]:
        """Return the percentage shown beside each class's bar ("—" when none can be trusted)."""
        return {c: label.text() for c, label in zip(self._card.classes, self._bar_values, strict=True)}

    def species_text(self) -> str:
        """Return the heading as shown (species or "Uncertain")."""
        return self._species.text()

    def notices(self) -> tuple[str, ...]:
        """Return the uncertain and unusual notices currently shown."""
        return tuple(label.text() for label in (self._verdict, self._unusual) if not label.isHidden())

    def set_card(self, card: ModelCard) -> None:
        """Take another model's card (same classes; its training ranges decide what is unusual)."""
        self._card = card

    def show_prediction(self, prediction: Prediction) -> None:
        """Show a new answer: heading, icon, bars and notices."""
        self._prediction = prediction
        locale = self.locale()
        unlike = prediction.unlike_training
        for species, bar, value in zip(self._card.classes, self._bars, self._bar_values, strict=True):
            probability = prediction.probabilities.get(species, 0.0)
            bar.setValue(round(probability * BAR_RESOLUTION))
            # No percentage for a flower unlike any in training (the bars stay, greyed, to show the guess).
            text = NO_PERCENTAGE if unlike else format_percent(probability, locale)
            value.setText(text)
            bar.setAccessibleDescription(text)
        # A flower unlike any in training gets no headline percentage: the model's confidence means little.
        self._confidence.setText("" if unlike else format_percent(prediction.confidence, locale))
        for widget in (*self._bars, *self._bar_values):
            widget.setEnabled(not unlike)
        self._show_icon(prediction.species, prediction.uncertain or unlike)
        if unlike:
            self._species.setText(self.tr("Unusual flower"))
            self._verdict.setText(
                self.tr(
                    "⚠ Unlike any flower the model was trained on; its guess ({species}) cannot be "
                    "trusted. Measure again."
                ).format(species=species_name(prediction.species))
            )
        elif prediction.uncertain:
            self._species.setText(self.tr("Uncertain"))
            self._verdict.setText(
                self.tr(
                    "? Most likely {species}, but the model is less than {threshold} sure. "
                    "Measure again, or check the flower with a key."
                ).format(
                    species=species_name(prediction.species),
                    threshold=format_percent(UNCERTAIN_BELOW, locale),
                )
            )
        else:
            self._species.setText(species_name(prediction.species))
        self._verdict.setVisible(prediction.uncertain or unlike)
        self._unusual.setVisible(bool(prediction.unusual))
        if prediction.unusual:
            self._unusual.setText(self._unusual_text(prediction))
        self._species.setAccessibleName(
            self.tr("Result: {heading}, {percent}").format(
                heading=self._species.text(), percent=self._confidence.text()
            )
        )
        self._announce_if_new()

    def _announce_if_new(self) -> None:
        """Have a screen reader say the result when the species shown changes, whatever has the focus.

        Not on every slider step: only a new heading (another species, "uncertain", "unusual") is read
        out, with the percentage and every species' probability.
        """
        heading = self._species.text()
        if heading == self._announced_heading:
            return
        self._announced_heading = heading
        probabilities = ", ".join(
            f"{species_name(species)} {value.text()}"
            for species, value in zip(self._card.classes, self._bar_values, strict=True)
        )
        parts = [
            heading,
            self._confidence.text(),
            self._verdict.text() if self._verdict.isVisibleTo(self) else "",
        ]
        self.announcement = ". ".join(p for p in (" ".join(parts[:2]).strip(), parts[2], probabilities) if p)
        QAccessible.updateAccessibility(QAccessibleAnnouncementEvent(self._species, self.announcement))

    def _unusual_text(self, prediction: Prediction) -> str:
        locale = self.locale()
        lines = []
        for feature, value in zip(self._card.features, prediction.values, strict=True):
            if feature.name not in prediction.unusual:
                continue
            lines.append(
                self.tr(
                    "⚠ {feature} {value} {unit} is outside what the model was trained on "
                    "({low}–{high} {unit})."
                ).format(
                    feature=feature_label(feature),
                    value=format_number(value, locale),
                    unit=feature.unit,
                    low=format_number(feature.stats.min, locale),
                    high=format_number(feature.stats.max, locale),
                )
            )
        lines.append(self.tr("Treat the result with caution."))
        return "\n".join(lines)

    def _show_icon(self, species: str, uncertain: bool) -> None:
        # Rendering the SVG is the only costly step of an update: do it only when the species changes.
        if self._shown_icon == (species, uncertain):
            return
        mode = QIcon.Mode.Disabled if uncertain else QIcon.Mode.Normal
        self._icon.setPixmap(species_icon(species).pixmap(ICON_SIZE, self.devicePixelRatioF(), mode))
        self._icon.setAccessibleName(species_name(species))
        self._shown_icon = (species, uncertain)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        """Follow a language or locale switch."""
        if event.type() in (QEvent.Type.LanguageChange, QEvent.Type.LocaleChange):
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        """Redo every text in the current language."""
        for species, bar in zip(self._card.classes, self._bars, strict=True):
            bar.setAccessibleName(self.tr("Probability of {species}").format(species=species_name(species)))
        self._announced_heading = ""  # a new language is read out anew
        if self._prediction is not None:
            self.show_prediction(self._prediction)
