"""The cells of a history export, made a page of rows at a time, column by column.

``history --csv`` of a million observations cannot afford to decode every row into an ``Observation``:
here SQLite hands over each export column as its own value (a measurement or a probability picked out of
its JSON by ``->``, which returns the number's text as stored) and each column of a page is turned into
cells at once, each distinct text converted once. The cells are those ``observation_csv.write_history``
writes from observations, byte for byte (a test compares).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from desktop.model_delivery.release import ShadowPrediction
from desktop.sync.states import Stage
from desktop.tables.spreadsheet_text import guarded

if TYPE_CHECKING:
    from desktop.history.store import ObservationStore

_PROBABILITY_PREFIX = "p_"
# Columns written as stored (texts the store never leaves NULL).
_TEXTS = frozenset(
    {
        "id", "created_at", "updated_at", "observer", "predicted_species", "note", "location",
        "model_name", "model_version", "model_sha256", "sync_state", "sync_error", "model_registry",
    }
)  # fmt: skip
# The run a synced observation became, from its outbox row (NULL unless synced), for the ``sync_run`` column.
SYNC_RUN = "sync_run"
SYNC_RUN_SQL = (
    "(SELECT json_object('run_id', s.run_id, 'tracking_uri', s.tracking_uri, 'experiment_name',"
    " s.experiment_name, 'experiment_id', s.experiment_id, 'pushed_updated_at', s.pushed_updated_at)"
    f" FROM sync_outbox s WHERE s.observation_id = o.id AND s.stage = '{Stage.SYNCED}' AND s.failure = '')"
)
# A measurement or class name that goes into a quoted JSON path inside an SQL string as it is.
_PLAIN_NAME = re.compile(r"[^\"'\\]+")
# ``->`` (which returns a JSON value's text as stored) came with SQLite 3.38.
_ARROW_SINCE = (3, 38, 0)


def column_wise(columns: Sequence[str]) -> bool:
    """Tell whether these export columns can be made column by column (else: one observation at a time)."""
    names = [c for c in columns if c not in _TEXTS and c not in _CONVERTERS]
    return sqlite3.sqlite_version_info >= _ARROW_SINCE and all(_PLAIN_NAME.fullmatch(n) for n in names)


def select_list(columns: Sequence[str]) -> str:
    """Return the SELECT list (of ``observations o``) giving one value per export column."""
    return ", ".join(_expression(c) for c in columns)


def page_cells(rows: list[tuple[Any, ...]], columns: Sequence[str]) -> list[tuple[str, ...]]:
    """Return the CSV cells of a page of rows selected by ``select_list(columns)``."""
    if not rows:
        return []
    values = list(zip(*rows, strict=True))
    cells = [_cells_of(column)(list(values[i])) for i, column in enumerate(columns)]
    return list(zip(*cells, strict=True))


def _expression(column: str) -> str:
    if column == SYNC_RUN:
        return SYNC_RUN_SQL
    if column in _TEXTS or column in _CONVERTERS:
        return f"o.{column}"
    if column.startswith(_PROBABILITY_PREFIX):
        # As the row-by-row export does: a probability if the class has one, else a measurement so named.
        return (
            f"IFNULL({_json_value('o.probabilities', column[2:])}, {_json_value('o.measurements', column)})"
        )
    return _json_value("o.measurements", column)


def _json_value(json_column: str, name: str) -> str:
    return f"{json_column} -> '$.\"{name}\"'"


def _cells_of(column: str) -> Callable[[list[Any]], list[str]]:
    if column in _TEXTS:
        return _guarded_cells
    return _CONVERTERS.get(column, _number_cells)


def _each_distinct(convert: Callable[[Any], str]) -> Callable[[list[Any]], list[str]]:
    """Return a column converter that converts each distinct value once."""

    class Known(dict):
        def __missing__(self, value: Any) -> str:
            cell = self[value] = convert(value)
            return cell

    def cells(values: list[Any]) -> list[str]:
        return list(map(Known().__getitem__, values))  # the loop runs in C; a miss converts

    return cells


def _number(text: str | None) -> str:
    """Return the cell of a number as stored in JSON (absent: blank), as ``repr(float(...))`` writes it."""
    if text is None:
        return ""
    try:
        return repr(float(text))  # a JSON number: what json.loads then float() make of it
    except ValueError:
        return repr(float(json.loads(text)))  # e.g. a number stored as a JSON string


def _optional_float(value: float | None) -> str:
    return "" if value is None else repr(float(value))


def _challenger(text: str | None) -> str:
    """Return the challenger's answer as written from an ``Observation`` (none, or unreadable: blank)."""
    if not text:
        return ""
    try:
        shadow = ShadowPrediction.from_dict(json.loads(text))
    except (ValueError, TypeError, AttributeError):
        return ""
    return json.dumps(shadow.to_dict())


def sync_run_cell(value: str | None) -> str:
    """Return the ``sync_run`` cell of what ``SYNC_RUN_SQL`` selected (blank: not synced)."""
    if not value:
        return ""
    from desktop.tables.history_import import SyncedRun

    return SyncedRun.from_json(value).to_json()


def synced_run_of(store: ObservationStore) -> Callable[[str], str]:
    """Return the function giving the ``sync_run`` cell of an id in ``store`` (blank unless synced)."""

    def cell(id: str) -> str:
        row = store.read_one(f"SELECT {SYNC_RUN_SQL} FROM observations o WHERE o.id = ?", (id,))
        return sync_run_cell(row[0] if row is not None else None)

    return cell


def _guarded_cells(values: list[Any]) -> list[str]:
    """Return text cells as a spreadsheet must show them (as text, never as a formula)."""
    return list(map(guarded, values))


_number_cells = _each_distinct(_number)
_CONVERTERS: dict[str, Callable[[list[Any]], list[str]]] = {
    "confidence": lambda values: [repr(float(v)) for v in values],
    "confirmed_species": lambda values: [guarded(v or "") for v in values],
    "unusual": _each_distinct(lambda text: guarded(";".join(json.loads(text)))),
    "latitude": lambda values: [_optional_float(v) for v in values],
    "longitude": lambda values: [_optional_float(v) for v in values],
    "deleted": lambda values: ["1" if v else "0" for v in values],
    "outlier": lambda values: ["1" if v else "0" for v in values],
    "outlier_score": lambda values: [_optional_float(v) for v in values],
    "model_sequence": lambda values: ["" if v is None else str(v) for v in values],
    "challenger": lambda values: [_challenger(v) for v in values],
    SYNC_RUN: _each_distinct(sync_run_cell),
}
