"""Salvage a damaged history: every readable observation into a fresh file, the damaged one kept beside it.

Damage of any kind ends here: a bad page, a record whose stored JSON is garbage, a truncated file, a file
that is no database at all. The damaged file (and its -wal/-shm) is renamed aside untouched; a private
copy of it is read row by row (a damaged page costs the rows on it, not the rows after it); every row that
decodes into an observation goes into a fresh history with its id, times and sync progress.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from desktop.paths import corrupt_aside_path

WAL_SUFFIXES = ("-wal", "-shm")
# After a damaged page, look this far ahead (in row ids) for the next readable row when the table's
# largest row id cannot be read either.
_LOOKAHEAD_WITHOUT_MAXIMUM = 100_000


@dataclass(frozen=True)
class SalvageReport:
    """What a salvage achieved: observations recovered, observations lost, where the damaged file is."""

    recovered: int
    lost: int | None  # None when the file was so damaged that not even a count could be read
    aside: Path

    def sentence(self) -> str:
        """Return the one sentence the botanist reads."""
        lost = (
            "an unknown number could not be read"
            if self.lost is None
            else f"{self.lost} could not be read"
            if self.lost
            else "none was lost"
        )
        return (
            f"the observation history was damaged: {self.recovered} observation"
            f"{'' if self.recovered == 1 else 's'} were recovered into a fresh history and {lost}; "
            f"the damaged file is kept as {self.aside.name}"
        ).replace("1 observation were", "1 observation was")


def move_aside(path: Path) -> Path:
    """Rename the damaged file and its -wal/-shm aside (never replayed into a new history); return it."""
    aside = corrupt_aside_path(path)
    os.replace(path, aside)
    for suffix in WAL_SUFFIXES:
        with contextlib.suppress(FileNotFoundError):
            os.replace(path.with_name(path.name + suffix), aside.with_name(aside.name + suffix))
    return aside


def copy_history(path: Path, folder: Path) -> Path:
    """Copy a history file and its write-ahead log (never the -shm index) into ``folder``; return the copy."""
    copy = folder / path.name
    shutil.copyfile(path, copy)
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
    return copy


def _pad_truncated(copy: Path) -> None:
    """Give a truncated file back the length its header states (zero pages), so its schema can be read."""
    with copy.open("r+b") as handle:
        header = handle.read(100)
        if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
            return
        page_size = int.from_bytes(header[16:18], "big")
        page_size = 65536 if page_size == 1 else page_size
        wanted = int.from_bytes(header[28:32], "big") * page_size
        size = handle.seek(0, os.SEEK_END)
        if 0 < size < wanted <= 1 << 34:
            handle.truncate(wanted)


@contextlib.contextmanager
def private_copy(aside: Path) -> Iterator[sqlite3.Connection | None]:
    """Open a throw-away copy of the damaged file (so reading it never changes it); None if unopenable."""
    with tempfile.TemporaryDirectory(prefix="iris-salvage-") as folder:
        copy = copy_history(aside, Path(folder))
        _pad_truncated(copy)
        try:
            db = sqlite3.connect(copy, isolation_level=None)
            db.row_factory = sqlite3.Row
            db.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
        except sqlite3.DatabaseError:
            yield None
            return
        try:
            yield db
        finally:
            db.close()


def _largest_rowid(db: sqlite3.Connection, table: str) -> int | None:
    """Return the table's largest row id, from the table or else from any intact index of it."""
    sources = [table]
    with contextlib.suppress(sqlite3.DatabaseError):
        indexes = [r[1] for r in db.execute(f"PRAGMA index_list({table})").fetchall()]
        sources += [f"(SELECT rowid FROM {table} INDEXED BY {index})" for index in indexes]
    for source in sources:
        try:
            return int(db.execute(f"SELECT MAX(rowid) FROM {source}").fetchone()[0] or 0)
        except sqlite3.DatabaseError:
            continue
    return None


def _next_readable_row(db: sqlite3.Connection, table: str, after: int, limit: int) -> sqlite3.Row | None:
    """Return the first row above row id ``after`` that can be read, stepping over a damaged page."""
    sql = f"SELECT rowid AS salvage_rowid, * FROM {table} WHERE rowid = ?"
    for rowid in range(after + 1, limit + 1):
        try:
            row = db.execute(sql, (rowid,)).fetchone()
        except sqlite3.DatabaseError:
            continue
        if row is not None:
            return row
    return None


def readable_rows(db: sqlite3.Connection, table: str) -> tuple[list[sqlite3.Row], int | None]:
    """Return every row of ``table`` that can be read, and the table's largest row id (None if unknown)."""
    largest = _largest_rowid(db, table)
    limit = largest if largest is not None else _LOOKAHEAD_WITHOUT_MAXIMUM
    scan = f"SELECT rowid AS salvage_rowid, * FROM {table} WHERE rowid > ? ORDER BY rowid"
    rows: list[sqlite3.Row] = []
    last = 0
    while True:
        try:
            for row in db.execute(scan, (last,)):
                rows.append(row)
                last = row["salvage_rowid"]
            return rows, largest
        except sqlite3.DatabaseError:
            # Step over the damage one row id at a time; every pass moves ``last`` forward.
            following = _next_readable_row(db, table, last, max(limit, last))
            if following is None:
                return rows, largest
            rows.append(following)
            last = following["salvage_rowid"]


def _tables(db: sqlite3.Connection) -> list[str]:
    """Return the plain tables (not virtual ones such as the search index, nor their shadow tables)."""
    try:
        rows = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall()
    except sqlite3.DatabaseError:
        return []
    virtual = [name for name, sql in rows if str(sql or "").upper().startswith("CREATE VIRTUAL TABLE")]
    return [
        name for name, _ in rows if name not in virtual and not any(name.startswith(f"{v}_") for v in virtual)
    ]


def copy_other_tables(damaged: sqlite3.Connection, fresh: sqlite3.Connection, skip: set[str]) -> None:
    """Copy the readable rows of every other table both files have (sync progress etc.), column by column."""
    present = set(_tables(damaged))
    for table in _tables(fresh):
        if table in skip or table not in present or table.startswith("sqlite_"):
            continue
        wanted = [r[1] for r in fresh.execute(f"PRAGMA table_info({table})").fetchall()]
        rows, _ = readable_rows(damaged, table)
        for row in rows:
            names = set(row.keys())
            columns = [c for c in wanted if c in names]
            placeholders = ", ".join("?" * len(columns))
            with contextlib.suppress(sqlite3.DatabaseError):  # e.g. a row whose observation was lost
                fresh.execute(
                    f"INSERT OR IGNORE INTO {table} ({', '.join(columns)}) VALUES ({placeholders})",
                    [row[c] for c in columns],
                )


def deletion_times(damaged: sqlite3.Connection | None) -> dict[str, str]:
    """Return when each readable deleted observation was deleted (id -> time), for "Recently deleted"."""
    if damaged is None or "observations" not in _tables(damaged):
        return {}
    rows, _ = readable_rows(damaged, "observations")
    if not rows or "deleted_at" not in rows[0].keys():  # noqa: SIM118 (a Row's "in" looks at values)
        return {}
    return {row["id"]: row["deleted_at"] for row in rows if row["deleted"] and row["deleted_at"]}


def recover_observations(
    damaged: sqlite3.Connection | None, decode: Callable[[sqlite3.Row], object]
) -> tuple[list[object], int | None]:
    """Return the observations that decode, and how many rows could not be read or decoded (None: unknown)."""
    if damaged is None or "observations" not in _tables(damaged):
        return [], None
    rows, largest = readable_rows(damaged, "observations")
    decoded = []
    for row in rows:
        try:
            decoded.append(decode(row))
        except (ValueError, TypeError, KeyError, IndexError):
            continue  # a record whose stored text is garbage: it stays in the damaged file only
    # Row ids are handed out one after another and never freed (deleting only hides a row), so every
    # id up to the largest was an observation.
    total = max(largest or 0, rows[-1]["salvage_rowid"] if rows else 0)
    lost = total - len(decoded) if largest is not None else None
    return decoded, lost
