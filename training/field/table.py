"""The one table of field observations: built from fetched runs, merged with the last snapshot, on disk."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from training.field import schema as fs
from training.field.runs import FieldFetch

PARQUET_FILE = "observations.parquet"
CSV_FILE = "observations.csv"


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def from_rows(rows: tuple[dict, ...] | list[dict]) -> pd.DataFrame:
    """Return rows as a table with every column, in schema order and with fixed types."""
    table = pd.DataFrame(list(rows), columns=list(fs.COLUMNS))
    for column in fs.TEXT_COLUMNS:
        table[column] = [_text(v) for v in table[column]]
    for column in fs.NUMBER_COLUMNS:
        table[column] = pd.to_numeric(table[column], errors="coerce").astype("float64")
    table[fs.SYNCED_AT] = pd.to_numeric(table[fs.SYNCED_AT], errors="coerce").fillna(0).astype("int64")
    return table


def merge(previous: pd.DataFrame | None, fetched: FieldFetch) -> pd.DataFrame:
    """Return the previous snapshot updated by ``fetched``: one row per observation, deleted runs gone.

    When two active runs carry one observation (a duplicate the sync has not reconciled yet), the one sent
    last wins, then the smaller run id, so the table never holds an observation twice.
    """
    new = from_rows(fetched.rows)
    parts = [new] if previous is None or previous.empty else [new, from_rows(previous.to_dict("records"))]
    table = pd.concat(parts, ignore_index=True)  # fetched rows first: they win over their older copies
    table = table[~table[fs.RUN_ID].isin(fetched.deleted_run_ids)]
    table = table.drop_duplicates(subset=[fs.RUN_ID], keep="first")
    table = table.sort_values([fs.SYNCED_AT, fs.RUN_ID], ascending=[False, True], kind="stable")
    table = table.drop_duplicates(subset=[fs.ID], keep="first")
    return table.sort_values([fs.OBSERVED_AT, fs.ID], kind="stable").reset_index(drop=True)


# In Parquet the columns carry real types: UTC timestamps, booleans, numbers, and nulls for what is missing.
TIMESTAMP_COLUMNS = fs.TIME_COLUMNS
BOOLEAN_COLUMNS = fs.FLAG_COLUMNS
_TRUE, _FALSE = "true", "false"


def typed(table: pd.DataFrame) -> pd.DataFrame:
    """Return the table with Parquet's types: timestamps, nullable booleans, numbers, text or null."""
    result = table.copy()
    for column in fs.TEXT_COLUMNS:
        if column in TIMESTAMP_COLUMNS:
            result[column] = pd.to_datetime(result[column].replace("", None), utc=True, format="ISO8601")
        elif column in BOOLEAN_COLUMNS:
            result[column] = result[column].map({_TRUE: True, _FALSE: False}).astype("boolean")
        else:
            result[column] = result[column].replace("", None).astype("string")
    return result


def untyped(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a typed table (as read from Parquet) in the in-memory form: ISO text, "true"/"false", ""."""
    result = frame.copy()
    for column in TIMESTAMP_COLUMNS:
        if column in result and pd.api.types.is_datetime64_any_dtype(result[column]):
            moments = pd.to_datetime(result[column], utc=True)
            result[column] = [m.isoformat(timespec="seconds") if not pd.isna(m) else "" for m in moments]
    for column in BOOLEAN_COLUMNS:
        if column in result and not pd.api.types.is_object_dtype(result[column]):
            result[column] = [
                "" if pd.isna(v) else (_TRUE if bool(v) else _FALSE) for v in result[column].astype(object)
            ]
    return result.astype(object).where(result.notna(), None)


def read(folder: Path) -> pd.DataFrame | None:
    """Return the snapshot in ``folder``, or None when there is none yet."""
    path = Path(folder) / PARQUET_FILE
    if not path.exists():
        return None
    return from_rows(untyped(pd.read_parquet(path)).to_dict("records"))


def write_parquet(table: pd.DataFrame, path: Path) -> None:
    """Write the table as Parquet with real types (the CSV keeps the text form)."""
    typed(table).to_parquet(path, index=False)


def write_csv(table: pd.DataFrame, path: Path) -> None:
    """Write the table as UTF-8 CSV (empty cells where a value is missing)."""
    table.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")


def confirmed(table: pd.DataFrame) -> pd.DataFrame:
    """Return the observations whose species a botanist confirmed."""
    return table[table[fs.CONFIRMED] != ""]


def located(table: pd.DataFrame) -> pd.DataFrame:
    """Return the observations that carry both coordinates."""
    return table[table[fs.LATITUDE].map(math.isfinite) & table[fs.LONGITUDE].map(math.isfinite)]
