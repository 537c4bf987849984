"""Refilling a fresh history from a damaged one: every observation and other row that still decodes."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from desktop.history.codec import EXTRAS_COLUMN, STORE_COLUMNS, ObservationRows, decoded_observation
from desktop.history.salvage import DamagedHistory

if TYPE_CHECKING:
    from desktop.history.store import ObservationStore

SALVAGE_BATCH = 2000


def schema_of(db: sqlite3.Connection) -> list[tuple[str, str, str, int | None, str]]:
    """Return this app's schema (type, name, table, no root, sql): the tables a damaged file should hold."""
    rows = db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL").fetchall()
    return [(kind, name, table, None, sql) for kind, name, table, sql in rows]


def refill(store: ObservationStore, damaged: DamagedHistory) -> tuple[int, int | None]:
    """Save every decodable observation and other row of ``damaged`` into ``store``; return (saved, lost).

    Foreign keys are off meanwhile, so rows are saved in the order the pages give them; rows left pointing
    at an observation that was lost are removed at the end.
    """
    db = store._db
    resuming = db.execute("SELECT 1 FROM observations LIMIT 1").fetchone() is not None
    ids = _SavedIds(db, check_all=resuming)
    deleted: list[tuple[str, str]] = []
    db.execute("PRAGMA foreign_keys = OFF")
    try:
        saved = store.add_rows(_observation_batches(damaged.rows("observations"), ids, deleted))
        with store.transaction() as tx:
            for table in damaged.tables:
                if table != "observations":
                    _insert_rows(tx, table, damaged.rows(table))
        orphans = damaged.orphan_rows()
        saved += store.add_rows(_observation_batches(_orphans_in_turn(store, orphans), ids, deleted))
        with store.transaction() as tx:
            tx.executemany("UPDATE observations SET deleted_at = ? WHERE id = ? AND deleted = 1", deleted)
            for table, rowid, _parent, _key in tx.execute("PRAGMA foreign_key_check").fetchall():
                tx.execute(f'DELETE FROM "{table}" WHERE rowid = ?', (rowid,))
    finally:
        db.execute("PRAGMA foreign_keys = ON")
    return saved, damaged.lost("observations", saved)


def _orphans_in_turn(
    store: ObservationStore, orphans: Iterator[tuple[str, dict[str, object]]]
) -> Iterator[dict[str, object]]:
    """Yield the orphan observations; save the other orphan rows as they come, between the batches."""
    for table, row in orphans:
        if table == "observations":
            yield row
        else:
            _insert_rows(store._db, table, [row])


def _insert_rows(db: sqlite3.Connection, table: str, rows: Iterable[dict[str, object]]) -> None:
    """Insert rows of another table (sync progress…), skipping any the fresh history refuses."""
    wanted = {r[1] for r in db.execute(f'PRAGMA table_info("{table}")').fetchall()}
    for row in rows:
        columns = [c for c in row if c in wanted]
        marks = ", ".join("?" * len(columns))
        with contextlib.suppress(sqlite3.DatabaseError):
            db.execute(
                f'INSERT OR IGNORE INTO "{table}" ({", ".join(columns)}) VALUES ({marks})',
                [row[c] for c in columns],
            )


def _observation_batches(
    rows: Iterable[dict[str, object]], ids: _SavedIds, deleted: list[tuple[str, str]]
) -> Iterator[ObservationRows]:
    """Yield the rows that decode strictly, as stored, in batches, each id once; note deletion times."""
    batch: list[tuple[Any, ...]] = []
    pending: set[str] = set()
    for row in rows:
        row = {EXTRAS_COLUMN: "{}", **row}  # a history older than step 9 has no extras
        try:
            obs = decoded_observation(row)  # type: ignore[arg-type]
        except (ValueError, TypeError, KeyError, IndexError):
            continue  # a record whose stored text is garbage: it stays in the damaged file only
        if obs.id in pending or not ids.add(obs.id):
            continue
        if obs.deleted and isinstance(row.get("deleted_at"), str):
            deleted.append((str(row["deleted_at"]), obs.id))
        batch.append(tuple(row[name] for name in STORE_COLUMNS))  # the text exactly as it was stored
        pending.add(obs.id)
        if len(batch) >= SALVAGE_BATCH:
            yield ObservationRows(batch)
            batch, pending = [], set()
    if batch:
        yield ObservationRows(batch)


class _SavedIds:
    """The ids saved so far, as 64-bit hashes (a million take ~60 MB); a hash seen before is checked."""

    def __init__(self, db: sqlite3.Connection, *, check_all: bool):
        self._db = db
        self._hashes: set[int] = set()
        self._check_all = check_all  # the history held observations before (a salvage taken up again)

    def add(self, id: str) -> bool:
        """Return True for an id not yet in the history (and remember it), False for one that is.

        The batch being filled is the caller's to check: its rows are not in the history yet.
        """
        key = hash(id)
        if key in self._hashes or self._check_all:
            row = self._db.execute("SELECT 1 FROM observations WHERE id = ?", (id,)).fetchone()
            if row is not None:
                return False
        self._hashes.add(key)
        return True
