"""A history's search index built in a file beside it, on a second thread, then moved in whole.

Filling the search index of a million observations takes SQLite as long as half of copying them
(every note cut into trigrams), on the one connection that may write the history. A file beside the
history has a connection of its own: a thread fills it from the history's rows (read through the
history's write-ahead log, so it never waits for the writer) while the history's connection rebuilds
its other indexes; SQLite then copies the three tables of the index in whole (``move_in``: about a
second a gigabyte). The page repair (``page_repair``) and the row-by-row salvage (``refill``) both
build it so.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from desktop.history.bulk import rebuild_search_index
from desktop.history.damaged_pages import SEARCH_PARTS
from desktop.history.files import remove_with_companions
from desktop.history.interrupting import Interrupting
from desktop.history.queries import SEARCH_TABLE

BESIDE_SCHEMA = "beside"  # where the history's connection attaches the file to copy its tables in
SUFFIX = ".search"  # the file beside the history, named after it


def beside(history: Path) -> Path:
    """Return the file beside ``history`` its search index is built in."""
    return history.with_name(history.name + SUFFIX)


def build_beside(history: Path, words_in_memory: int, threads: Interrupting | None = None) -> Path:
    """Build the search index of every observation of ``history`` (read, never written) beside it.

    No journal and no syncing: a file beside that fails is thrown away. Return the file. A failure of
    another of ``threads`` interrupts the build.
    """
    path = beside(history)
    remove_with_companions(path)
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    if threads is not None:
        threads.opened(db)
    try:
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        db.execute("ATTACH ? AS history", (str(history),))
        create = "SELECT sql FROM history.sqlite_master WHERE name = ?"
        db.execute(db.execute(create, (SEARCH_TABLE,)).fetchone()[0])
        db.execute("BEGIN")
        rebuild_search_index(db, words_in_memory)  # "observations" is the attached history's
        db.execute("COMMIT")
    finally:
        if threads is not None:
            threads.closed(db)
        db.close()
    return path


@contextlib.contextmanager
def attached(db: sqlite3.Connection, path: Path) -> Iterator[None]:
    """Attach ``path`` to ``db`` as ``BESIDE_SCHEMA`` (outside any transaction, as SQLite requires)."""
    db.execute(f"ATTACH ? AS {BESIDE_SCHEMA}", (str(path),))
    try:
        yield
    finally:
        db.execute(f"DETACH {BESIDE_SCHEMA}")


def move_in(db: sqlite3.Connection) -> None:
    """Replace ``db``'s search index by the one attached as ``BESIDE_SCHEMA``, in the open transaction.

    Its settings (``_config``) stay ``db``'s; the index itself is the other three tables. Nothing may
    write ``db``'s search index afterwards on this connection: SQLite keeps what it read of the index's
    layout per connection, and would write over what was moved in.
    """
    for part in SEARCH_PARTS:
        table = f"{SEARCH_TABLE}_{part}"
        db.execute(f"DELETE FROM main.{table}")
        db.execute(f"INSERT INTO main.{table} SELECT * FROM {BESIDE_SCHEMA}.{table}")
