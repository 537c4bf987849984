"""Refilling a fresh history from a damaged one: every observation and other row that still reads."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.history import search_beside
from desktop.history.bulk import BulkInsert, rebuild_search_index
from desktop.history.files import remove_with_companions
from desktop.history.row_copy import ImageRefused, copy_readable, rescue_schema
from desktop.history.salvage import SOUND_OBSERVATION, DamagedHistory, remove_rows_pointing_nowhere
from desktop.history.schema import SEARCH_INSERT_TRIGGER

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
    First the rows, in one transaction, SQLite copying whole pages (``row_copy.copy_readable``) into the
    table with only its unique index: foreign keys are off meanwhile, so rows are saved in the order
    the pages give them. Then what the insert triggers and the other indexes would have done row by
    row, once (``_indexed``), and the rows left pointing at an observation that was lost are removed.
    """
    db = store._db
    cache_size = int(db.execute("PRAGMA cache_size").fetchone()[0])
    db.execute("PRAGMA foreign_keys = OFF")
    try:
        with journal_in_memory(db):
            try:
                saved, later = _copy_rows(store, damaged, images=True)
            except ImageRefused:  # SQLite found damage in an image after all: again, every page read here
                damaged.restart()
                saved, later = _copy_rows(store, damaged, images=False)
        _indexed(store, later)
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


@dataclass(frozen=True)
class _Later:
    """What is left to do once the rows are in: the insert triggers' work, the indexes dropped."""

    bulk: BulkInsert
    indexes: tuple[str, ...]  # the CREATE statements of the observations' indexes dropped meanwhile


def _copy_rows(store: ObservationStore, damaged: DamagedHistory, *, images: bool) -> tuple[int, _Later]:
    """Copy the readable rows in one transaction, triggers and all but unique indexes left out.

    SQLite builds an index at once, sorted, faster than it keeps it up to date row by row (1,600,000
    rows: 3.5 s for the three, against 4 s more in the copy), and ``_indexed`` builds them while the
    search index is built beside. Return the observations copied, and what is left to do.
    """
    with rescue_schema(store._db), store.transaction() as tx:
        bulk = BulkInsert.begin(tx, words_in_memory=SALVAGE_WORDS_IN_MEMORY)
        dropped = _plain_indexes(tx, "observations")
        for name, _sql in dropped:
            tx.execute(f'DROP INDEX "{name}"')
        counts = copy_readable(tx, damaged, {"observations": SOUND_OBSERVATION}, images=images)
    return counts.get("observations", 0), _Later(bulk, tuple(sql for _name, sql in dropped))


def _plain_indexes(db: sqlite3.Connection, table: str) -> list[tuple[str, str]]:
    """Return (name, CREATE statement) of ``table``'s indexes that are neither unique nor its key's own.

    A unique index stays while rows are copied: the copy skips a row that repeats a kept one by it.
    """
    listed = db.execute(f'PRAGMA index_list("{table}")').fetchall()  # seq, name, unique, origin, partial
    plain = {str(name) for _seq, name, unique, origin, _partial in listed if not unique and origin == "c"}
    found = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?", (table,))
    return [(str(name), str(sql)) for name, sql in found if name in plain]


def _indexed(store: ObservationStore, later: _Later) -> None:
    """Build the indexes dropped and do the triggers' work; the search index on a second thread, beside.

    The history keeps its write-ahead log from here on: the second thread reads the rows while this
    one writes the indexes. It syncs only when finished (``opening`` syncs the file before it is used).
    """
    db = store._db
    db.execute("PRAGMA synchronous = OFF")
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            built = pool.submit(search_beside.build_beside, store.path, SALVAGE_WORDS_IN_MEMORY)
            with store.transaction() as tx:
                for sql in later.indexes:
                    tx.execute(sql)
                later.bulk.finish(tx, done=frozenset({SEARCH_INSERT_TRIGGER}))
                remove_rows_pointing_nowhere(tx)
            beside = _built(built)
        if beside is None:  # no file could be built beside (a folder there...): built in the history
            with store.transaction() as tx:
                rebuild_search_index(tx, SALVAGE_WORDS_IN_MEMORY)
        else:
            with search_beside.attached(db, beside), store.transaction() as tx:
                search_beside.move_in(tx)
    finally:
        with contextlib.suppress(OSError):  # what is there when none could be built stays
            remove_with_companions(search_beside.beside(store.path))
        db.execute("PRAGMA synchronous = FULL")


def _built(built: Future[Path]) -> Path | None:
    """Return the search index built beside; None if the file could not be made."""
    try:
        return built.result()
    except (OSError, sqlite3.Error):
        return None
