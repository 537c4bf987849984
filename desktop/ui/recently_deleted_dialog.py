"""The "Recently deleted" view: deleted observations listed, and brought back one, several or all at once.

The store keeps a deleted observation as it was (hidden, never sent anywhere new), so bringing it back
returns it with its id, times, confirmation and sync progress; this dialog only lists and asks the store.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import IrisFieldError
from desktop.prediction.model_card import ModelCard
from desktop.store import DeletedObservation, ObservationStore
from desktop.ui.dialogs import show_problem
from desktop.ui.history_model import local_time
from desktop.ui.i18n import card_word, format_number, species_name
from desktop.ui.problem_words import problem_text, read_only_reason
from desktop.ui.species_icons import species_icon

MIN_SIZE = (560, 320)


class RecentlyDeletedDialog(QDialog):
    """Lists the store's deleted observations, last deleted first; restores the chosen ones or all."""

    restored = Signal(list)  # the ids of the observations brought back, in the order listed

    def __init__(self, store: ObservationStore, card: ModelCard | None, parent: QWidget | None = None):
        """Show ``store``'s recently deleted observations; ``card`` names and orders the measurements."""
        super().__init__(parent)
        self._store = store
        self._features = [(f.name, f.label, f.decimals) for f in card.features] if card is not None else []
        self._listed: list[DeletedObservation] = []
        self._total = 0  # deleted in all (more than are listed when many were)
        self.setMinimumSize(*MIN_SIZE)

        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.table = QTableWidget(self)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)  # Tab moves on to the buttons; arrows (with Shift) choose
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(30)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._follow_selection)
        self.table.doubleClicked.connect(lambda _index: self.restore_selected())

        self.buttons = QDialogButtonBox(self)
        self.restore_button = QPushButton(self)
        self.restore_all_button = QPushButton(self)
        self.close_button = QPushButton(self)
        for button in (self.restore_button, self.restore_all_button, self.close_button):
            button.setMinimumHeight(36)
            button.setAutoDefault(False)
        self.restore_button.setDefault(True)  # Enter restores what is chosen
        self.buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.restore_all_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.restore_button.clicked.connect(self.restore_selected)
        self.restore_all_button.clicked.connect(self.restore_all)
        self.close_button.clicked.connect(self.reject)
        # Ctrl+Z here brings back the row chosen, as it does in the history for the last delete.
        QShortcut(QKeySequence(QKeySequence.StandardKey.Undo), self, self.restore_selected)

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.buttons)
        self.setTabOrder(self.table, self.restore_button)
        self.setTabOrder(self.restore_button, self.restore_all_button)
        self.setTabOrder(self.restore_all_button, self.close_button)

        self.retranslate()
        self.reload()
        self._fit_to_rows(parent)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    # ----------------------------------------------------------------- showing
    def reload(self) -> None:
        """Read the recently deleted observations again and list them, the last deleted first."""
        try:
            self._listed = self._store.recently_deleted()
            self._total = self._store.count_deleted()
        except IrisFieldError as exc:
            self._listed, self._total = [], 0
            show_problem(self, self.tr("The history cannot be read"), problem_text(exc))
        self._fill()
        self._show_summary()

    def _fill(self) -> None:
        locale = self.locale()
        names = self._measurement_names()
        decimals = {n: d for n, _, d in self._features}
        self.table.clearContents()
        self.table.setColumnCount(4 + len(names))
        self.table.setRowCount(len(self._listed))
        for row, deleted in enumerate(self._listed):
            obs = deleted.observation
            texts = [
                local_time(deleted.deleted_at, locale) if deleted.deleted_at else "–",
                local_time(obs.created_at, locale),
                species_name(obs.species),
                *(
                    format_number(obs.measurements[n], locale, decimals.get(n, 1))
                    if n in obs.measurements
                    else "–"
                    for n in names
                ),
                " · ".join(part for part in (obs.note, obs.location) if part),
            ]
            for column, text in enumerate(texts):
                item = QTableWidgetItem(text)
                if 3 <= column < 3 + len(names):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
            self.table.item(row, 2).setIcon(species_icon(obs.species))
        self._set_headers(names)
        if self._listed:  # the last deleted is chosen: Enter brings it back, as Ctrl+Z would
            flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
            self.table.selectionModel().setCurrentIndex(self.table.model().index(0, 0), flags)
        self._follow_selection()

    def _fit_to_rows(self, parent: QWidget | None) -> None:
        """Open wide enough for every column if the window allows, else as wide as the window."""
        margins = self.layout().contentsMargins()
        frame = 2 * self.table.frameWidth() + self.table.verticalScrollBar().sizeHint().width()
        wanted = self.table.horizontalHeader().length() + frame + margins.left() + margins.right()
        room = parent.window().size() if parent is not None else self.screen().availableGeometry().size()
        self.resize(
            max(MIN_SIZE[0], min(wanted, room.width() - 40)), max(MIN_SIZE[1], min(420, room.height() - 60))
        )

    def _measurement_names(self) -> list[str]:
        """Return the measurements to show: the card's, in its order, then any other an observation has."""
        names = [n for n, _, _ in self._features]
        for deleted in self._listed:
            names += [n for n in deleted.observation.measurements if n not in names]
        return names

    def _set_headers(self, names: list[str]) -> None:
        labels = {n: label for n, label, _ in self._features}
        titles = [
            self.tr("Deleted"),
            self.tr("Observed"),
            self.tr("Species"),
            *(card_word(labels.get(n, n)) for n in names),
            self.tr("Note / place"),
        ]
        self.table.setHorizontalHeaderLabels(titles)

    def _show_summary(self) -> None:
        total = self._total
        if not self._listed:
            text = self.tr(
                "Nothing has been deleted. A deleted observation is listed here until it is restored."
            )
        elif total > len(self._listed):
            text = self.tr(
                "The %n most recently deleted observation(s), the last deleted first.", "", len(self._listed)
            )
            text += " " + self.tr("%n deleted in all.", "", total)
        else:
            text = self.tr(
                "%n deleted observation(s), the last deleted first. Choose those to bring back.", "", total
            )
        if self._store.read_only_reason:
            why = read_only_reason(self._store.read_only_cause, self._store.path)
            text += " " + self.tr("Nothing can be restored: {reason}.").format(reason=why)
        self.summary.setText(text)

    def _follow_selection(self) -> None:
        writable = not self._store.read_only_reason  # a read-only history is browsed, never changed
        self.restore_button.setEnabled(writable and bool(self.chosen_ids()))
        self.restore_all_button.setEnabled(writable and bool(self._listed))

    # ----------------------------------------------------------------- restoring
    def chosen_ids(self) -> list[str]:
        """Return the ids of the chosen rows, top to bottom."""
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [self._listed[row].observation.id for row in rows]

    def restore_selected(self) -> None:
        """Bring the chosen observations back into the history."""
        self._restore(self.chosen_ids())

    def restore_all(self) -> None:
        """Bring every listed observation back into the history."""
        self._restore([deleted.observation.id for deleted in self._listed])

    def _restore(self, ids: list[str]) -> None:
        if not ids:
            return
        try:
            self._store.undelete_many(ids)
        except IrisFieldError as exc:
            show_problem(self, self.tr("The observations could not be brought back"), problem_text(exc))
            return
        self.reload()
        self.restored.emit(ids)

    # ----------------------------------------------------------------- language
    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        """Follow a language or locale switch."""
        if event.type() in (QEvent.Type.LanguageChange, QEvent.Type.LocaleChange):
            self.retranslate()
            self._fill()
            self._show_summary()
        super().changeEvent(event)

    def retranslate(self) -> None:
        """Set every text in the current language."""
        self.setWindowTitle(self.tr("Recently deleted observations"))
        self.table.setAccessibleName(self.tr("Deleted observations, the last deleted first"))
        self.table.setAccessibleDescription(
            self.tr(
                "Arrow keys choose an observation, Shift or Ctrl with them choose several; Enter restores"
            )
        )
        self.restore_button.setText(self.tr("&Restore selected"))
        self.restore_button.setAccessibleName(self.tr("Restore selected"))
        self.restore_button.setToolTip(self.tr("Bring the chosen observations back into the history"))
        self.restore_button.setAccessibleDescription(self.restore_button.toolTip())
        self.restore_all_button.setText(self.tr("Restore &all"))
        self.restore_all_button.setAccessibleName(self.tr("Restore all"))
        self.restore_all_button.setToolTip(
            self.tr("Bring every observation listed here back into the history")
        )
        self.restore_all_button.setAccessibleDescription(self.restore_all_button.toolTip())
        self.close_button.setText(self.tr("&Close"))
        self.close_button.setAccessibleName(self.tr("Close"))
        self.summary.setAccessibleName(self.tr("What is listed"))
