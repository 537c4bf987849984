"""The history pane: saved observations, search and filters, confirm or correct, restore, delete, export.

Rows come from the store a page at a time (``HistoryTableModel``); counts come from a background thread
(``HistoryCounter``), so neither a long history nor a broad search ever freezes the window.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QEvent, QItemSelectionModel, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import IrisFieldError
from desktop.history_query import HistoryQuery, SortKey
from desktop.prediction.model_card import ModelCard
from desktop.store import SYNC_STATES, Observation, ObservationStore
from desktop.ui import history_model as columns
from desktop.ui.button_row import ReflowingButtons
from desktop.ui.dialogs import ask_to_confirm, show_problem
from desktop.ui.first_frame import FirstFrame
from desktop.ui.history_counter import HistoryCounter, HistoryCounts
from desktop.ui.history_export import HistoryExport
from desktop.ui.history_model import (
    KEEP_AT_MOST,
    PAGE_SIZE,
    SORT_KEYS,
    SYNC_SYMBOLS,
    HistoryTableModel,
    local_time,
)
from desktop.ui.i18n import sentence, species_name
from desktop.ui.problem_words import problem_text
from desktop.ui.recently_deleted_dialog import RecentlyDeletedDialog
from desktop.ui.species_icons import species_icon

BUTTON_HEIGHT = 36
SEARCH_MIN_WIDTH = 150
# What a narrow pane must still show in full: when, what, and whether it reached the lab.
NEEDED_COLUMNS = (columns.TIME, columns.SPECIES, columns.SYNC)
# The periods the history can be narrowed to, in days back (0: since midnight today).
PERIOD_DAYS = (None, 0, 7, 30, 365)
# A count that answers within this time shows no busy indicator (no flicker on every keystroke).
BUSY_AFTER_MS = 300
# Until the table is first drawn no row is "on screen", and Qt would size the columns from every row
# loaded: the first rows, a screenful, stand in for them.
ROWS_SIZED_BEFORE_SHOWN = 20


def _since(days: int | None) -> str | None:
    """Return the first moment (UTC, ISO) of the last ``days`` days, counted from local midnight."""
    if days is None:
        return None
    midnight = datetime.now().astimezone().replace(hour=0, minute=0, second=0, microsecond=0)
    return (midnight - timedelta(days=days)).astimezone(UTC).isoformat(timespec="microseconds")


class HistoryPanel(QWidget):
    """Lists the store's observations and edits them through the store; never holds data of its own."""

    restore_requested = Signal(object)  # the Observation whose measurements go back into the sliders
    changed = Signal()  # an observation was confirmed, corrected or deleted
    message = Signal(str)  # a short line for the status bar
    counted = Signal(object)  # HistoryCounts: what the pane lists and every sync state, once counted

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
        self._card = card
        self._unavailable = unavailable
        # Counting starts once the pane has drawn its first frame: a long history opens as fast as an
        # empty one, its counts follow a moment later.
        self.first_frame = FirstFrame(self)
        self.first_frame.drawn.connect(self._after_first_frame)
        self._build_workers(store, card)
        self._build_top_row()
        self._build_filters(card)
        self._build_count()
        self._build_table()
        self._build_actions(store)
        self._build_buttons()
        self._build_layout()
        self.retranslate()
        self.refresh()

    def _build_workers(self, store: ObservationStore | None, card: ModelCard | None) -> None:
        """Create the table's model and the background counter and exporter (none without a store)."""
        self.model = HistoryTableModel(card, store, self)
        self.model.problem.connect(self._show_read_problem)
        self.counter = HistoryCounter(store.path, self) if store is not None else None
        self.exporter = HistoryExport(store.path, self) if store is not None else None
        self._exporting = False
        if self.exporter is not None:
            self.exporter.finished.connect(self._exported)
            self.exporter.failed.connect(self._export_failed)
        if self.counter is not None:
            self.counter.counted.connect(self._show_counts)
            self.counter.busy_changed.connect(self._follow_busy)

    def _build_top_row(self) -> None:
        """Create the title and the search field."""
        self._title = QLabel(self)
        font = self._title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self._title.setFont(font)
        self.search = QLineEdit(self)
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumHeight(32)
        self.search.setMinimumWidth(SEARCH_MIN_WIDTH)
        self.search.textChanged.connect(self._requery)

    def _build_filters(self, card: ModelCard | None) -> None:
        """Create the species, sync state and period filters; their texts come in ``retranslate``."""
        self.species_filter = QComboBox(self)
        self.species_filter.addItem("", None)
        for species in card.classes if card is not None else ():
            self.species_filter.addItem(species_icon(species), species_name(species), species)
        self.species_filter.currentIndexChanged.connect(self._requery)
        self.sync_filter = QComboBox(self)
        self.sync_filter.addItem("", None)
        for state in SYNC_STATES:
            self.sync_filter.addItem("", state)
        self.sync_filter.currentIndexChanged.connect(self._requery)
        self.period_filter = QComboBox(self)
        for days in PERIOD_DAYS:
            self.period_filter.addItem("", days)
        self.period_filter.currentIndexChanged.connect(self._requery)

    def _build_count(self) -> None:
        """Create the count of what the pane lists and the bar that moves while counting takes long."""
        self.count_label = QLabel(self)
        self.busy = QProgressBar(self)
        self.busy.setRange(0, 0)  # no end known: the bar just moves
        self.busy.setMaximumWidth(80)
        self.busy.setTextVisible(False)
        self.busy.hide()
        self._busy_timer = QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.setInterval(BUSY_AFTER_MS)
        self._busy_timer.timeout.connect(self.busy.show)

    def _build_table(self) -> None:
        """Create the table of observations and the page shown instead of it while it is empty."""
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        # Tab leaves the table for the buttons below (arrow keys move between rows).
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(30)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # Widths from the rows on screen only (0, from the first frame on): measuring every loaded row
        # would cost each refresh dearly.
        header.setResizeContentsPrecision(ROWS_SIZED_BEFORE_SHOWN)
        header.setSectionResizeMode(columns.NOTE, QHeaderView.ResizeMode.Stretch)
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(columns.TIME, Qt.SortOrder.DescendingOrder)
        header.sortIndicatorChanged.connect(self._sort)
        # What a narrow pane must still show comes first: when, what, and whether it reached the lab.
        header.moveSection(header.visualIndex(columns.SYNC), header.visualIndex(columns.CONFIDENCE))
        self.table.doubleClicked.connect(lambda _index: self.restore_action.trigger())
        self.table.selectionModel().selectionChanged.connect(self._follow_selection)

        self.empty = QLabel(self)
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setMargin(24)
        self._pages = QStackedWidget(self)
        self._pages.addWidget(self.table)
        self._pages.addWidget(self.empty)

    def _build_actions(self, store: ObservationStore | None) -> None:
        """Create the actions on the selected observation: restore, delete, undo, confirm, export."""
        self.restore_action = QAction(self)
        self.restore_action.triggered.connect(self._restore)
        self.delete_action = QAction(self)
        self.delete_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        # Only while the history has focus: Delete in a text field must still delete text.
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.delete_action.triggered.connect(self._ask_to_delete)
        self.addAction(self.delete_action)
        # Ctrl+Z brings back what this window deleted, the last first; "Recently deleted" lists any.
        self._deleted_here: list[str] = []
        self.undo_delete_action = QAction(self)
        self.undo_delete_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Undo))
        self.undo_delete_action.triggered.connect(self.undo_delete)
        self.undo_delete_action.setEnabled(False)
        self.recently_deleted_action = QAction(self)
        self.recently_deleted_action.triggered.connect(self.show_recently_deleted)
        self.recently_deleted_action.setEnabled(store is not None)
        self.recently_deleted: RecentlyDeletedDialog | None = None  # the view, while it is open
        self.export_action = QAction(self)
        self.export_action.triggered.connect(self._ask_where_to_export)
        self.confirm_menu = QMenu(self)
        self.confirm_menu.aboutToShow.connect(self._fill_confirm_menu)

    def _build_buttons(self) -> None:
        """Create the buttons below the table, each triggering its action."""
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

    def _build_layout(self) -> None:
        """Lay out the top row, the filters, the table and the buttons in one column."""
        top = QHBoxLayout()
        top.addWidget(self._title)
        top.addWidget(self.search, 1)
        top.addWidget(self.busy)
        top.addWidget(self.count_label)  # the search field gives way to a long count, never the count
        self.filters = ReflowingButtons([self.species_filter, self.sync_filter], [self.period_filter], self)
        # Two rows rather than cut words when the pane is narrow (800×600, German).
        self.buttons = ReflowingButtons(
            [self._restore_button, self._confirm_button], [self._export_button, self._delete_button], self
        )
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.filters)
        layout.addWidget(self._pages, 1)
        layout.addWidget(self.buttons)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        """Never narrower than the time, species and sync columns: the splitter may not hide them."""
        hint = super().minimumSizeHint()
        header = self.table.horizontalHeader()
        needed = sum(header.sectionSize(c) for c in NEEDED_COLUMNS)
        frame = 2 * self.table.frameWidth() + self.table.verticalScrollBar().sizeHint().width()
        margins = self.layout().contentsMargins()
        return QSize(max(hint.width(), needed + frame + margins.left() + margins.right()), hint.height())

    # ----------------------------------------------------------------- showing
    def query(self) -> HistoryQuery:
        """Return what the pane lists: the search words, the filters and the header's sort order."""
        header = self.table.horizontalHeader()
        return HistoryQuery(
            text=self.search.text(),
            species=self.species_filter.currentData(),
            sync_state=self.sync_filter.currentData(),
            since=_since(self.period_filter.currentData()),
            sort=SORT_KEYS.get(header.sortIndicatorSection(), SortKey.SAVED),
            descending=header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder,
        )

    def _requery(self) -> None:
        """Show another part of the history (search, filter, order): the counts by sync state stand."""
        self.refresh(data_changed=False)

    def refresh(self, *, data_changed: bool = True) -> None:
        """Reload from the store (after a save, an edit, a sync), keeping the loaded rows and selection."""
        selected = self.selected()
        scrolled = self.table.verticalScrollBar().value()
        try:
            self.model.reload(self.query(), keep=min(max(PAGE_SIZE, self.model.rowCount()), KEEP_AT_MOST))
        except IrisFieldError as exc:
            self._show_read_problem(problem_text(exc))
        self._show_rows()
        if selected is not None:
            self.select(selected.id, scroll=False)
        self.table.verticalScrollBar().setValue(scrolled)
        self.recount(data_changed=data_changed)

    def recount(self, *, data_changed: bool = True) -> None:
        """Count again in the background: the pane's matches and (if the data changed) the sync states.

        Before the pane's first frame nothing is counted: the first count follows that frame.
        """
        if self.counter is not None and self.first_frame.is_drawn:
            self.counter.request(self.query(), data_changed=data_changed)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        """Draw the pane; the first time, start what waits for the first frame."""
        super().paintEvent(event)
        self.first_frame.painted()

    def _after_first_frame(self) -> None:
        self.table.horizontalHeader().setResizeContentsPrecision(0)
        self.recount()

    def _sort(self, column: int, order: Qt.SortOrder) -> None:
        if column not in SORT_KEYS:
            # Notes, confidence and "checked" are not sorted (no index keeps them in order): keep the order.
            current = self.model.query
            section = next(c for c, key in SORT_KEYS.items() if key == current.sort)
            previous = Qt.SortOrder.DescendingOrder if current.descending else Qt.SortOrder.AscendingOrder
            header = self.table.horizontalHeader()
            header.blockSignals(True)
            header.setSortIndicator(section, previous)
            header.blockSignals(False)
            header.viewport().update()
            return
        self._requery()

    def _show_read_problem(self, reason: str) -> None:
        show_problem(self, self.tr("The history cannot be read"), sentence(reason))

    def _show_counts(self, counts: HistoryCounts) -> None:
        query = self.model.query
        number = self.locale().toString(counts.listed)
        if query.text.strip() or any(v is not None for v in (query.species, query.sync_state, query.since)):
            self.count_label.setText(self.tr("Matches: {count}").format(count=number))
        else:
            self.count_label.setText(self.tr("Observations: {count}").format(count=number))
        self.counted.emit(counts)

    def _follow_busy(self, busy: bool) -> None:
        if busy:
            self._busy_timer.start()
        else:
            self._busy_timer.stop()
            self.busy.hide()

    def _show_rows(self) -> None:
        self._pages.setCurrentWidget(self.table if self.model.rowCount() else self.empty)
        self._update_empty_text()
        self._follow_selection()

    def _update_empty_text(self) -> None:
        if self._store is None:
            text = self._unavailable
        elif self.search.text().strip():
            text = self.tr("No saved observation matches “{text}”.").format(text=self.search.text().strip())
        elif any(
            f.currentData() is not None for f in (self.species_filter, self.sync_filter, self.period_filter)
        ):
            text = self.tr("No saved observation matches the chosen species, sync state and time.")
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

    def select(self, observation_id: str, *, scroll: bool = True) -> None:
        """Select the row of an observation if it is loaded (and scroll to it unless told not to)."""
        row = self.model.row_of(observation_id)
        if row is None:
            return
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.table.selectionModel().select(self.model.index(row, 0), flags)
        if scroll:
            self.table.scrollTo(self.model.index(row, 0))

    def _follow_selection(self) -> None:
        chosen = self.selected() is not None
        self.restore_action.setEnabled(chosen and self._can_restore)
        self._restore_button.setEnabled(chosen and self._can_restore)
        self.delete_action.setEnabled(chosen)
        self._delete_button.setEnabled(chosen)
        self.confirm_menu.setEnabled(chosen)
        self._confirm_button.setEnabled(chosen)
        can_export = self.model.rowCount() > 0 and not self._exporting
        self.export_action.setEnabled(can_export)
        self._export_button.setEnabled(can_export)

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
            show_problem(self, self.tr("The species could not be recorded"), problem_text(exc))
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
            show_problem(self, self.tr("The observation could not be deleted"), problem_text(exc))
            return
        self._deleted_here.append(observation_id)
        self.undo_delete_action.setEnabled(True)
        self.message.emit(self.tr("Deleted. Ctrl+Z brings it back."))
        self.refresh()
        self._reload_recently_deleted()
        self.changed.emit()

    def undo_delete(self) -> None:
        """Bring back the observation this window deleted last."""
        if self._deleted_here:
            self.undelete(self._deleted_here.pop())
        self.undo_delete_action.setEnabled(bool(self._deleted_here))

    def undelete(self, observation_id: str) -> None:
        """Bring a deleted observation back into the history and select it."""
        if self._store is None:
            return
        try:
            self._store.undelete(observation_id)
        except IrisFieldError as exc:
            show_problem(self, self.tr("The observation could not be brought back"), problem_text(exc))
            return
        if observation_id in self._deleted_here:
            self._deleted_here.remove(observation_id)
        self.undo_delete_action.setEnabled(bool(self._deleted_here))
        self.refresh()
        self.select(observation_id)
        self._reload_recently_deleted()
        self.changed.emit()

    def _reload_recently_deleted(self) -> None:
        if self.recently_deleted is not None:
            self.recently_deleted.reload()

    def show_recently_deleted(self) -> RecentlyDeletedDialog | None:
        """Open the "Recently deleted" view (non-blocking; one at a time) and return it."""
        if self._store is None:
            return None
        if self.recently_deleted is None:
            self.recently_deleted = RecentlyDeletedDialog(self._store, self._card, self)
            self.recently_deleted.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.recently_deleted.restored.connect(self._restored)
            self.recently_deleted.destroyed.connect(lambda: setattr(self, "recently_deleted", None))
        else:
            self.recently_deleted.reload()
        self.recently_deleted.show()
        self.recently_deleted.activateWindow()
        return self.recently_deleted

    def _restored(self, ids: list[str]) -> None:
        """Show the observations the view brought back, the first of them selected."""
        self._deleted_here = [i for i in self._deleted_here if i not in ids]
        self.undo_delete_action.setEnabled(bool(self._deleted_here))
        self.refresh()
        self.select(ids[0])
        self.message.emit(self.tr("Brought %n observation(s) back into the history.", "", len(ids)))
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
        """Write the observations shown (all, or those search and filters kept) to a CSV file.

        The export runs in the background with the busy bar showing; a line in the status bar (or a
        dialog, if it failed) says how it went.
        """
        if self.exporter is None:
            return
        self._exporting = True
        self._follow_selection()
        self._follow_busy(True)
        self.exporter.start(self.query(), path)

    def _exported(self, path: Path, count: int) -> None:
        self._export_done()
        done = self.tr("Exported %n observation(s) to {path}.", "", count)
        self.message.emit(done.format(path=path))

    def _export_failed(self, path: Path, reason: str) -> None:
        self._export_done()
        show_problem(
            self,
            self.tr("The CSV file could not be written"),
            self.tr("Nothing was exported to {path}.").format(path=path),
            sentence(reason) + " " + self.tr("Choose another folder and try again."),
        )

    def _export_done(self) -> None:
        self._exporting = False
        self._follow_busy(self.counter is not None and self.counter.busy())
        self._follow_selection()

    # ----------------------------------------------------------------- language
    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        """Follow a language or locale switch."""
        if event.type() in (QEvent.Type.LanguageChange, QEvent.Type.LocaleChange):
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        """Set every text in the current language."""
        self._retranslate_actions_and_buttons()
        self._retranslate_filters()
        self.busy.setAccessibleName(self.tr("Counting observations"))
        self.model.retranslate(self.locale())
        if self.counter is not None and self.counter.last is not None:
            self._show_counts(self.counter.last)
        self._update_empty_text()

    def _retranslate_actions_and_buttons(self) -> None:
        """Set the texts of the title, search field, table, actions and buttons."""
        self._title.setText(self.tr("History"))
        self.search.setPlaceholderText(self.tr("Search species, note, place, observer…"))
        self.search.setAccessibleName(self.tr("Search the history"))
        self.table.setAccessibleName(self.tr("Saved observations, newest first"))
        self.restore_action.setText(self.tr("&Restore measurements"))
        self.restore_action.setToolTip(self.tr("Put this observation's measurements back into the sliders"))
        self.delete_action.setText(self.tr("&Delete…"))
        self.undo_delete_action.setText(self.tr("&Undo delete"))
        self.recently_deleted_action.setText(self.tr("Recentl&y deleted…"))
        self.recently_deleted_action.setToolTip(
            self.tr("List the observations deleted lately and bring any of them back")
        )
        self.export_action.setText(self.tr("&Export as CSV…"))
        self.confirm_menu.setTitle(self.tr("&Confirm species"))
        self._restore_button.setText(self.tr("Restore"))
        self._restore_button.setToolTip(self.restore_action.toolTip())
        self._confirm_button.setText(self.tr("Confirm species") + " ▾")
        self._confirm_button.setToolTip(self.tr("Record the species you determined for this flower"))
        self._export_button.setText(self.tr("Export CSV…"))
        self._delete_button.setText(self.tr("Delete…"))
        described = (
            (self._restore_button, self.tr("Restore measurements"), self._restore_button.toolTip()),
            (self._confirm_button, self.tr("Confirm species"), self._confirm_button.toolTip()),
            (
                self._export_button,
                self.tr("Export as CSV"),
                self.tr("Write the observations shown, all or those found, to a CSV file"),
            ),
            (
                self._delete_button,
                self.tr("Delete observation"),
                self.tr("Remove the selected observation from this history"),
            ),
        )
        for button, name, description in described:
            button.setAccessibleName(name)
            button.setAccessibleDescription(description)
        self.search.setAccessibleDescription(
            self.tr("Shows only observations whose words contain all of these")
        )
        self.table.setAccessibleDescription(
            self.tr("Arrow keys choose an observation; Tab moves on to the buttons below")
        )

    def _retranslate_filters(self) -> None:
        """Set the texts of the species, sync state and period filters."""
        self.species_filter.setItemText(0, self.tr("All species"))
        self.species_filter.setAccessibleName(self.tr("Show species"))
        self.sync_filter.setItemText(0, self.tr("Any sync state"))
        for index in range(1, self.sync_filter.count()):
            state = self.sync_filter.itemData(index)
            self.sync_filter.setItemText(index, f"{SYNC_SYMBOLS[state]} {self.model.sync_word(state)}")
        self.sync_filter.setAccessibleName(self.tr("Show sync state"))
        periods = (
            self.tr("Any time"),
            self.tr("Today"),
            self.tr("Last 7 days"),
            self.tr("Last 30 days"),
            self.tr("Last 12 months"),
        )
        for index, text in enumerate(periods):
            self.period_filter.setItemText(index, text)
        self.period_filter.setAccessibleName(self.tr("Show observations measured"))
