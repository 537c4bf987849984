"""Refilling a fresh history from a damaged one: every observation and other row that still reads."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from desktop.history.bulk import BulkInsert
from desktop.history.salvage import (
    SOUND_OBSERVATION,
    DamagedHistory,
    ImageRefused,
    copy_readable,
    remove_rows_pointing_nowhere,
    rescue_schema,
)

if TYPE_CHECKING:
    from desktop.history.store import ObservationStore


def schema_of(db: sqlite3.Connection) -> list[tuple[str, str, str, int | None, str]]:
    """Return this app's schema (type, name, table, no root, sql): the tables a damaged file should hold."""
    rows = db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL").fetchall()
    return [(kind, name, table, None, sql) for kind, name, table, sql in rows]


def refill(store: ObservationStore, damaged: DamagedHistory) -> tuple[int, int | None]:
    """Save every readable observation and other row of ``damaged`` into ``store``; return (saved, lost).

    One transaction, SQLite copying whole pages (``salvage.copy_readable``); foreign keys are off
    meanwhile, so rows are saved in the order the pages give them, and rows left pointing at an
    observation that was lost are removed at the end. The insert triggers' work is done once at the end.
    """
    db = store._db
    cache_size = int(db.execute("PRAGMA cache_size").fetchone()[0])
    db.execute("PRAGMA foreign_keys = OFF")
    try:
        try:
            saved = _copy_in_one_transaction(store, damaged, images=True)
        except ImageRefused:  # SQLite found damage in an image after all: again, every page read here
            damaged.restart()
            saved = _copy_in_one_transaction(store, damaged, images=False)
    except sqlite3.Error as exc:
        raise store._write_error(exc) from exc
    finally:
        db.execute("PRAGMA foreign_keys = ON")
        db.execute(f"PRAGMA cache_size = {cache_size}")
    return saved, damaged.lost("observations", saved)


def _copy_in_one_transaction(store: ObservationStore, damaged: DamagedHistory, *, images: bool) -> int:
    """Copy the readable rows in one transaction, the insert triggers' work done once; return observations."""
    with rescue_schema(store._db), store.transaction() as tx:
        bulk = BulkInsert.begin(tx)
        counts = copy_readable(tx, damaged, {"observations": SOUND_OBSERVATION}, images=images)
        bulk.finish(tx)
        remove_rows_pointing_nowhere(tx)
    return counts.get("observations", 0)
