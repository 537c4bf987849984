"""Refilling a fresh history from a damaged one: every observation and other row that still reads."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from typing import TYPE_CHECKING

from desktop.history.bulk import BulkInsert
from desktop.history.row_copy import ImageRefused, copy_readable, rescue_schema
from desktop.history.salvage import SOUND_OBSERVATION, DamagedHistory, remove_rows_pointing_nowhere

if TYPE_CHECKING:
    from desktop.history.store import ObservationStore

# The search index gathers this many bytes of words before writing them out, not SQLite's 1 MB: it merges
# what it wrote far less often (1,200,000 observations: 7.7 s, not 9.9 s with 16 MB; +56 MB at the peak).
SALVAGE_WORDS_IN_MEMORY = 64 * 1024 * 1024


def schema_of(db: sqlite3.Connection) -> list[tuple[str, str, str, int | None, str]]:
    """Return this app's schema (type, name, table, no root, sql): the tables a damaged file should hold."""
    rows = db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL").fetchall()
    return [(kind, name, table, None, sql) for kind, name, table, sql in rows]


def refill(store: ObservationStore, damaged: DamagedHistory) -> tuple[int, int | None]:
    """Save every readable observation and other row of ``damaged`` into ``store``; return (saved, lost).

    ``store`` is a new history no other connection has open, built beside the one it replaces.
    One transaction, SQLite copying whole pages (``row_copy.copy_readable``); foreign keys are off
    meanwhile, so rows are saved in the order the pages give them, and rows left pointing at an
    observation that was lost are removed at the end. The insert triggers' work is done once at the end.
    """
    db = store._db
    cache_size = int(db.execute("PRAGMA cache_size").fetchone()[0])
    db.execute("PRAGMA foreign_keys = OFF")
    try:
        with journal_in_memory(db):
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


@contextlib.contextmanager
def journal_in_memory(db: sqlite3.Connection) -> Iterator[None]:
    """Write with the rollback journal in memory and no wait for the disk; then the log and syncing again.

    Only for a new file no other connection has open, which nobody uses if the process dies before it
    is finished (``opening`` builds it beside the history and renames it into place): SQLite writes each
    page once, not into the log and again into the file (copying a 200 MB history cut short: 5.1 s, not
    5.9 s), and a rollback (``ImageRefused``) still works. A new file's pages are not in the journal at all.
    """
    db.execute("PRAGMA journal_mode = MEMORY")
    db.execute("PRAGMA synchronous = OFF")
    try:
        yield
    finally:
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = FULL")


def _copy_in_one_transaction(store: ObservationStore, damaged: DamagedHistory, *, images: bool) -> int:
    """Copy the readable rows in one transaction, the insert triggers' work done once; return observations."""
    with rescue_schema(store._db), store.transaction() as tx:
        bulk = BulkInsert.begin(tx, words_in_memory=SALVAGE_WORDS_IN_MEMORY)
        counts = copy_readable(tx, damaged, {"observations": SOUND_OBSERVATION}, images=images)
        bulk.finish(tx)
        remove_rows_pointing_nowhere(tx)
    return counts.get("observations", 0)
