"""A SQLite database image made of table leaf pages copied from another file, for SQLite to read them.

A salvage finds the leaf pages of a damaged history page by page (``desktop.sqlite_pages``); decoding
their records in Python would cost most of its time (a million records). Copied as they are under a fresh
root page, with a one-row schema naming their table, they form a small database that SQLite reads itself
(``sqlite3.Connection.deserialize``): the records are decoded in C. Only leaves whose cells all lie
within the page go in (``sqlite_pages.is_plain_leaf``); a cell there points nowhere else. The format is
the one documented at https://www.sqlite.org/fileformat2.html.
"""

from __future__ import annotations

import sqlite3
import struct
from collections.abc import Sequence

from desktop.sqlite_pages import HEADER_SIZE, MAGIC, TABLE_INTERIOR, TABLE_LEAF

TABLE = "rescued"  # the one table of an image
_CODECS = {1: "utf-8", 2: "utf-16-le", 3: "utf-16-be"}  # the header's text encodings
_INTERIOR_CELL = 4 + 3 + 2  # child page, key (< 2**21: three varint bytes), pointer


def varint_bytes(value: int) -> bytes:
    """Return ``value`` (0 <= value < 2**56) as a SQLite varint."""
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes(reversed(out))


def leaves_per_image(usable: int) -> int:
    """Return how many leaf pages one root page points to (its cells, and its right-most child)."""
    return (usable - 12) // _INTERIOR_CELL + 1


def leaf_image(
    leaves: Sequence[bytes], create_sql: str, page_size: int, reserved: int, encoding: int = 1
) -> bytes | None:
    """Return a database whose table ``TABLE`` (made by ``create_sql``) holds the rows of ``leaves``.

    None when the schema does not fit on the first page. Every leaf must hold at least one cell (SQLite
    takes an empty child page for damage); at most ``leaves_per_image`` of them.
    """
    usable = page_size - reserved
    if not leaves or len(leaves) > leaves_per_image(usable):
        raise ValueError(f"an image holds 1 to {leaves_per_image(usable)} leaves, not {len(leaves)}")
    pages = 2 + len(leaves) if len(leaves) > 1 else 2
    first = _first_page(create_sql, page_size, usable, reserved, encoding, pages)
    if first is None:
        return None
    root = _root_page(len(leaves), page_size, usable) if len(leaves) > 1 else b""
    return b"".join((first, root, *leaves))


def _first_page(
    sql: str, page_size: int, usable: int, reserved: int, encoding: int, pages: int
) -> bytes | None:
    """Return page 1: the file header and the schema table holding the one table (its root is page 2)."""
    codec = _CODECS.get(encoding, "utf-8")
    texts = [t.encode(codec) for t in ("table", TABLE, TABLE)] + [sql.encode(codec)]
    serials = [13 + 2 * len(t) for t in texts[:3]] + [1, 13 + 2 * len(texts[3])]
    types = b"".join(varint_bytes(s) for s in serials)
    header_size = len(types) + 1 if len(types) + 1 < 0x80 else len(types) + 2
    payload = varint_bytes(header_size) + types + b"".join(texts[:3]) + b"\x02" + texts[3]
    cell = varint_bytes(len(payload)) + varint_bytes(1) + payload
    start = usable - len(cell)
    if len(payload) > usable - 35 or start < HEADER_SIZE + 8 + 2:
        return None
    header = bytearray(HEADER_SIZE)
    header[:16] = MAGIC
    struct.pack_into(
        ">HBBBBBB", header, 16, page_size if page_size < 65536 else 1, 1, 1, reserved, 64, 32, 32
    )
    struct.pack_into(">IIIIIIIIIIII", header, 24, 1, pages, 0, 0, 1, 4, 0, 0, encoding, 0, 0, 0)
    struct.pack_into(">II", header, 92, 1, sqlite3.sqlite_version_info[0] * 1_000_000)
    page = bytearray(page_size)
    page[:HEADER_SIZE] = header
    struct.pack_into(">BHHHBH", page, HEADER_SIZE, TABLE_LEAF, 0, 1, start, 0, start)
    page[start : start + len(cell)] = cell
    return bytes(page)


def _root_page(count: int, page_size: int, usable: int) -> bytes:
    """Return page 2: an interior page whose children are pages 3 .. 2 + ``count``, keyed 1, 2, 3 and on."""
    cells = [struct.pack(">I", 3 + i) + varint_bytes(i + 1) for i in range(count - 1)]
    page = bytearray(page_size)
    end = usable
    pointers = []
    for cell in cells:
        end -= len(cell)
        page[end : end + len(cell)] = cell
        pointers.append(end)
    struct.pack_into(">BHHHBI", page, 0, TABLE_INTERIOR, 0, len(cells), end, 0, 2 + count)
    struct.pack_into(f">{len(pointers)}H", page, 12, *pointers)
    return bytes(page)
