"""Help → Model: the active model's card (version, metrics, training data, signer), "Use previous model"."""

from __future__ import annotations

from PySide6.QtCore import QDate, QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.model_delivery.freshness import Freshness
from desktop.model_delivery.model_store import ActiveModel
from desktop.ui.i18n import format_percent
from desktop.ui.problem_words import fallback_text

# Card metrics shown, in this order, with their labels (the rest stay in the card file).
_SHOWN_METRICS = ("cv_accuracy_mean", "test_accuracy", "test_macro_f1")


class ModelDialog(QDialog):
    """A non-modal view of the model that predicts, with a way back to the previous one."""

    use_previous_requested = Signal()

    def __init__(
        self,
        model: ActiveModel,
        can_go_back: bool,
        parent: QWidget | None = None,
        freshness: Freshness | None = None,
    ):
        """Show ``model``'s card and how long ago the lab confirmed it; offer "Use previous model"."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("Model"))
        self._form = QFormLayout()
        self.rows: dict[str, str] = {}
        card, release = model.classifier.card, model.release
        self._row(self.tr("Model"), f"{card.model_name} v{card.model_version} ({card.alias})")
        if model.origin == "bundled":
            self._row(self.tr("Source"), self.tr("Bundled with Iris Field"))
        if release is not None:
            self._build_release_rows(release, freshness)
        self._build_card_rows(card)
        layout = QVBoxLayout(self)
        layout.addLayout(self._form)
        self._build_notes(layout, model, freshness)
        self._build_buttons(layout, can_go_back)

    def _row(self, label: str, value: str) -> None:
        """Add one selectable, wrapping row to the form (and remember it for tests and screen readers)."""
        text = QLabel(value, self)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        text.setWordWrap(True)
        self._form.addRow(label, text)
        self.rows[label] = value

    def _build_release_rows(self, release, freshness: Freshness | None) -> None:
        """Add where the signed release came from, when, who signed it and when the lab last confirmed it."""
        self._row(self.tr("Registry"), release.registry)
        released = QDate.fromString(release.released_at[:10], Qt.DateFormat.ISODate)
        date = self.locale().toString(released, QLocale.FormatType.ShortFormat) or release.released_at[:10]
        self._row(
            self.tr("Release"),
            self.tr("{sequence}, published {date}").format(sequence=release.sequence, date=date),
        )
        self._row(self.tr("Signed by key"), release.signer)
        if freshness is not None:
            confirmed = QDate(
                freshness.confirmed_at.year, freshness.confirmed_at.month, freshness.confirmed_at.day
            )
            self._row(
                self.tr("Confirmed by the lab"),
                self.tr("%n day(s) ago ({date})", "", freshness.age_days).format(
                    date=self.locale().toString(confirmed, QLocale.FormatType.ShortFormat)
                ),
            )
        if release.data_fingerprint:
            self._row(self.tr("Training data"), release.data_fingerprint[:16])

    def _build_card_rows(self, card) -> None:
        """Add the card's headline metrics, its training run and the model file's digest."""
        labels = {
            "cv_accuracy_mean": self.tr("Cross-validated accuracy"),
            "test_accuracy": self.tr("Accuracy on held-out flowers"),
            "test_macro_f1": self.tr("Macro F1 on held-out flowers"),
        }
        for name in _SHOWN_METRICS:
            if name in card.metrics:
                self._row(labels[name], format_percent(card.metrics[name], self.locale()))
        self._row(self.tr("Training run"), card.run_id)
        self._row("SHA-256", card.sha256)

    def _build_notes(self, layout: QVBoxLayout, model: ActiveModel, freshness: Freshness | None) -> None:
        """Add why the bundled model stands in, why the lab shipped an unvetted model, and a stale warning."""
        if model.fallback is not None:
            note = QLabel(fallback_text(model.fallback), self)
            note.setWordWrap(True)
            layout.addWidget(note)
        self.unvetted_note: QLabel | None = None
        reason = model.classifier.card.unvetted_reason
        if reason:
            self.unvetted_note = QLabel(
                self.tr("Not passed by the lab's quality gate; the lab shipped it because: {reason}").format(
                    reason=reason
                ),
                self,
            )
            self.unvetted_note.setWordWrap(True)
            self.unvetted_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            layout.addWidget(self.unvetted_note)
        self.stale_note: QLabel | None = None
        if freshness is not None and freshness.stale:
            self.stale_note = QLabel(
                self.tr(
                    "The lab confirmed this model longer ago than the {period} days its card allows. It "
                    "still predicts; connect to the lab's server or ask the lab for a current model file."
                ).format(period=freshness.period_days),
                self,
            )
            self.stale_note.setWordWrap(True)
            layout.addWidget(self.stale_note)

    def _build_buttons(self, layout: QVBoxLayout, can_go_back: bool) -> None:
        """Add Close and "Use previous model"."""
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.use_previous = QPushButton(self.tr("Use previous model"), self)
        self.use_previous.setEnabled(can_go_back)
        self.use_previous.setToolTip(self.tr("Go back to the model that predicted before this one"))
        buttons.addButton(self.use_previous, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.close)
        self.use_previous.clicked.connect(self.use_previous_requested)
        layout.addWidget(buttons)
