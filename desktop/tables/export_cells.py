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
from typing import Any

from contract import observation as fields
from desktop import observation_extras as extras
from desktop.model_delivery.release import ShadowPrediction
from desktop.sync.row_failure import failure_english
from desktop.sync.states import Stage
from desktop.tables.spreadsheet_text import guarded


def csv_header(field: fields.ObservationField) -> str:
    """Return the history export's column of a field the export carries (the contract names it)."""
    if field.csv_header is None:
        raise ValueError(f"the history export carries no {field.name}")
    return field.csv_header


# The export's columns are the history's own columns (``o.<column>``) but for the measurements, the
# probabilities and the extras, which SQLite picks out of their JSON objects.
PROBABILITY_PREFIX = csv_header(fields.PROBABILITY).format("")
# The history's own columns an export carries besides the contract's fields.
UPDATED_AT, SYNC_STATE, SYNC_ERROR, DELETED = "updated_at", "sync_state", "sync_error", "deleted"
CHALLENGER = "challenger"  # the challenger's shadow answer, as JSON
# Columns written as stored (texts the store never leaves NULL).
_TEXT_FIELDS = (
    fields.OBSERVATION_ID,
    fields.OBSERVED_AT,
    fields.OBSERVER,
    fields.PREDICTED_SPECIES,
    fields.NOTE,
    fields.LOCATION,
    fields.MODEL_NAME,
    fields.MODEL_VERSION,
    fields.MODEL_SHA256,
    fields.MODEL_REGISTRY,
)
_TEXTS = frozenset({*map(csv_header, _TEXT_FIELDS), UPDATED_AT, SYNC_STATE})
# Kinds of extras written as they are (numbers, 0/1 flags); the others are texts, guarded.
UNGUARDED_KINDS = frozenset({fields.ValueKind.NUMBER, fields.ValueKind.FLAG})
# How far an observation got on its way to the server, from its outbox row (NULL while it is pending and
# nothing failed): stage, failure and the run it became, for the ``sync_run`` column.
SYNC_RUN = "sync_run"
SYNC_RUN_SQL = (
    "(SELECT json_object('run_id', s.run_id, 'tracking_uri', s.tracking_uri, 'experiment_name',"
    " s.experiment_name, 'experiment_id', s.experiment_id, 'pushed_updated_at', s.pushed_updated_at,"
    " 'stage', s.stage, 'failure', s.failure, 'failure_kind', s.failure_kind)"
    f" FROM sync_outbox s WHERE s.observation_id = o.id"
    f" AND (s.stage != '{Stage.PENDING}' OR s.failure != ''))"
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
    if column in extras.CSV_COLUMNS:
        return _json_value("o.extras", extras.CSV_COLUMNS[column].name)
    if column in _TEXTS or column in _CONVERTERS:
        return f"o.{column}"
    if column.startswith(PROBABILITY_PREFIX):
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
    if column in extras.CSV_COLUMNS:
        return _extra_cells(extras.CSV_COLUMNS[column])
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
    """Return the ``sync_run`` cell of what ``SYNC_RUN_SQL`` selected (blank: pending, nothing failed)."""
    if not value:
        return ""
    from desktop.tables.history_import import SyncedRun

    return SyncedRun.from_json(value).to_json()


def _extra_cells(field: fields.ObservationField) -> Callable[[list[Any]], list[str]]:
    """Return the converter of an extra's column: the JSON value SQLite picked out, as exported."""
    guard = (lambda cell: cell) if field.kind in UNGUARDED_KINDS else guarded

    def cell(text: str | None) -> str:
        return guard(extras.csv_cell(field, None if text is None else json.loads(text)))

    return _each_distinct(cell)


def _guarded_cells(values: list[Any]) -> list[str]:
    """Return text cells as a spreadsheet must show them (as text, never as a formula)."""
    return list(map(guarded, values))


_number_cells = _each_distinct(_number)
_CONVERTERS: dict[str, Callable[[list[Any]], list[str]]] = {
    csv_header(fields.CONFIDENCE): lambda values: [repr(float(v)) for v in values],
    csv_header(fields.CONFIRMED_SPECIES): lambda values: [guarded(v or "") for v in values],
    csv_header(fields.UNUSUAL): _each_distinct(lambda text: guarded(";".join(json.loads(text)))),
    csv_header(fields.LATITUDE): lambda values: [_optional_float(v) for v in values],
    csv_header(fields.LONGITUDE): lambda values: [_optional_float(v) for v in values],
    DELETED: lambda values: ["1" if v else "0" for v in values],
    csv_header(fields.OUTLIER): lambda values: ["1" if v else "0" for v in values],
    csv_header(fields.OUTLIER_SCORE): lambda values: [_optional_float(v) for v in values],
    csv_header(fields.MODEL_SEQUENCE): lambda values: ["" if v is None else str(v) for v in values],
    CHALLENGER: lambda values: [_challenger(v) for v in values],
    SYNC_RUN: _each_distinct(sync_run_cell),
    SYNC_ERROR: _each_distinct(lambda stored: guarded(failure_english(stored))),  # the kind, in English
}
