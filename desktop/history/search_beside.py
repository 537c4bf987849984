"""A history's search index built in a file beside it, on a thread of its own, then moved in whole.

Filling the search index of a million observations takes SQLite as long as half of copying them
(tokenising every note into trigrams), on the one connection that may write the history. A file beside
the history has a connection of its own: a thread fills it while the history's connection goes on with
other work, and SQLite then copies its three tables in whole (``move_in``: a few seconds a gigabyte).

Two users. The page repair builds it from the rows of the repaired copy (``build_from``), read through
the copy's write-ahead log while its indexes are rebuilt. The row-by-row salvage (``SearchFiller``)
hands it each image of rows the moment the history's connection has copied it, with the row ids those
rows received; rows whose ids are not known so (decoded cell by cell, or an image of which the history
refused a row) are indexed from the history's committed rows at the end.
"""

from __future__ import annotations

import contextlib
import queue
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from desktop.history.bulk import rebuild_search_index, search_hash_size
from desktop.history.damaged_pages import SEARCH_PARTS
from desktop.history.files import remove_with_companions
from desktop.history.queries import SEARCH_TABLE
from desktop.history.salvage import register_text_check
from desktop.history.schema import SEARCH_WORDS
from desktop.history.sqlite_image import TABLE as IMAGE_TABLE

BESIDE_SCHEMA = "beside"  # where the history's connection attaches the file to copy its tables in
IMAGES_AHEAD = 4  # images waiting for the filler (each at most ~2 MB)
_IMAGE_SCHEMA = "rescue"  # where the filler's connection reads each image


def beside(path: Path) -> Path:
    """Return the file beside ``path`` its search index is built in."""
    return path.with_name(path.name + ".search")


def create_statement(db: sqlite3.Connection, schema: str = "main") -> str:
    """Return the statement that created the search index of ``db``'s ``schema``."""
    found = db.execute(f"SELECT sql FROM {schema}.sqlite_master WHERE name = ?", (SEARCH_TABLE,)).fetchone()
    return str(found[0])


def _new_file(path: Path) -> sqlite3.Connection:
    """Create ``path`` anew; return its connection, for any thread: no journal, no syncing.

    A file beside that fails is thrown away.
    """
    remove_with_companions(path)
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
    except BaseException:
        db.close()
        raise
    return db


def build_from(history: Path, path: Path, words_in_memory: int) -> None:
    """Build in ``path`` the search index of every observation of ``history`` (read, never written)."""
    db = _new_file(path)
    try:
        db.execute("ATTACH ? AS history", (str(history),))
        db.execute(create_statement(db, "history"))
        db.execute("BEGIN")
        rebuild_search_index(db, words_in_memory)  # "observations" is the attached history's
        db.execute("COMMIT")
    finally:
        db.close()


def move_in(db: sqlite3.Connection) -> None:
    """Replace ``db``'s search index by the one attached as ``BESIDE_SCHEMA``, in the open transaction.

    Its settings (``_config``) stay ``db``'s; the index itself is the other three tables. Nothing may
    write ``db``'s search index afterwards on this connection: SQLite keeps what it read of the index's
    layout per connection and would write over what was moved in.
    """
    for part in SEARCH_PARTS:
        table = f"{SEARCH_TABLE}_{part}"
        db.execute(f"DELETE FROM main.{table}")
        db.execute(f"INSERT INTO main.{table} SELECT * FROM {BESIDE_SCHEMA}.{table}")


@contextlib.contextmanager
def attached(db: sqlite3.Connection, path: Path) -> Iterator[None]:
    """Attach ``path`` to ``db`` as ``BESIDE_SCHEMA`` (outside any transaction, as SQLite requires)."""
    db.execute(f"ATTACH ? AS {BESIDE_SCHEMA}", (str(path),))
    try:
        yield
    finally:
        db.execute(f"DETACH {BESIDE_SCHEMA}")


@dataclass(frozen=True)
class _Image:
    """Rows for the filler: an image's rows (those passing ``where`` if given) took ids from ``first``."""

    image: bytes
    where: str | None
    first: int


@dataclass(frozen=True)
class _End:
    """No more images: index the ids left out from ``history`` (None: the work is thrown away)."""

    history: Path | None


@dataclass
class SearchFiller:
    """Fills a search index beside a history from the images its rows were copied from, on a thread.

    The history's connection copies an image's rows in row id order (``row_copy.TableCopy.from_image``)
    and they take consecutive ids, so the n-th row passing the copy's condition got ``first + n - 1``.
    Rows whose ids are not known so are indexed at the end from the history itself, its rows committed.
    """

    path: Path
    create_sql: str
    words_in_memory: int
    left_out: list[tuple[int, int]] = field(default_factory=list)  # ids indexed from the history
    _waiting: queue.Queue[_Image | _End] = field(default_factory=lambda: queue.Queue(IMAGES_AHEAD))
    _thread: threading.Thread | None = None
    _error: BaseException | None = None

    def start(self) -> None:
        """Create the file and start the thread that fills it."""
        db = _new_file(self.path)
        try:
            db.execute(self.create_sql)
        except BaseException:
            db.close()
            raise
        self._thread = threading.Thread(target=self._fill, args=(db,), name="search-filler", daemon=True)
        self._thread.start()

    def add(self, image: bytes, where: str | None, first: int) -> None:
        """Index the observations of ``image`` (those passing ``where``), copied with ids from ``first``."""
        if self._error is None:
            self._waiting.put(_Image(image, where, first))

    def leave_out(self, first: int, last: int) -> None:
        """Note ids ``first`` to ``last``, to be indexed from the history's rows at the end."""
        if first <= last:
            self.left_out.append((first, last))

    def finish(self, history: Path) -> None:
        """Index the ids left out from ``history`` (rows committed); wait; raise what the thread raised."""
        self._end(history)
        if self._error is not None:
            raise self._error

    def stop(self) -> None:
        """Stop the thread (its work thrown away) and remove the file."""
        self._error = self._error or _Stopped()
        with contextlib.suppress(queue.Empty):
            while True:
                self._waiting.get_nowait()  # room for the end
        self._end(None)
        remove_with_companions(self.path)

    def _end(self, history: Path | None) -> None:
        if self._thread is not None:
            self._waiting.put(_End(history))
            self._thread.join()
            self._thread = None

    def _fill(self, db: sqlite3.Connection) -> None:
        try:
            register_text_check(db)
            db.execute(f"ATTACH ':memory:' AS {_IMAGE_SCHEMA}")
            db.execute("BEGIN")
            search_hash_size(db, self.words_in_memory)
            while isinstance(item := self._waiting.get(), _Image):
                if self._error is None:
                    db.deserialize(item.image, name=_IMAGE_SCHEMA)
                    db.execute(_indexing(item.where), (item.first,))
            if self._error is None and item.history is not None:
                db.execute("COMMIT")
                _index_left_out(db, item.history, self.left_out)
        except BaseException as exc:  # handed to ``finish``; the rest of the images are let through
            self._error = exc
            with contextlib.suppress(queue.Empty):
                while isinstance(self._waiting.get_nowait(), _Image):
                    pass
        finally:
            db.close()


class _Stopped(Exception):
    """The filler was stopped: what it did is thrown away."""


def _indexing(where: str | None) -> str:
    """Return the statement indexing an image's rows (passing ``where``), the first taking id ``?``."""
    words = SEARCH_WORDS.format(row="o")
    condition = f" WHERE {where}" if where else ""
    return (
        f"INSERT INTO main.{SEARCH_TABLE} (rowid, words) "
        f"SELECT ? - 1 + row_number() OVER (ORDER BY o.rowid), {words} "
        f"FROM {_IMAGE_SCHEMA}.{IMAGE_TABLE} o{condition}"
    )


def _index_left_out(db: sqlite3.Connection, history: Path, ids: list[tuple[int, int]]) -> None:
    """Index on ``db`` the observations of ``history`` whose ids are in the ranges ``ids``."""
    if not ids:
        return
    db.execute("ATTACH ? AS history", (str(history),))
    words = SEARCH_WORDS.format(row="o")
    db.execute("BEGIN")
    db.executemany(
        f"INSERT INTO main.{SEARCH_TABLE} (rowid, words) SELECT o.rowid, {words} "
        "FROM history.observations o WHERE o.rowid BETWEEN ? AND ?",
        ids,
    )
    db.execute("COMMIT")
