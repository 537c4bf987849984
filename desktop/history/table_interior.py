"""A table's interior pages written again over its leaves, when its root or a whole level of them is lost.

A table b-tree's leaves hold its rows in order of row id; the interior pages above them hold only, for
each child, its page number and the largest row id below it (https://www.sqlite.org/fileformat2.html,
"B-tree Pages"). Lost, they can be written again from the leaves alone: sorted by their first row id,
packed as full as a page takes, level by level up to one root, which keeps its page number (the schema
names it). The pages of the levels below the root are added at the end of the file; the old interior pages
are then in no tree, and ``page_repair`` lists them free.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from desktop.history.sqlite_pages import HEADER_SIZE, TABLE_INTERIOR, PageDamage, varint

_HEADER = 12  # an interior page's header: type, free block, cells, content start, fragments, right child
_POINTER = 2  # a cell's place in the pointer array


@dataclass(frozen=True)
class Leaf:
    """One leaf of the table: its page, the first and last row ids on it, and how many rows it holds."""

    number: int
    first: int
    last: int
    cells: int


@dataclass(frozen=True)
class Interior:
    """The interior pages written again: by page number (the root's among them), and the file's new length."""

    pages: dict[int, bytes]
    page_count: int


def leaf_of(number: int, data: bytes) -> Leaf | None:
    """Return a table leaf page's first and last row ids (None when it holds no cell)."""
    count = int.from_bytes(data[3:5], "big")
    if not count:
        return None
    return Leaf(number, _rowid(data, 0), _rowid(data, count - 1), count)


def _rowid(data: bytes, cell: int) -> int:
    at = int.from_bytes(data[8 + 2 * cell : 10 + 2 * cell], "big")
    if not 8 <= at < len(data):
        raise PageDamage("a cell pointer points off its page")
    _, after_size = varint(data, at)
    return varint(data, after_size)[0]


def interior_over(leaves: list[Leaf], root: int, page_count: int, size: int, usable: int) -> Interior:
    """Return the interior pages over ``leaves`` (any order) up to the root page ``root``.

    Raises ``PageDamage`` when two leaves hold overlapping row ids: they are not one table's. Page 1 (the
    schema's root) keeps the file's 100-byte header before its own.
    """
    ordered = sorted(leaves, key=lambda leaf: leaf.first)
    for before, after in zip(ordered, ordered[1:], strict=False):
        if before.last >= after.first:
            raise PageDamage("two leaves hold the same row ids")
    level = [(leaf.number, leaf.last) for leaf in ordered]
    pages: dict[int, bytes] = {}
    while True:
        groups = _groups(level, usable)
        if len(groups) == 1 and (root != 1 or len(_groups(level, usable - HEADER_SIZE)) == 1):
            pages[root] = _page(groups[0], size, usable, HEADER_SIZE if root == 1 else 0)
            return Interior(pages, page_count)
        above = []
        for group in groups:
            page_count += 1
            pages[page_count] = _page(group, size, usable)
            above.append((page_count, group[-1][1]))
        level = above


def _groups(level: list[tuple[int, int]], usable: int) -> list[list[tuple[int, int]]]:
    """Split (child, largest row id) into runs that each fit one interior page (the last one on the right)."""
    groups: list[list[tuple[int, int]]] = [[]]
    room = usable - _HEADER
    for child in level:
        need = _POINTER + len(_cell(*child))
        if groups[-1] and need > room:
            groups.append([])
            room = usable - _HEADER
        groups[-1].append(child)
        room -= need
    return groups


def _page(children: list[tuple[int, int]], size: int, usable: int, at: int = 0) -> bytes:
    """Return an interior table page (its header at ``at``): a cell a child, the last the right-most."""
    page = bytearray(size)
    *cells, (right, _) = children
    end = usable
    for i, child in enumerate(cells):
        raw = _cell(*child)
        end -= len(raw)
        page[end : end + len(raw)] = raw
        struct.pack_into(">H", page, at + _HEADER + _POINTER * i, end)
    struct.pack_into(">BHHHBI", page, at, TABLE_INTERIOR, 0, len(cells), end % 65536, 0, right)
    return bytes(page)


def _cell(child: int, key: int) -> bytes:
    return struct.pack(">I", child) + _varint(key)


def _varint(value: int) -> bytes:
    """Return SQLite's varint of a row id (https://www.sqlite.org/fileformat2.html#varint)."""
    value &= (1 << 64) - 1
    if value >= 1 << 56:
        head = value >> 8
        groups = [(head >> (7 * i)) & 0x7F for i in range(8)][::-1]
        return bytes(g | 0x80 for g in groups) + bytes([value & 0xFF])
    groups = [value & 0x7F]
    value >>= 7
    while value:
        groups.append(value & 0x7F)
        value >>= 7
    groups.reverse()
    return bytes([g | 0x80 for g in groups[:-1]] + [groups[-1]])
