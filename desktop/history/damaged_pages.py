"""Finding the damaged pages of a history file: each b-tree walked through its interior pages.

A page is damaged when it is not a page of its tree's kind, when a leaf holds no cell (SQLite never
leaves one empty but a root), when SQLite's quick check names it, or when its cells do not read though
its header looks right. ``page_repair`` cuts what is found here out of its tree, or writes it again.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from desktop.history.queries import SEARCH_TABLE
from desktop.history.sqlite_pages import (
    BAD_CELL,
    HEADER_SIZE,
    INDEX_INTERIOR,
    INDEX_LEAF,
    TABLE_INTERIOR,
    TABLE_LEAF,
    PageDamage,
    PageFile,
)

SEARCH_PARTS = ("data", "idx", "docsize")  # the search index's tables (``_config`` holds its settings)
SEARCH_TREES = frozenset(f"{SEARCH_TABLE}_{part}" for part in SEARCH_PARTS)
MOST_LOST_PAGES = 1024  # beyond (4 MB of pages), the file is read page by page: no longer a few bad pages
_GAP = 16  # pages between two lost ones read cell by cell (``_garbled_beside``)
_READ_AT_ONCE = 1 << 20  # bytes of the file read at once to look at every page's header
# The page a message of SQLite's integrity check names: "On tree page N cell M: ..." (SQLite 3.40),
# "Tree R page N cell M: ..." (3.43 on).
_NAMED_PAGE = re.compile(r"(?:On tree page|Tree \d+ page) (\d+)")


class NotPageDamage(Exception):
    """The damage is not a few pages this repair can cut out: salvage the file page by page."""


class PagesWhole(Exception):
    """No page is damaged, by its header or by SQLite's check: the damage is inside records, if anywhere."""


@dataclass(frozen=True)
class Tree:
    """One b-tree of the file: the schema entry it stores, its table, its root, whether rows are keyed."""

    name: str
    table: str
    root: int
    rowid: bool  # a table keyed by row id (else an index, or a table WITHOUT ROWID)

    @property
    def kinds(self) -> tuple[int, int]:
        """Return its (interior, leaf) page types."""
        return (TABLE_INTERIOR, TABLE_LEAF) if self.rowid else (INDEX_INTERIOR, INDEX_LEAF)


@dataclass(frozen=True)
class LostPage:
    """A damaged page, the tree it belonged to and its parent page."""

    number: int
    tree: Tree
    parent: int
    last: bool  # the right-most page of its level: it held (or led to) the tree's largest keys
    subtree: bool = False  # an interior page: the pages below it are no longer reached
    root: bool = False  # the tree's root: an index starts again empty, a table's is written over its leaves
    kept: bool = False  # a table's root written again over every one of its rows: nothing to rebuild


def find_trees(copy: Path) -> tuple[list[Tree], list[tuple[str, str, str, int | None, str]]]:
    """Return the file's b-trees and its schema (the log written in first); raise if its schema is lost."""
    db = sqlite3.connect(copy, isolation_level=None)
    try:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        rows = db.execute("SELECT type, name, tbl_name, rootpage, sql FROM sqlite_master").fetchall()
    finally:
        db.close()
    trees = [Tree("sqlite_master", "sqlite_master", 1, rowid=True)]
    for kind, name, table, root, sql in rows:
        if isinstance(root, int) and root > 1:
            keyed = kind == "table" and "WITHOUT ROWID" not in str(sql or "").upper()
            trees.append(Tree(name, table, root, rowid=keyed))
    return trees, [row for row in rows if row[4] is not None]


def _page_heads(path: Path, size: int) -> tuple[bytes, bytes]:
    """Return every page's type byte, and whether it holds a cell, by page (index 0 = page 1).

    One pass over the file a megabyte at a time, each byte picked out in C: a gigabyte in about 0.1 s.
    """
    types, counts = bytearray(), bytearray()
    with path.open("rb") as file:
        while block := file.read(_READ_AT_ONCE - _READ_AT_ONCE % size):
            types += block[0::size]
            counts += bytes(a | b for a, b in zip(block[3::size], block[4::size], strict=False))
    return bytes(types), bytes(counts)


def lost_pages(copy: Path, pages: PageFile, trees: list[Tree]) -> tuple[list[LostPage], set[int], set[int]]:
    """Return the damaged pages of every tree, the pages the walks reached, and those SQLite named.

    A page is damaged when it is not a page of its tree's kind or a leaf holds no cell (SQLite never
    leaves one empty but a root). When no page looks damaged so, the damage is inside a page whose header
    looks right: SQLite's quick check names the pages where it found it (``_named_by_check``), and they are
    taken as damaged. So too when several pages look damaged, or the walk fails: garbage over a run of
    pages leaves some headers looking right (one page in 64 by chance).
    """
    if pages.shape.header_rebuilt:
        raise NotPageDamage("the header is damaged")
    types, counts = _page_heads(copy, pages.shape.page_size)
    named: set[int] = set()
    lost: list[LostPage] | None = None  # when the walk fails: where the damage is, is not known yet
    with contextlib.suppress(NotPageDamage):
        lost, seen = _walked(pages, trees, (types, counts))
    if lost is None or len(lost) != 1:
        named = _deepest(pages, types, _named_by_check(copy, whole=lost == []))
        named |= _garbled_beside(pages, types, lost or [])
        marked = bytearray(types)
        for number in named:
            if 1 < number <= len(marked):
                marked[number - 1] = 0  # no page type: the walk takes it as damaged
        lost, seen = _walked(pages, trees, (bytes(marked), counts))
    if not lost:
        raise NotPageDamage("no page of a tree is damaged")
    if len(lost) > MOST_LOST_PAGES:
        raise NotPageDamage("too many pages are damaged")
    return lost, seen, named


def _garbled_beside(pages: PageFile, types: bytes, lost: list[LostPage]) -> set[int]:
    """Return the pages next to or between lost ones whose header looks right but whose cells do not read.

    Garbage written over a run of pages leaves one header in 64 looking right by chance; SQLite's check
    may give up on such a page before it names any. Each page beside a lost one, or in a gap of at most
    ``_GAP`` pages between two, is read cell by cell: a cell off its page, or keys out of order, is garbage.
    """
    numbers = sorted({page.number for page in lost})
    near = {n + step for n in numbers for step in (-1, 1)}
    for before, after in zip(numbers, numbers[1:], strict=False):
        if after - before <= _GAP:
            near.update(range(before + 1, after))
    return {n for n in near - set(numbers) if 1 < n <= len(types) and not _cells_read(pages, n, types[n - 1])}


def _cells_read(pages: PageFile, number: int, kind: int) -> bool:
    """Tell whether a b-tree page's cells all read, table keys in order (True for a page of no tree kind)."""
    if kind not in (TABLE_INTERIOR, TABLE_LEAF, INDEX_INTERIOR, INDEX_LEAF):
        return True  # an overflow or free page: no header to judge; the walk judges b-tree pages
    try:
        _, cells = pages.cells(number)
    except PageDamage:
        return False
    if any(cell == BAD_CELL for cell in cells):
        return False
    keys = [rowid for _, rowid, _ in cells if rowid is not None]
    children = [child for child, _, _ in cells if child is not None]
    in_file = all(1 < child <= pages.shape.page_count for child in children)
    return in_file and all(a < b for a, b in zip(keys, keys[1:], strict=False))


def _deepest(pages: PageFile, types: bytes, named: set[int]) -> set[int]:
    """Return the named pages but interior pages with a named child: the check names parents of damage too.

    A leaf whose cells cannot be read makes its parent's keys look "out of order" (the leaf is the damaged
    page); an interior page whose own cells are garbage names no child and stays.
    """
    deepest = set()
    for number in named:
        if 1 < number <= len(types) and types[number - 1] in (TABLE_INTERIOR, INDEX_INTERIOR):
            try:
                if not named.isdisjoint(_children(pages, number)):
                    continue
            except (NotPageDamage, PageDamage):
                pass
        deepest.add(number)
    return deepest


def _walked(
    pages: PageFile, trees: list[Tree], heads: tuple[bytes, bytes]
) -> tuple[list[LostPage], set[int]]:
    """Return the damaged pages of every tree (``_walk``) and the pages the walks reached."""
    seen: set[int] = set()
    lost = []
    for tree in trees:
        lost += _walk(pages, tree, *heads, seen)
    return lost, seen


def _named_by_check(copy: Path, *, whole: bool) -> set[int]:
    """Return the pages SQLite's quick check names as damaged ("On tree page N cell M: ...").

    The page a message names is where the check found the damage: a cell running off its page, keys out of
    order, a child page number no page has (named on the parent). At most ``MOST_LOST_PAGES`` messages.
    ``PagesWhole`` when the check finds nothing and no page looked damaged (``whole``).
    """
    db = sqlite3.connect(copy, isolation_level=None)
    messages: list[str] = []
    try:
        cursor = db.execute(f"PRAGMA quick_check({MOST_LOST_PAGES})")
        while (row := cursor.fetchone()) is not None:
            messages.append(str(row[0]))
    except sqlite3.DatabaseError:
        pass  # the check gave up: what it named before still says where
    finally:
        db.close()
    if messages == ["ok"] and whole:
        raise PagesWhole("SQLite's check finds every page as it expects")
    return {int(n) for message in messages for n in _NAMED_PAGE.findall(message)}


def _walk(pages: PageFile, tree: Tree, types: bytes, counts: bytes, seen: set[int]) -> list[LostPage]:
    """Walk ``tree`` level by level, reading interior pages only; return its damaged pages.

    All leaves of a b-tree are on one level: a damaged page among interior pages was interior itself,
    and the pages below it are reached no more.
    """
    level: list[tuple[int, int]] = [(tree.root, 0)]  # (page, parent)
    lost: list[LostPage] = []
    while True:
        below, damaged = _next_level(pages, tree, level, (types, counts), seen)
        if damaged and len(damaged) == len(level):
            if not (_rebuilt_whole(tree) or tree.rowid) or tree.root == 1:
                raise NotPageDamage("a root or a whole level is damaged")
            return [LostPage(tree.root, tree, 0, last=True, root=True)]
        rightmost = level[-1][0]
        lost += [LostPage(n, tree, parent, n == rightmost, subtree=bool(below)) for n, parent in damaged]
        if not below:
            return lost
        level = below


def _rebuilt_whole(tree: Tree) -> bool:
    """Tell whether ``tree`` holds nothing SQLite cannot build again: an index, or the search index's words.

    Such a tree that lost its root or a whole level starts again from an empty root; its other pages are
    listed free once no tree uses them. (The search index is then built beside and moved in: opening it
    in place would read its structure, which was in the pages lost.)
    """
    index = not tree.rowid and tree.name != tree.table
    return index or tree.name in SEARCH_TREES


def _next_level(
    pages: PageFile, tree: Tree, level: list[tuple[int, int]], heads: tuple[bytes, bytes], seen: set[int]
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Return the pages one level below ``level`` (page, parent) and the damaged pages of ``level``."""
    interior, leaf = tree.kinds
    types, counts = heads
    below: list[tuple[int, int]] = []
    damaged: list[tuple[int, int]] = []
    for number, parent in level:
        if not 1 <= number <= len(types) or number in seen:
            raise NotPageDamage("a page is missing or in two places")
        seen.add(number)
        kind = types[number - 1] if number != 1 else _first_page_kind(pages)
        children = _children_sound(pages, number, seen) if kind == interior else None
        if children is not None:
            below += [(child, number) for child in children]
        elif kind == interior or kind != leaf or (parent and not counts[number - 1]):
            damaged.append((number, parent))
    return below, damaged


def _children_sound(pages: PageFile, number: int, seen: set[int]) -> list[int] | None:
    """Return an interior page's children; None when its cells are garbage (a child no page, or seen).

    Garbage over a page whose type byte looks right names children at random: beyond the file's end.
    """
    try:
        children = _children(pages, number)
    except (NotPageDamage, PageDamage):
        return None
    last = pages.shape.page_count
    if len(set(children)) != len(children) or not all(1 < c <= last and c not in seen for c in children):
        return None
    return children


def _first_page_kind(pages: PageFile) -> int:
    """Return page 1's b-tree type (after the file's header)."""
    data = pages.page(1)
    if data is None:
        raise NotPageDamage("the first page is missing")
    return data[HEADER_SIZE]


def _children(pages: PageFile, number: int) -> list[int]:
    """Return an interior page's children left to right (the right-most last)."""
    data = pages.page(number)
    if data is None:
        raise NotPageDamage("a page is missing")
    children = pages.children(number, data)
    at = HEADER_SIZE if number == 1 else 0
    if len(children) != int.from_bytes(data[at + 3 : at + 5], "big") + 1:
        raise NotPageDamage("an interior page is damaged")
    return children[1:] + children[:1]
