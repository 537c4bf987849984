"""A history whose damage is a wiped header, repaired in a copy: the header written again, every page kept.

The 100-byte header (https://www.sqlite.org/fileformat2.html#the_database_header) holds nothing that
cannot be worked out again or that this program does not decide itself: the page size (found from the
pages, ``sqlite_pages.FileShape``), UTF-8 text, write-ahead logging, no reserved bytes and no auto-vacuum
(as ``connection.connect`` makes every history), the number of pages (the file's length) and the schema
version (the step whose schema the file's matches; a later step that changes no table, such as step 10,
runs again, and must do nothing the second time). Only the free list is lost with it: SQLite's own check
names those pages ("Page N is never used") and they are listed again.

The copy becomes the history only when SQLite then finds it sound and its schema is one this program
wrote; a record that does not read as the store reads it (``salvage.SOUND_OBSERVATION``, texts that are
not UTF-8) is removed, as a salvage would leave it out. Anything else falls back to the page-by-page
salvage. No row is copied: a gigabyte takes a file copy and SQLite's check, and the search index and row
numbers stay as they were.
"""

from __future__ import annotations

import sqlite3
import struct
from pathlib import Path

from desktop.history.free_list import add_to_free_list, never_used
from desktop.history.integrity import is_damage
from desktop.history.migrations import schema_steps
from desktop.history.refill import schema_of
from desktop.history.salvage import (
    SOUND_OBSERVATION,
    TEXT_CHECK,
    register_text_check,
    remove_rows_pointing_nowhere,
    repaired_in_copy,
    table_shapes,
)
from desktop.history.sqlite_pages import HEADER_SIZE, MAGIC

MOST_UNREADABLE = 1000  # records a repair leaves out; beyond, the file is salvaged page by page


class NotHeaderDamage(Exception):
    """The file has damage beyond its header (or a schema this program never wrote): salvage it instead."""


def repair_header(aside: Path, target: Path, page_size: int) -> tuple[int, int] | None:
    """Write ``aside`` to ``target`` with its header rebuilt; return (observations, removed), or None.

    None (``target`` untouched) when the copy is not sound once its header is rebuilt. An ``OSError``
    (no room for the copy) is raised after the copy is removed.
    """
    size = aside.stat().st_size
    if size % page_size or size < page_size:
        return None

    def repair(copy: Path) -> tuple[int, int]:
        with copy.open("r+b") as out:
            out.write(_header(page_size, size // page_size))
        return _make_sound(copy, page_size)

    return repaired_in_copy(aside, target, repair, (NotHeaderDamage, sqlite3.Error, UnicodeDecodeError))


def _header(page_size: int, pages: int) -> bytes:
    """Return the header this program's histories have, for a file of ``pages`` pages, no free list."""
    header = bytearray(HEADER_SIZE)
    header[:16] = MAGIC
    # page size, write and read version 2 (write-ahead log), no reserved bytes, payload fractions
    struct.pack_into(">HBBBBBB", header, 16, page_size if page_size < 65536 else 1, 2, 2, 0, 64, 32, 32)
    # change counter, pages, free-list trunk and count, schema cookie, format 4, cache size, no
    # auto-vacuum, UTF-8, user_version (set once the schema is known), incremental vacuum, application id
    struct.pack_into(">IIIIIIIIIIII", header, 24, 1, pages, 0, 0, 1, 4, 0, 0, 1, 0, 0, 0)
    major, minor, patch = sqlite3.sqlite_version_info
    struct.pack_into(">II", header, 92, 1, major * 1_000_000 + minor * 1000 + patch)  # valid-for = counter
    return bytes(header)


def _make_sound(copy: Path, page_size: int) -> tuple[int, int]:
    """Check the copy, list its free pages again, set its schema version, drop unreadable records."""
    db = sqlite3.connect(copy, isolation_level=None)
    try:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # a log's pages into the file, before it is edited
        version = schema_version(db)
        free = _never_used(db)
    finally:
        db.close()
    if free:
        add_to_free_list(copy, free, page_size)  # the header's list is empty
    db = sqlite3.connect(copy, isolation_level=None)
    try:
        if free and _never_used(db):
            raise NotHeaderDamage("the free pages could not be listed again")
        db.execute(f"PRAGMA user_version = {version}")
        removed = _remove_unreadable(db)
        observations = int(db.execute("SELECT COUNT(*) FROM observations").fetchone()[0])
    finally:
        db.close()
    return observations, removed


def _user_schema(db: sqlite3.Connection) -> list[tuple[str, str, str, str | None]]:
    return db.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' "
        "ORDER BY type, name"
    ).fetchall()


def schema_version(db: sqlite3.Connection) -> int:
    """Return the first schema step after which this program's schema is the file's."""
    found = _user_schema(db)
    reference = sqlite3.connect(":memory:", isolation_level=None)
    try:
        for step in schema_steps():
            reference.executescript(f"BEGIN;\n{step.sql}\nCOMMIT;")
            if _user_schema(reference) == found:
                return step.number
    finally:
        reference.close()
    raise NotHeaderDamage("the file's schema is none this program wrote")


def _never_used(db: sqlite3.Connection) -> list[int]:
    """Return the pages SQLite finds in no tree; raise ``NotHeaderDamage`` if it finds anything else."""
    free = never_used(db)
    if free is None:
        raise NotHeaderDamage("SQLite finds damage beyond the header")
    return free


def _remove_unreadable(db: sqlite3.Connection) -> int:
    """Delete the records the store could not read; return how many observations went."""
    register_text_check(db)
    doomed = {}
    for table, columns in _text_columns(db).items():
        quoted = ", ".join(f'"{c}"' for c in columns)
        sound = f"{TEXT_CHECK}({quoted})"
        if table == "observations":
            sound = f"({SOUND_OBSERVATION}) AND {sound}"
        low, high = db.execute(f'SELECT MIN(rowid), MAX(rowid) FROM "{table}"').fetchone()
        if low is not None:
            doomed[table] = _failing_rows(db, table, sound, low, high)
    if not any(doomed.values()):
        return 0
    db.execute("PRAGMA foreign_keys = OFF")
    db.execute("BEGIN IMMEDIATE")
    for table, rowids in doomed.items():
        db.executemany(f'DELETE FROM "{table}" WHERE rowid = ?', [(r,) for r in rowids])
    remove_rows_pointing_nowhere(db)
    db.execute("COMMIT")
    return len(doomed.get("observations", ()))


def _failing_rows(db: sqlite3.Connection, table: str, sound: str, low: int, high: int) -> list[int]:
    """Return the row ids from ``low`` to ``high`` that are not ``sound``, or make it fail.

    The check fails the whole statement on a text that is not UTF-8 or JSON: the range is then halved
    until the failing row is alone. More than ``MOST_UNREADABLE`` such rows is more damage than a header.
    """
    try:
        return [
            rowid
            for (rowid,) in db.execute(
                f'SELECT rowid FROM "{table}" WHERE rowid BETWEEN ? AND ? AND NOT ({sound})', (low, high)
            )
        ]
    except sqlite3.DatabaseError as exc:
        if is_damage(exc):
            raise NotHeaderDamage(str(exc)) from exc
        if low == high:
            return [low]
    middle = (low + high) // 2
    found = _failing_rows(db, table, sound, low, middle)
    found += _failing_rows(db, table, sound, middle + 1, high)
    if len(found) > MOST_UNREADABLE:
        raise NotHeaderDamage("too many records cannot be read")
    return found


def _text_columns(db: sqlite3.Connection) -> dict[str, list[str]]:
    """Return the TEXT columns of each table a salvage copies (the search index's are rebuilt, not read)."""
    found = {}
    for table in table_shapes(schema_of(db)):
        info = db.execute(f'PRAGMA table_info("{table}")').fetchall()
        columns = [row[1] for row in info if str(row[2]).upper() == "TEXT"]
        if columns:
            found[table] = columns
    return found
