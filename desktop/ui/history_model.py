"""The saved observations as a table model fetched in pages: words (and symbols) for every state.

The model holds only the rows the view has scrolled to; ``fetchMore`` asks the store for the next page,
so a history of a million observations costs what its first screenful costs.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDateTime,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor

from desktop.errors import IrisFieldError
from desktop.history.observation import Observation
from desktop.history.queries import Cursor, HistoryQuery, SortKey
from desktop.history.store import ObservationStore
from desktop.prediction.model_card import ModelCard
from desktop.ui.i18n import card_word, format_number, format_percent, species_name
from desktop.ui.problem_words import problem_text
from desktop.ui.species_icons import species_icon
from desktop.ui.sync_words import row_failure_text

TIME, SPECIES, CONFIDENCE, CHECKED, NOTE, SYNC = range(6)
COLUMN_COUNT = 6
# Symbols first, words after: the word carries the meaning, the symbol and colour help the eye.
SYNC_SYMBOLS = {"pending": "●", "syncing": "↻", "synced": "✓", "failed": "✕"}
SYNC_COLOURS = {"synced": QColor("#1b5e20"), "failed": QColor("#b71c1c")}
# The columns a header click sorts by; the others keep the current order.
SORT_KEYS = {TIME: SortKey.SAVED, SPECIES: SortKey.SPECIES, SYNC: SortKey.SYNC}
# Rows read at a time: a few screenfuls. A refresh reads again at most KEEP_AT_MOST of those scrolled to.
PAGE_SIZE = 100
KEEP_AT_MOST = 1000

Index = QModelIndex | QPersistentModelIndex


def local_time(created_at: str, locale: QLocale) -> str:
    """Return a stored UTC time as local date and time in the locale's short format.

    A stored text that is no time (damage a salvage kept: minute 60, a year beyond 9999) is shown as it
    is: the row stays in sight, and nothing is raised inside Qt's painting (which ended the process).
    """
    try:
        moment = datetime.fromisoformat(created_at)
        local = QDateTime.fromMSecsSinceEpoch(round(moment.timestamp() * 1000))
    except (ValueError, OverflowError, OSError):
        return created_at
    return locale.toString(local, QLocale.FormatType.ShortFormat)


class HistoryTableModel(QAbstractTableModel):
    """The rows of a ``HistoryQuery`` read page by page from the store, display texts worked out once."""

    problem = Signal(str)  # the store could not be read while fetching more rows

    def __init__(self, card: ModelCard | None, store: ObservationStore | None, parent: QObject | None = None):
        """Read from ``store`` (none: always empty); ``card`` labels the measurements in tooltips."""
        super().__init__(parent)
        self._labels = {f.name: f.label for f in card.features} if card is not None else {}
        self._units = {f.name: f.unit for f in card.features} if card is not None else {}
        self._store = store
        self.query = HistoryQuery()
        self._cursor: Cursor | None = None
        self._rows: list[Observation] = []
        self._texts: dict[int, tuple[str, ...]] = {}  # worked out when a row is first shown
        self.locale = QLocale()

    def reload(self, query: HistoryQuery | None = None, keep: int = PAGE_SIZE) -> None:
        """Read ``query`` (default: the current one) from its start, at least ``keep`` rows if there are.

        Raises ``StoreError`` if the store cannot be read; the model is then empty.
        """
        self.beginResetModel()
        self.query = self.query if query is None else query
        self._rows, self._texts, self._cursor = [], {}, None
        try:
            if self._store is not None:
                self._append_page(keep)
                while self._cursor is not None and len(self._rows) < keep:
                    self._append_page(PAGE_SIZE)
        except IrisFieldError:
            self._rows, self._texts, self._cursor = [], {}, None
            raise
        finally:
            self.endResetModel()

    def _append_page(self, size: int) -> int:
        """Read the next page into the rows; return how many rows it held."""
        assert self._store is not None
        observations, self._cursor = self._store.page(self.query, self._cursor, size)
        self._rows.extend(observations)
        return len(observations)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: N802, B008 (Qt's API)
        """Tell the view whether scrolling further can show more rows."""
        return not parent.isValid() and self._cursor is not None

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: N802, B008 (Qt's API)
        """Read the next page when the view scrolls to the end of what it has."""
        if not self.canFetchMore(parent):
            return
        first = len(self._rows)
        try:
            observations, cursor = self._store.page(self.query, self._cursor, PAGE_SIZE)  # type: ignore[union-attr]
        except IrisFieldError as exc:
            self._cursor = None
            self.problem.emit(problem_text(exc))
            return
        if not observations:
            self._cursor = None
            return
        self.beginInsertRows(QModelIndex(), first, first + len(observations) - 1)
        self._rows.extend(observations)
        self._cursor = cursor
        self.endInsertRows()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Order by time, species or sync state (other columns keep the order); raises ``StoreError``."""
        key = SORT_KEYS.get(column)
        if key is None:
            return
        descending = order == Qt.SortOrder.DescendingOrder
        self.reload(
            replace(self.query, sort=key, descending=descending), keep=min(len(self._rows), KEEP_AT_MOST)
        )

    def retranslate(self, locale: QLocale) -> None:
        """Redo every text for a new language or number format."""
        self.locale = locale
        self.beginResetModel()
        self._texts.clear()
        self.endResetModel()
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, COLUMN_COUNT - 1)

    def observation(self, row: int) -> Observation:
        """Return the observation shown in ``row``."""
        return self._rows[row]

    def row_of(self, observation_id: str) -> int | None:
        """Return the row that shows an observation, if it is loaded."""
        return next((i for i, o in enumerate(self._rows) if o.id == observation_id), None)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 (Qt's API)
        """Return the number of observations (a table has no children)."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 (Qt's API)
        """Return the number of columns."""
        return 0 if parent.isValid() else COLUMN_COUNT

    def headerData(  # noqa: N802 (Qt's API)
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Return the column titles."""
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        titles = (
            self.tr("Time"),
            self.tr("Species"),
            self.tr("Confidence"),
            self.tr("Checked"),
            self.tr("Note / place"),
            self.tr("Sync"),
        )
        return titles[section]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Return the text, icon, tooltip, colour or alignment of one cell."""
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            texts = self._texts.get(row)
            if texts is None:
                texts = self._texts[row] = self._row_texts(self._rows[row])
            return texts[column]
        observation = self._rows[row]
        if role == Qt.ItemDataRole.DecorationRole and column == SPECIES:
            return species_icon(observation.species)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(observation)
        if role == Qt.ItemDataRole.ForegroundRole and column == SYNC:
            colour = SYNC_COLOURS.get(observation.sync_state)
            return QBrush(colour) if colour is not None else None
        if role == Qt.ItemDataRole.TextAlignmentRole and column == CONFIDENCE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _row_texts(self, obs: Observation) -> tuple[str, ...]:
        return (
            local_time(obs.created_at, self.locale),
            obs.species,
            self._confidence_text(obs),
            self._checked_text(obs),
            " · ".join(part for part in (obs.note, self._place(obs)) if part),
            f"{SYNC_SYMBOLS.get(obs.sync_state, '?')} {self.sync_word(obs.sync_state)}",
        )

    def sync_word(self, state: str) -> str:
        """Return the word for a sync state."""
        words = {
            "pending": self.tr("pending"),
            "syncing": self.tr("syncing"),
            "synced": self.tr("synced"),
            "failed": self.tr("failed"),
        }
        return words.get(state, state)

    def _confidence_text(self, obs: Observation) -> str:
        """Return the model's confidence; beside a corrected species, it names what the model said.

        A flower unlike any the model was trained on gets no percentage: its confidence means little.
        """
        percent = (
            self.tr("unlike any training flower")
            if obs.outlier
            else format_percent(obs.confidence, self.locale)
        )
        if obs.confirmed_species is None or obs.confirmed_species == obs.predicted_species:
            return percent
        return self.tr("model: {species} {percent}").format(species=obs.predicted_species, percent=percent)

    def _checked_text(self, obs: Observation) -> str:
        if obs.confirmed_species is None:
            return "–"
        if obs.confirmed_species == obs.predicted_species:
            return "✓ " + self.tr("confirmed")
        return "✎ " + self.tr("corrected")

    def _place(self, obs: Observation) -> str:
        if obs.latitude is not None and obs.longitude is not None:
            # "g": as many digits as were typed (48.137), not padded zeros; ";" also works with 48,137.
            return (
                f"{self.locale.toString(obs.latitude, 'g', 9)}; {self.locale.toString(obs.longitude, 'g', 9)}"
            )
        return obs.location

    def _tooltip(self, obs: Observation) -> str:
        measured = ", ".join(
            f"{self._label(name)} {format_number(value, self.locale)} {self._units.get(name, 'cm')}"
            for name, value in obs.measurements.items()
        )
        lines = [
            f"{species_name(obs.species)} — {local_time(obs.created_at, self.locale)}",
            measured,
            self._model_said(obs),
        ]
        if obs.unusual:
            names = ", ".join(self._label(n) for n in obs.unusual)
            lines.append("⚠ " + self.tr("Outside the training range: {names}").format(names=names))
        if obs.observer:
            lines.append(self.tr("Observer: {name}").format(name=obs.observer))
        if obs.note:
            lines.append(self.tr("Note: {note}").format(note=obs.note))
        if self._place(obs):
            lines.append(self.tr("Location: {place}").format(place=self._place(obs)))
        if obs.sync_error:
            lines.append(self.tr("Sync problem: {error}").format(error=row_failure_text(obs.sync_error)))
        return "\n".join(lines)

    def _model_said(self, obs: Observation) -> str:
        """Return what the model said, without a percentage for a flower unlike any it was trained on."""
        if obs.outlier:
            return "⚠ " + self.tr(
                "Unlike any flower the model was trained on: its best guess was {species}, but no percentage "
                "can be trusted (model {name} v{version})"
            ).format(
                species=species_name(obs.predicted_species), name=obs.model_name, version=obs.model_version
            )
        return self.tr("Model said {species} ({percent}), model {name} v{version}").format(
            species=species_name(obs.predicted_species),
            percent=format_percent(obs.confidence, self.locale),
            name=obs.model_name,
            version=obs.model_version,
        )

    def _label(self, name: str) -> str:
        return card_word(self._labels.get(name, name))
