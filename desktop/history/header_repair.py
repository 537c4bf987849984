"""A history whose damage is a wiped header, repaired in a copy: the header written again, every page kept.

The 100-byte header (https://www.sqlite.org/fileformat2.html#the_database_header) holds nothing that
cannot be worked out again or that this program does not decide itself: the page size (found from the
pages, ``sqlite_pages.FileShape``), UTF-8 text, write-ahead logging, no reserved bytes and no auto-vacuum
(as ``connection.connect`` makes every history), the number of pages (the file's length) and the schema
version (the step whose schema the file's matches; a later step that changes no table, such as step 10,
runs again, and must do nothing the second time). Only the free list is lost with it: SQLite's own check
names those pages ("Page N is never used") and they are listed again.

The copy becomes the history only when SQLite then finds it sound and its schema is one this program
wrote; a record that does not read as the store reads it is removed, as a salvage would leave it out
(``record_repair.garbled_rows``, which checks the search index too). Anything else falls back to the
page-by-page salvage. No row is copied: a gigabyte takes a file copy and SQLite's check, and the search
index and row numbers stay as they were.
"""

from __future__ import annotations

import sqlite3
import struct
from pathlib import Path

from desktop.history.free_list import add_to_free_list, never_used
from desktop.history.migrations import schema_steps
from desktop.history.record_repair import NotRecordDamage, delete_rows, garbled_rows
from desktop.history.salvage import repaired_in_copy
from desktop.history.sqlite_pages import (
    HEADER_SIZE,
    MAGIC,
    TABLE_INTERIOR,
    TABLE_LEAF,
    PageDamage,
    PageFile,
    decode_record,
    record_width,
)
from desktop.history.table_interior import interior_over, leaf_of

_SCHEMA_KINDS = ("table", "index", "trigger", "view")  # what a schema row's first value says


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
        _schema_root_written_again(copy)
        return _make_sound(copy, page_size)

    refusals = (NotHeaderDamage, NotRecordDamage, sqlite3.Error, UnicodeDecodeError)
    return repaired_in_copy(aside, target, repair, refusals)


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


def _schema_root_written_again(copy: Path) -> None:
    """Write page 1's b-tree again over the schema's leaves when it went with the header (the page zeroed).

    Page 1 is the root of the schema's own table; this program's schema takes more than one page, so its
    rows are on leaves elsewhere (``table_interior``): table leaves whose records are schema rows (type,
    name, table, root, SQL). A page that looks like the schema's root is left as it is.
    """
    with PageFile(copy) as pages:
        first = pages.page(1)
        if first is None or first[HEADER_SIZE] in (TABLE_INTERIOR, TABLE_LEAF):
            return
        shape = pages.shape
        leaves = [leaf_of(n, data) for n, data in pages.every_page() if _holds_schema(pages, n, data)]
        found = [leaf for leaf in leaves if leaf is not None]
        if not found:
            raise NotHeaderDamage("the first page is lost with the schema's rows on it")
        interior = interior_over(found, 1, shape.page_count, shape.page_size, shape.usable)
    if interior.page_count != shape.page_count:
        raise NotHeaderDamage("the schema's leaves need more than the first page above them")
    with copy.open("r+b") as out:
        out.seek(HEADER_SIZE)
        out.write(interior.pages[1][HEADER_SIZE:])


def _holds_schema(pages: PageFile, number: int, data: bytes) -> bool:
    """Tell whether a page is a table leaf of schema rows (type, name, table, root, SQL)."""
    if data[0] != TABLE_LEAF or record_width(data, pages.shape.usable) != 5:
        return False
    try:
        _, cells = pages.cells(number)
        values = decode_record(cells[0][2] or b"")
    except (PageDamage, UnicodeDecodeError, IndexError):
        return False
    return len(values) == 5 and values[0] in _SCHEMA_KINDS and isinstance(values[1], str)


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
        garbled = garbled_rows(copy, db)  # as the record repair judges them, and the search index checked
        if any(garbled.values()):
            delete_rows(db, garbled)
        removed = len(garbled.get("observations", []))
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
