"""A history that lost a few leaf pages, repaired in a copy: each lost page cut out of its tree.

Most damage is a few pages of a file otherwise whole (a bad sector, a block the disk wrote garbage into):
copying a gigabyte row by row to save it takes longer than the 30 s a salvage may take (``salvage``). Here
the file is copied as it is, and each damaged leaf page is taken out of its b-tree: its parent page is
written again without the cell pointing to it (https://www.sqlite.org/fileformat2.html#b_tree_pages) and
the page joins the free list. A table leaf holds the rows of one range of row ids, so the table then reads
whole but for them; SQLite rebuilds what pointed at them, or at the pages' lost entries:

* the table's indexes (``REINDEX``): an index that lost a leaf is rebuilt from its table the same way;
* the search index, when a page of its own was lost, or when the table lost its last page (new rows would
  take those row ids again and inherit their words). Otherwise the words of the lost rows stay in it: a
  search joins its row ids to the table's, so they never show, and row ids are never taken again;
* rows of other tables pointing at a lost observation (``salvage.remove_rows_pointing_nowhere``).

The copy becomes the history only when it passes every check an opening makes (``integrity``); any
other damage (an interior page, page 1, a page on the free list, garbage inside a page whose header
looks right) makes no repair, and the page-by-page salvage reads the file instead.
"""

from __future__ import annotations

import shutil
import sqlite3
import struct
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from desktop.history.bulk import rebuild_search_index
from desktop.history.files import put_in_place, remove_with_companions
from desktop.history.free_list import add_to_free_list, never_used
from desktop.history.integrity import check_records, is_damage
from desktop.history.queries import SEARCH_TABLE
from desktop.history.refill import SALVAGE_WORDS_IN_MEMORY
from desktop.history.salvage import remove_rows_pointing_nowhere
from desktop.history.sqlite_pages import (
    HEADER_SIZE,
    INDEX_INTERIOR,
    INDEX_LEAF,
    TABLE_INTERIOR,
    TABLE_LEAF,
    PageDamage,
    PageFile,
    PageWalker,
    Walk,
    varint,
)

REPAIRING_SUFFIX = ".repairing"  # the copy being repaired, beside the history
SEARCH_BESIDE_SUFFIX = ".search"  # the copy's search index, built beside it on a second thread
_SEARCH_PARTS = ("data", "idx", "docsize")  # the search index's tables (``_config`` holds its settings)
MOST_LOST_LEAVES = 64  # beyond, the file is read page by page: this is no longer a few bad pages
_READ_AT_ONCE = 1 << 20  # bytes of the file read at once to look at every page's header


class NotPageDamage(Exception):
    """The damage is not a few leaf pages this repair can cut out: salvage the file page by page."""


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
class LostLeaf:
    """A damaged leaf page, the tree it belonged to and its parent page."""

    number: int
    tree: Tree
    parent: int
    last: bool  # the right-most leaf of its tree: it held the largest keys


def repair_pages(aside: Path, target: Path) -> tuple[int, int | None] | None:
    """Write ``aside`` to ``target`` with its damaged leaf pages cut out; return (observations, lost).

    None (``target`` untouched) when the damage is not of that kind or the copy is not sound after.
    An ``OSError`` (no room for the copy) is raised after the copy is removed.
    """
    copy = target.with_name(target.name + REPAIRING_SUFFIX)
    remove_with_companions(copy)
    try:
        shutil.copyfile(aside, copy)
        wal = aside.with_name(aside.name + "-wal")
        if wal.exists():
            shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
        trees = _trees(copy)  # and the log's pages written into the file
        with PageFile(copy) as pages:
            lost = _lost_leaves(copy, pages, trees)
            parents = _parents_without(pages, lost)
            observations = _observations_indexed(pages, trees, lost)
        _write_pages(copy, pages.shape.page_size, parents, [leaf.number for leaf in lost])
        _rebuild(copy, trees, lost)
        after = _checked_whole(copy, pages.shape.page_size)
    except (NotPageDamage, PageDamage, sqlite3.Error, UnicodeDecodeError):
        remove_with_companions(copy)
        return None
    except BaseException:
        remove_with_companions(copy)
        raise
    put_in_place(copy, target)
    return after, None if observations is None else max(observations - after, 0)


# ----------------------------------------------------------------- finding the damaged leaves
def _trees(copy: Path) -> list[Tree]:
    """Return the file's b-trees (the log written into the file first); raise if its schema is lost."""
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
    return trees


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


def _lost_leaves(copy: Path, pages: PageFile, trees: list[Tree]) -> list[LostLeaf]:
    """Return the damaged leaf pages of every tree; raise ``NotPageDamage`` for any other damage.

    A leaf is damaged when it is not a leaf of its tree's kind or holds no cell (SQLite never leaves a
    leaf empty but a root). Garbage inside a page whose header looks right is found by the checks after.
    """
    if pages.shape.header_rebuilt:
        raise NotPageDamage("the header is damaged")
    types, counts = _page_heads(copy, pages.shape.page_size)
    seen: set[int] = set()
    lost = []
    for tree in trees:
        lost += _walk(pages, tree, types, counts, seen)
    if not lost:
        raise NotPageDamage("no leaf page is damaged")
    if len(lost) > MOST_LOST_LEAVES:
        raise NotPageDamage("too many pages are damaged")
    return lost


def _walk(pages: PageFile, tree: Tree, types: bytes, counts: bytes, seen: set[int]) -> list[LostLeaf]:
    """Walk ``tree`` level by level, reading interior pages only; return its damaged leaves.

    All leaves of a b-tree are on one level: a damaged page among interior pages was interior itself
    (its whole subtree would be lost), which no repair here cuts out.
    """
    level: list[tuple[int, int]] = [(tree.root, 0)]  # (page, parent)
    while True:
        below, damaged = _next_level(pages, tree, level, (types, counts), seen)
        if below and damaged or damaged and len(damaged) == len(level):
            raise NotPageDamage("an interior page or a whole level is damaged")
        if not below:
            rightmost = level[-1][0]
            return [LostLeaf(number, tree, parent, number == rightmost) for number, parent in damaged]
        level = below


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
        if kind == interior:
            below += [(child, number) for child in _children(pages, number)]
        elif kind != leaf or (parent and not counts[number - 1]):
            damaged.append((number, parent))
    return below, damaged


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


# ----------------------------------------------------------------- cutting them out
def _parents_without(pages: PageFile, lost: list[LostLeaf]) -> dict[int, bytes]:
    """Return each parent page of a lost leaf written again without the cells pointing at lost leaves."""
    gone = {leaf.number for leaf in lost}
    parents = {}
    for parent in {leaf.parent for leaf in lost}:
        if parent == 1:
            raise NotPageDamage("the schema's first page would change")
        parents[parent] = _without(pages, parent, gone)
    return parents


def _without(pages: PageFile, number: int, gone: set[int]) -> bytes:
    """Return interior page ``number`` holding its cells but those whose child is in ``gone``.

    The cells are packed at the page's end as SQLite packs them (no free block, no fragment). The right-
    most child, when it is gone, is replaced by the last cell's child (that cell's key goes: the keys only
    bound the children, and the parent's own bound still holds).
    """
    data = pages.page(number)
    assert data is not None  # walked before
    kind, usable = data[0], pages.shape.usable
    count, right = int.from_bytes(data[3:5], "big"), int.from_bytes(data[8:12], "big")
    cells = []
    for i in range(count):
        at = int.from_bytes(data[12 + 2 * i : 14 + 2 * i], "big")
        cells.append((int.from_bytes(data[at : at + 4], "big"), data[at : _cell_end(data, kind, at, usable)]))
    while right in gone and cells:
        right = cells.pop()[0]
    cells = [(child, raw) for child, raw in cells if child not in gone]
    if not cells or right in gone:
        raise NotPageDamage("a page would be left with one child")
    page = bytearray(data)
    end = usable
    for i, (_child, raw) in enumerate(cells):
        end -= len(raw)
        page[end : end + len(raw)] = raw
        page[12 + 2 * i : 14 + 2 * i] = end.to_bytes(2, "big")
    struct.pack_into(">BHHHBI", page, 0, kind, 0, len(cells), end, 0, right)
    return bytes(page)


def _cell_end(data: bytes, kind: int, at: int, usable: int) -> int:
    """Return where an interior page's cell at ``at`` ends (a table's: child and key; an index's: record)."""
    if kind == TABLE_INTERIOR:
        return varint(data, at + 4)[1]
    size, start = varint(data, at + 4)
    most, least = (usable - 12) * 64 // 255 - 23, (usable - 12) * 32 // 255 - 23
    if size <= most:
        end = start + size
    else:
        local = least + (size - least) % (usable - 4)
        end = start + (local if local <= most else least) + 4  # and the first overflow page's number
    if end > usable:
        raise PageDamage("a cell runs past the end of its page")
    return end


def _write_pages(copy: Path, size: int, parents: dict[int, bytes], freed: list[int]) -> None:
    """Write the parents again and put the lost leaves on the free list."""
    with copy.open("r+b") as out:
        for number, page in parents.items():
            out.seek((number - 1) * size)
            out.write(page)
    add_to_free_list(copy, freed, size)


# ----------------------------------------------------------------- rebuilding what pointed at them
def _rebuild(copy: Path, trees: list[Tree], lost: list[LostLeaf]) -> None:
    """Rebuild what the lost leaves left wrong (indexes, search index) and check every record.

    Two threads read the rows at once, each on its own connection (the copy keeps its log, so readers
    never wait for the writer): this one rebuilds, the other checks every record as an opening does.
    When both the indexes and the search index are rebuilt, the other builds the search index in a
    file beside (moved in after) and this one checks the records once the indexes are done.
    """
    indexes, search = _to_rebuild(trees, lost)
    beside = copy.with_name(copy.name + SEARCH_BESIDE_SUFFIX) if search and indexes else None
    db = sqlite3.connect(copy, isolation_level=None)
    db.execute("PRAGMA synchronous = OFF")  # a copy that fails is thrown away; it is synced when finished
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            helper = pool.submit(_search_index_beside, copy, beside) if beside else None
            helper = helper or pool.submit(_records_checked, copy)
            try:
                db.execute("BEGIN IMMEDIATE")
                for index in indexes:
                    db.execute(f'REINDEX "{index}"')
                if search and not beside:
                    rebuild_search_index(db, SALVAGE_WORDS_IN_MEMORY)
                remove_rows_pointing_nowhere(db)
                db.execute("COMMIT")
                if beside is not None:
                    _records_checked(copy)  # the indexes take less time than the search index
            finally:
                helper.result()
        if beside is not None:
            _move_search_index_in(db, beside)
    finally:
        db.execute("PRAGMA synchronous = FULL")
        db.close()
        if beside is not None:
            remove_with_companions(beside)


def _checked_whole(copy: Path, page_size: int) -> int:
    """Make SQLite's check of the finished copy, listing free what no tree uses; return its observations.

    A cell of a lost page may have spilled onto overflow pages: no tree names them any more, and SQLite's
    check says so. They are put on the free list and the copy checked again; anything else is damage.
    """
    for _ in range(2):
        db = sqlite3.connect(copy, isolation_level=None)
        try:
            free = never_used(db)
            if free == []:
                return int(db.execute("SELECT COUNT(*) FROM observations").fetchone()[0])
        finally:
            db.close()
        if not free:
            break
        add_to_free_list(copy, free, page_size)
    raise NotPageDamage("SQLite finds damage in the repaired copy")


def _search_index_beside(copy: Path, beside: Path) -> None:
    """Build the copy's search index, from its rows, in a new file ``beside`` (no journal, no syncing)."""
    db = sqlite3.connect(beside, isolation_level=None, check_same_thread=False)
    try:
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        db.execute("ATTACH ? AS history", (str(copy),))
        create = "SELECT sql FROM history.sqlite_master WHERE name = ?"
        db.execute(db.execute(create, (SEARCH_TABLE,)).fetchone()[0])
        db.execute("BEGIN")
        rebuild_search_index(db, SALVAGE_WORDS_IN_MEMORY)  # "observations" is the attached history's
        db.execute("COMMIT")
    finally:
        db.close()


def _move_search_index_in(db: sqlite3.Connection, beside: Path) -> None:
    """Replace the copy's search index by the one built beside: its tables' rows, copied whole by SQLite.

    Its settings (``_config``) stay the copy's; the index itself is the other three tables.
    """
    db.execute("ATTACH ? AS beside", (str(beside),))
    try:
        db.execute("BEGIN IMMEDIATE")
        for part in _SEARCH_PARTS:
            table = f"{SEARCH_TABLE}_{part}"
            db.execute(f"DELETE FROM main.{table}")
            db.execute(f"INSERT INTO main.{table} SELECT * FROM beside.{table}")
        db.execute("COMMIT")
    finally:
        db.execute("DETACH beside")


def _records_checked(copy: Path) -> None:
    """Check every record of the copy as an opening does (``integrity.check_records``), on a connection."""
    reader = sqlite3.connect(copy, isolation_level=None, check_same_thread=False)
    try:
        _checked(check_records, reader)
    finally:
        reader.close()


def _checked(check: Callable[[sqlite3.Connection], None], db: sqlite3.Connection) -> None:
    """Run one of an opening's checks; damage it finds means this repair cannot be trusted."""
    try:
        check(db)
    except sqlite3.DatabaseError as exc:
        if is_damage(exc):
            raise NotPageDamage(str(exc)) from exc
        raise


def _to_rebuild(trees: list[Tree], lost: list[LostLeaf]) -> tuple[list[str], bool]:
    """Return the indexes to rebuild and whether the search index is rebuilt."""
    indexes: list[str] = []
    search = False
    for leaf in lost:
        name = leaf.tree.name
        if name.startswith(f"{SEARCH_TABLE}_"):
            search = True
        elif leaf.tree.rowid and name != "sqlite_master":
            indexes += [t.name for t in trees if t.table == name and not t.rowid]
            search |= name == "observations" and leaf.last
        elif not leaf.tree.rowid and leaf.tree.name != leaf.tree.table:
            indexes.append(name)
        else:
            raise NotPageDamage(f"a page of {name} is damaged")
    return sorted(set(indexes)), search


def _observations_indexed(pages: PageFile, trees: list[Tree], lost: list[LostLeaf]) -> int | None:
    """Return how many observations there were: entries of an index that lost no page (None: none did).

    Counted from the index pages' headers (``PageWalker.count``): SQLite counts with the smallest index
    whatever a query asks, and that may be one that lost a page.
    """
    damaged = {leaf.tree.name for leaf in lost}
    indexes = [t for t in trees if t.table == "observations" and not t.rowid and t.name not in damaged]
    for tree in sorted(indexes, key=lambda t: t.name.startswith("sqlite_autoindex")):  # ids: the largest
        walk = Walk()
        entries = PageWalker(pages).count(tree.root, walk)
        if not walk.damaged:
            return entries
    return None
