"""Large saves: the insert triggers' work done once per save, and the check for rows already saved."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from desktop.history.codec import ObservationRows
from desktop.history.queries import SEARCH_TABLE
from desktop.history.schema import SEARCH_INSERT_TRIGGER, SEARCH_WORDS

if TYPE_CHECKING:
    from desktop.history.store import ObservationStore


@dataclass(frozen=True)
class EarlierKeys:
    """What a history held when a save began, to tell which new rows it already has: 8 bytes a row.

    The hash of each earlier row's (measurements JSON, note), sorted; a new row whose hash is among
    them is looked up exactly. One scan of the history per save instead of one per chunk and 500
    measurements (100,000 rows into a history of a million took 55 s). Valid in the save's transaction.
    """

    store: ObservationStore
    up_to_rowid: int
    hashes: Any  # numpy int64 array, sorted

    def positions(self, batch: ObservationRows) -> list[int]:
        """Return the positions (from 1) of rows whose measurements and note are already saved."""
        import numpy as np

        if self.up_to_rowid == 0 or not len(batch):
            return []  # the history was empty: nothing can be there already
        keys = batch.duplicate_keys()
        hashes = np.fromiter(map(hash, keys), dtype=np.int64, count=len(keys))
        at = np.searchsorted(self.hashes, hashes).clip(max=max(len(self.hashes) - 1, 0))
        maybe = self.hashes[at] == hashes if len(self.hashes) else np.zeros(len(keys), dtype=bool)
        if not maybe.any():
            return []
        candidates = {keys[i] for i in np.flatnonzero(maybe).tolist()}
        found = self.store._saved_among(candidates, self.up_to_rowid)
        return [i for i, key in enumerate(keys, 1) if key in found]


# A save of this many rows at once (a CSV) does the work of the row-by-row insert triggers in one
# statement each at the end of its transaction: filling the search index (about half the cost of the
# insert) and copying an outbox row's sync state (a trigger run per row, ~9 µs, twice the insert itself).
BULK_SAVE_ROWS = 1000
BULK_SAVE_CACHE_KB = 32 * 1024  # within the 300 MB a million-row save may take
# SQLite's search index writes its words out each time this much of them gathered in memory, and merges
# what it wrote again and again: a save may let more gather (``BulkInsert.begin``), and puts this back.
SEARCH_HASH_BYTES = 1024 * 1024  # SQLite's own

# Insert triggers on ``observations`` a large save drops, by name, with the statement that does their work
# for every row after a row number (``?``) at once; run in this order. A package whose schema step adds
# such a trigger registers its stand-in (the sync does); a trigger without one simply stays and runs.
_STAND_INS: dict[str, str] = {
    SEARCH_INSERT_TRIGGER: f"INSERT INTO {SEARCH_TABLE} (rowid, words) SELECT o.rowid, "
    f"{SEARCH_WORDS.format(row='o')} FROM observations o WHERE o.rowid > ?",
}


def register_insert_stand_in(trigger: str, sql: str) -> None:
    """Let a large save drop the insert trigger ``trigger`` and run ``sql`` (rows after ``?``) instead."""
    _STAND_INS[trigger] = sql


@dataclass(frozen=True)
class BulkInsert:
    """The insert triggers' work for a large save, done once the rows are in, inside the save's transaction.

    The row-by-row triggers are dropped and put back (as the file had them) before the commit, so another
    connection never sees them missing, and a rollback or a killed process brings them back too.
    """

    trigger_sql: dict[str, str]  # name -> CREATE statement, of the triggers the file has
    after_rowid: int  # rows saved from here on are indexed at the end
    words_in_memory: int = SEARCH_HASH_BYTES  # the search index's setting during the save

    @classmethod
    def begin(cls, db: sqlite3.Connection, *, words_in_memory: int = SEARCH_HASH_BYTES) -> BulkInsert:
        """Take the triggers out of the open transaction and note where the new rows start.

        The page cache grows for the save (the caller puts it back): SQLite's default 2 MB cache
        spills and rereads the pages of five indexes again and again (1.5x slower at 400,000 rows).
        ``words_in_memory`` bytes of new words gather before the search index writes them out.
        """
        db.execute(f"PRAGMA cache_size = -{BULK_SAVE_CACHE_KB}")
        names = tuple(_STAND_INS)
        found = dict(
            db.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'observations' "
                f"AND name IN ({', '.join('?' * len(names))})",
                names,
            ).fetchall()
        )
        after = int(db.execute("SELECT IFNULL(MAX(rowid), 0) FROM observations").fetchone()[0])
        for name in found:  # a file without one does none of its work on insert: nor does this
            db.execute(f"DROP TRIGGER {name}")
        if SEARCH_INSERT_TRIGGER not in found:
            words_in_memory = SEARCH_HASH_BYTES
        if words_in_memory != SEARCH_HASH_BYTES:
            _search_hash_size(db, words_in_memory)
        return cls(found, after, words_in_memory)

    def finish(self, db: sqlite3.Connection, done: frozenset[str] = frozenset()) -> None:
        """Do the dropped triggers' work for every row saved since ``begin`` and put them back.

        The work of the triggers named in ``done`` is done otherwise (the search index built beside).
        """
        for name, stand_in in _STAND_INS.items():
            if name in self.trigger_sql and name not in done:
                db.execute(stand_in, (self.after_rowid,))
        for sql in self.trigger_sql.values():
            db.execute(sql)
        if self.words_in_memory != SEARCH_HASH_BYTES:
            _search_hash_size(db, SEARCH_HASH_BYTES)


def rebuild_search_index(db: sqlite3.Connection, words_in_memory: int) -> None:
    """Empty the search index and index every observation again, ``words_in_memory`` bytes gathered at once.

    For a repair that lost pages of the index, or rows whose words it holds (``page_repair``): its words
    cannot be taken out one by one without the text they came from (``content=''``).
    """
    db.execute(f"INSERT INTO {SEARCH_TABLE} ({SEARCH_TABLE}) VALUES ('delete-all')")
    _search_hash_size(db, words_in_memory)
    db.execute(_STAND_INS[SEARCH_INSERT_TRIGGER], (0,))
    _search_hash_size(db, SEARCH_HASH_BYTES)


def _search_hash_size(db: sqlite3.Connection, size: int) -> None:
    """Let the search index gather ``size`` bytes of new words in memory before it writes them out."""
    db.execute(f"INSERT INTO {SEARCH_TABLE} ({SEARCH_TABLE}, rank) VALUES ('hashsize', ?)", (size,))


def saved_keys_sql(count: int) -> str:
    """Return the query for (measurements, note) of rows up to a row number, among ``count`` measurements.

    "+deleted" keeps it off the indexes on deleted, which would also walk the rows the very save that
    asks has just written: it reads only the rows before, by row number.
    """
    return (
        "SELECT measurements, note FROM observations WHERE +deleted = 0 AND rowid <= ? "
        f"AND measurements IN ({', '.join('?' * count)})"
    )
