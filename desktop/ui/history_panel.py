"""The history pane: saved observations, search, confirm or correct, restore, delete, export."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QStackedWidget,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import IrisFieldError
from desktop.model_card import ModelCard
from desktop.observation_csv import export_history
from desktop.store import Observation, ObservationStore
from desktop.ui import history_model as columns
from desktop.ui.dialogs import ask_to_confirm, show_problem
from desktop.ui.history_model import HistoryTableModel, local_time
from desktop.ui.i18n import sentence, species_name

BUTTON_HEIGHT = 36


class HistoryPanel(QWidget):
    """Lists the store's observations and edits them through the store; never holds data of its own."""

    restore_requested = Signal(object)  # the Observation whose measurements go back into the sliders
    changed = Signal()  # an observation was confirmed, corrected or deleted
    message = Signal(str)  # a short line for the status bar

    def __init__(
        self,
        store: ObservationStore | None,
        card: ModelCard | None,
        unavailable: str = "",
        *,
        can_restore: bool = True,
        parent: QWidget | None = None,
    ):
        """Show ``store``'s history; without a store, show ``unavailable`` (why there is none) instead.

        ``can_restore`` is False when there are no sliders to restore into (the model failed to load).
        """
        super().__init__(parent)
        self._store = store
        self._can_restore = can_restore
        self._unavailable = unavailable
        self.model = HistoryTableModel(card, self)

        self._title = QLabel(self)
        font = self._title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self._title.setFont(font)
        self.search = QLineEdit(self)
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumHeight(32)
        self.search.textChanged.connect(self.refresh)

        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(30)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(columns.NOTE, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda _index: self.restore_action.trigger())
        self.table.selectionModel().selectionChanged.connect(self._follow_selection)

        self.empty = QLabel(self)
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setMargin(24)
        self._pages = QStackedWidget(self)
        self._pages.addWidget(self.table)
        self._pages.addWidget(self.empty)

        self.restore_action = QAction(self)
        self.restore_action.triggered.connect(self._restore)
        self.delete_action = QAction(self)
        self.delete_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        # Only while the history has focus: Delete in a text field must still delete text.
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.delete_action.triggered.connect(self._ask_to_delete)
        self.addAction(self.delete_action)
        self.export_action = QAction(self)
        self.export_action.triggered.connect(self._ask_where_to_export)
        self.confirm_menu = QMenu(self)
        self.confirm_menu.aboutToShow.connect(self._fill_confirm_menu)

        self._restore_button = QPushButton(self)
        self._restore_button.clicked.connect(self.restore_action.trigger)
        self._confirm_button = QToolButton(self)
        self._confirm_button.setMenu(self.confirm_menu)
        self._confirm_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self._export_button = QPushButton(self)
        self._export_button.clicked.connect(self.export_action.trigger)
        self._delete_button = QPushButton(self)
        self._delete_button.clicked.connect(self.delete_action.trigger)
        for button in (self._restore_button, self._confirm_button, self._export_button, self._delete_button):
            button.setMinimumHeight(BUTTON_HEIGHT)

        top = QHBoxLayout()
        top.addWidget(self._title)
        top.addWidget(self.search, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self._restore_button)
        buttons.addWidget(self._confirm_button)
        buttons.addStretch(1)
        buttons.addWidget(self._export_button)
        buttons.addWidget(self._delete_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self._pages, 1)
        layout.addLayout(buttons)

        self.retranslate()
        self.refresh()

    # ----------------------------------------------------------------- showing
    def refresh(self) -> None:
        """Reload from the store (after a save, an edit, or a sync change), keeping the selection."""
        if self._store is None:
            self._show_rows([])
            return
        selected = self.selected()
        try:
            observations = self._store.list(self.search.text())
        except IrisFieldError as exc:
            show_problem(self, self.tr("The history cannot be read"), sentence(str(exc)))
            observations = []
        self._show_rows(observations)
        if selected is not None:
            self.select(selected.id)

    def _show_rows(self, observations: list[Observation]) -> None:
        self.model.set_observations(observations)
        self._pages.setCurrentWidget(self.table if observations else self.empty)
        self._update_empty_text()
        self._follow_selection()

    def _update_empty_text(self) -> None:
        if self._store is None:
            text = self._unavailable
        elif self.search.text().strip():
            text = self.tr("No saved observation matches “{text}”.").format(text=self.search.text().strip())
        else:
            text = self.tr(
                "No observations saved yet.\n\nSet the four measurements on the left, add a note or "
                "place if you like, then press “Save observation” (Ctrl+S). "
                "Saved observations appear here, newest first."
            )
        self.empty.setText(text)

    def selected(self) -> Observation | None:
        """Return the observation selected in the table, if any."""
        rows = self.table.selectionModel().selectedRows()
        return self.model.observation(rows[0].row()) if rows else None

    def select(self, observation_id: str) -> None:
        """Select the row of an observation if it is shown."""
        row = self.model.row_of(observation_id)
        if row is None:
            return
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.table.selectionModel().select(self.model.index(row, 0), flags)
        self.table.scrollTo(self.model.index(row, 0))

    def _follow_selection(self) -> None:
        chosen = self.selected() is not None
        self.restore_action.setEnabled(chosen and self._can_restore)
        self._restore_button.setEnabled(chosen and self._can_restore)
        self.delete_action.setEnabled(chosen)
        self._delete_button.setEnabled(chosen)
        self.confirm_menu.setEnabled(chosen)
        self._confirm_button.setEnabled(chosen)
        self.export_action.setEnabled(self.model.rowCount() > 0)
        self._export_button.setEnabled(self.model.rowCount() > 0)

    # ----------------------------------------------------------------- actions
    def _restore(self) -> None:
        observation = self.selected()
        if observation is not None:
            self.restore_requested.emit(observation)

    def _fill_confirm_menu(self) -> None:
        """Offer every species the model knew when it saw this flower, plus "not checked"."""
        self.confirm_menu.clear()
        observation = self.selected()
        if observation is None:
            return
        for species in observation.probabilities:
            text = species_name(species)
            if species == observation.predicted_species:
                text = self.tr("{species} (as predicted)").format(species=text)
            action = self.confirm_menu.addAction(text)
            action.setCheckable(True)
            action.setChecked(observation.confirmed_species == species)
            action.triggered.connect(lambda _checked=False, s=species: self.confirm_species(s))
        self.confirm_menu.addSeparator()
        clear = self.confirm_menu.addAction(self.tr("Not checked yet"))
        clear.setCheckable(True)
        clear.setChecked(observation.confirmed_species is None)
        clear.triggered.connect(lambda _checked=False: self.confirm_species(None))

    def confirm_species(self, species: str | None) -> None:
        """Record the species the botanist confirmed (or corrected) for the selected observation."""
        observation = self.selected()
        if observation is None or self._store is None:
            return
        try:
            self._store.confirm_species(observation.id, species)
        except IrisFieldError as exc:
            show_problem(self, self.tr("The species could not be recorded"), sentence(str(exc)))
            return
        self.refresh()
        self.changed.emit()

    def _ask_to_delete(self) -> None:
        observation = self.selected()
        if observation is None:
            return
        ask_to_confirm(
            self,
            self.tr("Delete observation"),
            self.tr(
                "Delete the observation of {species} from {time}? It disappears from this history. "
                "A copy already synced to the server stays there."
            ).format(
                species=species_name(observation.species),
                time=local_time(observation.created_at, self.locale()),
            ),
            self.tr("Delete"),
            lambda: self.delete(observation.id),
        )

    def delete(self, observation_id: str) -> None:
        """Delete an observation from the history (the store keeps a hidden record for the sync)."""
        if self._store is None:
            return
        try:
            self._store.delete(observation_id)
        except IrisFieldError as exc:
            show_problem(self, self.tr("The observation could not be deleted"), sentence(str(exc)))
            return
        self.refresh()
        self.changed.emit()

    def _ask_where_to_export(self) -> None:
        suggested = Path.home() / "iris-observations.csv"
        dialog = QFileDialog(self, self.tr("Export observations as CSV"), str(suggested))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter(self.tr("CSV files (*.csv)"))
        dialog.setDefaultSuffix("csv")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda name: self.export_to(Path(name)))
        dialog.open()

    def export_to(self, path: Path) -> None:
        """Write the observations shown (all, or those the search matched) to a CSV file."""
        if self._store is None:
            return
        try:
            observations = self._store.list(self.search.text())
            export_history(observations, path)
        except (IrisFieldError, OSError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            show_problem(
                self,
                self.tr("The CSV file could not be written"),
                self.tr("Nothing was exported to {path}.").format(path=path),
                sentence(reason) + " " + self.tr("Choose another folder and try again."),
            )
            return
        done = self.tr("Exported %n observation(s) to {path}.", "", len(observations))
        self.message.emit(done.format(path=path))

    # ----------------------------------------------------------------- language
    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        """Follow a language or locale switch."""
        if event.type() in (QEvent.Type.LanguageChange, QEvent.Type.LocaleChange):
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        """Set every text in the current language."""
        self._title.setText(self.tr("History"))
        self.search.setPlaceholderText(self.tr("Search species, note, place, observer…"))
        self.search.setAccessibleName(self.tr("Search the history"))
        self.table.setAccessibleName(self.tr("Saved observations, newest first"))
        self.restore_action.setText(self.tr("&Restore measurements"))
        self.restore_action.setToolTip(self.tr("Put this observation's measurements back into the sliders"))
        self.delete_action.setText(self.tr("&Delete…"))
        self.export_action.setText(self.tr("&Export as CSV…"))
        self.confirm_menu.setTitle(self.tr("&Confirm species"))
        self._restore_button.setText(self.tr("Restore"))
        self._restore_button.setToolTip(self.restore_action.toolTip())
        self._confirm_button.setText(self.tr("Confirm species") + " ▾")
        self._confirm_button.setToolTip(self.tr("Record the species you determined for this flower"))
        self._export_button.setText(self.tr("Export CSV…"))
        self._delete_button.setText(self.tr("Delete…"))
        self.model.retranslate(self.locale())
        self._update_empty_text()
