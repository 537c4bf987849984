"""Refilling a fresh history from a damaged one: every observation and other row that still reads."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.history import search_beside
from desktop.history.bulk import BulkInsert
from desktop.history.row_copy import ImageRefused, copy_readable, rescue_schema
from desktop.history.salvage import SOUND_OBSERVATION, DamagedHistory, remove_rows_pointing_nowhere
from desktop.history.schema import SEARCH_COLUMNS, SEARCH_INSERT_TRIGGER
from desktop.history.search_beside import SearchFiller

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
    """Copy the readable rows, the insert triggers' work done once at the end; return observations.

    Two transactions, on a new file no other connection opens: the rows (all rolled back if SQLite finds
    damage in an image after all), then the triggers' work and the search index moved in from beside.
    """
    db = store._db
    filler = _search_filler(store, damaged) if images else None
    try:
        with rescue_schema(db), store.transaction() as tx:
            bulk = BulkInsert.begin(tx, words_in_memory=SALVAGE_WORDS_IN_MEMORY)
            sound = {"observations": SOUND_OBSERVATION}
            counts = copy_readable(tx, damaged, sound, images=images, search=filler)
        if filler is not None and not _filled(filler, store.path):
            filler = None
        beside = search_beside.attached(db, filler.path) if filler else contextlib.nullcontext()
        with beside, store.transaction() as tx:
            if filler is not None:
                search_beside.move_in(tx)
            bulk.finish(tx, done=frozenset({SEARCH_INSERT_TRIGGER} if filler else ()))
            remove_rows_pointing_nowhere(tx)
    finally:
        if filler is not None:
            filler.stop()
    return counts.get("observations", 0)


def _search_filler(store: ObservationStore, damaged: DamagedHistory) -> SearchFiller | None:
    """Start filling the new history's search index beside it; None if the damaged rows lack its words.

    None too if no file can be made beside: the search index is then filled on the history at the end.
    """
    shape = damaged.tables.get("observations")
    if shape is None or not set(SEARCH_COLUMNS) <= set(shape.columns):
        return None
    create = search_beside.create_statement(store._db)
    filler = SearchFiller(search_beside.beside(store.path), create, SALVAGE_WORDS_IN_MEMORY)
    try:
        filler.start()
    except (OSError, sqlite3.Error):  # no file beside (a folder there...): filled on the history
        return None
    return filler


def _filled(filler: SearchFiller, history: Path) -> bool:
    """Wait for ``filler``; False if SQLite failed it (the search index is then filled on the history)."""
    try:
        filler.finish(history)
    except sqlite3.Error:
        filler.stop()
        return False
    return True
