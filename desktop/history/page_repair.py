"""A history that lost a few pages, repaired in a copy: each lost page cut out of its tree.

Most damage is a few pages of a file otherwise whole (a bad sector, a block the disk wrote garbage into):
copying a gigabyte row by row to save it takes longer than the 30 s a salvage may take (``salvage``). Here
the file is copied as it is, its damaged pages are found (``damaged_pages``: a page not of its tree's
kind, or one SQLite's check names, or whose cells do not read), and each is taken out of its b-tree: its
parent page is written again without the cell pointing to it
(https://www.sqlite.org/fileformat2.html#b_tree_pages) and the page joins the free list. A table leaf
holds the rows of one range of row ids, so the table then reads whole but for them; the rows of a cut
leaf that still read and pass their table's checks are put back. SQLite rebuilds what pointed at the
rows lost, or at the pages' lost entries:

* the table's indexes (``REINDEX``): an index that lost a page is rebuilt from its table the same way;
* the search index, when a page of its own was lost, or when the table lost its last page (new rows would
  take those row ids again and inherit their words). Otherwise the words of the lost rows stay in it: a
  search joins its row ids to the table's, so they never show, and row ids are never taken again;
* rows of other tables pointing at a lost observation (``salvage.remove_rows_pointing_nowhere``).

A lost interior page of a table is cut out the same way; the rows of the leaves below it, which no tree
reaches any more, are put back. A table that lost its root or a whole level gets its interior pages
written again over its leaves (``table_interior``). An index, or a table of the search index, that lost
its root or a whole level starts again from an empty root and is built again whole. Pages no tree uses
afterwards are listed free. Damage found inside pages may have hit pages no check of an opening looks
into: the search index is then checked whole too.

The copy becomes the history only when it passes every check an opening makes (``integrity``); any other
damage (page 1, roots of two tables, garbage no check names) makes no repair: garbled records in whole
pages are ``record_repair``'s, the rest the page-by-page salvage's.
"""

from __future__ import annotations

import contextlib
import functools
import sqlite3
import struct
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from pathlib import Path

from desktop.history import search_beside
from desktop.history.bulk import rebuild_search_index
from desktop.history.damaged_pages import (
    SEARCH_TREES,
    LostPage,
    NotPageDamage,
    Tree,
    find_trees,
    lost_pages,
)
from desktop.history.files import remove_with_companions
from desktop.history.free_list import add_to_free_list, never_used
from desktop.history.integrity import check_records, is_damage
from desktop.history.interrupting import Interrupting
from desktop.history.queries import SEARCH_TABLE
from desktop.history.refill import SALVAGE_WORDS_IN_MEMORY
from desktop.history.row_copy import TableCopy
from desktop.history.salvage import (
    SOUND_OBSERVATION,
    TableShape,
    register_text_check,
    remove_rows_pointing_nowhere,
    repaired_in_copy,
    table_shapes,
)
from desktop.history.schema import SEARCH_INSERT_TRIGGER
from desktop.history.sqlite_pages import (
    TABLE_INTERIOR,
    TABLE_LEAF,
    PageDamage,
    PageFile,
    PageWalker,
    Walk,
    varint,
)
from desktop.history.table_interior import Interior, interior_over, leaf_of

MOST_ORPHAN_PAGES = 4096  # leaves whose rows are put back from below a lost interior page (16 MB)
_WAIT_FOR_WRITER = 600.0  # seconds the rebuild and a check written as an insert wait for each other


@dataclass(frozen=True)
class Orphans:
    """The rows of a table's leaves no longer reached, once an interior page above them was cut out."""

    table: str
    columns: tuple[str, ...]
    rows: list[tuple[object, ...]]  # in the order of ``columns`` (the row id first, unless a column is it)


def repair_pages(aside: Path, target: Path) -> tuple[int, int | None] | None:
    """Write ``aside`` to ``target`` with its damaged pages cut out; return (observations, lost).

    None (``target`` untouched) when the damage is not of that kind or the copy is not sound after.
    ``PagesWhole`` when no page is damaged at all (``record_repair`` takes that on). An ``OSError`` (no
    room for the copy) is raised after the copy is removed.
    """
    refusals = (NotPageDamage, PageDamage, sqlite3.Error, UnicodeDecodeError)
    return repaired_in_copy(aside, target, _repaired, refusals)


def _repaired(copy: Path) -> tuple[int, int | None]:
    """Cut the damaged pages out of ``copy``, rebuild what they leave wrong; return (observations, lost)."""
    trees, schema = find_trees(copy)  # and the log's pages written into the file
    with PageFile(copy) as pages:
        lost, seen, named = lost_pages(copy, pages, trees)
        interior, rows = _relinked(pages, lost, seen)
        parents = _parents_without(pages, lost)
        observations = _observations_indexed(pages, trees, lost)
        if rows is not None and rows == observations:
            lost = [replace(page, kept=page.root and page.tree.name == "observations") for page in lost]
        orphans = _orphans(pages, schema, lost, seen, named)
    _write_pages(copy, pages, parents, lost, interior)
    _rebuild(copy, trees, lost, orphans, named=bool(named))
    after = _checked_whole(copy, pages.shape.page_size)
    return after, None if observations is None else max(observations - after, 0)


def _orphans(
    pages: PageFile,
    schema: list[tuple[str, str, str, int | None, str]],
    lost: list[LostPage],
    seen: set[int],
    named: set[int],
) -> Orphans | None:
    """Return the rows to put back into one table once its damaged pages are cut out (None: there are none).

    They are the rows of the table leaves below a cut interior page, which no walk reached and no free
    list names (in a file SQLite wrote, every page is in one tree or on the list), and the readable rows
    of a cut leaf whose header looked right (``named`` by SQLite's check: the damage is inside). One
    table at most, and at most ``MOST_ORPHAN_PAGES`` leaves below cut interior pages.
    """
    shapes = table_shapes(schema)  # the plain tables: the search index's own are rebuilt, not refilled
    ours = [page for page in lost if page.tree.name in shapes]
    hanging = {page.tree.name for page in ours if page.subtree}
    readable = [page.number for page in ours if page.number in named and not (page.subtree or page.root)]
    tables = hanging | {page.tree.name for page in ours if page.number in readable}
    if not tables:
        return None
    if len(tables) > 1:
        raise NotPageDamage("two tables lost pages with rows to put back")
    shape = shapes[tables.pop()]
    leaves = readable + (_unreached_leaves(pages, seen) if hanging else [])
    keyed = shape.rowid_column is None  # else the row id is that column's value
    return Orphans(
        shape.name, ("rowid", *shape.columns) if keyed else shape.columns, _rows(pages, shape, leaves)
    )


def _rows(pages: PageFile, shape: TableShape, leaves: list[int]) -> list[tuple[object, ...]]:
    """Return the readable rows of ``leaves``, each in ``shape``'s columns (its row id first, if not one)."""
    keyed = shape.rowid_column is None
    rows = []
    for number in leaves:
        for rowid, values in PageWalker(pages).page_records(number, Walk()):
            row = shape.row(rowid, values)
            if row is not None and rowid is not None:
                rows.append((rowid, *row.values()) if keyed else tuple(row.values()))
    return rows


def _unreached_leaves(pages: PageFile, seen: set[int]) -> list[int]:
    """Return the table leaf pages no walk reached and no free list names (``MOST_ORPHAN_PAGES`` at most)."""
    found = [number for number, _ in _unreached(pages, seen)]
    if len(found) > MOST_ORPHAN_PAGES:
        raise NotPageDamage("too many pages hung from the lost page")
    return found


def _unreached(pages: PageFile, seen: set[int]) -> Iterator[tuple[int, bytes]]:
    """Yield (number, page) of the table leaves no walk reached nor free list names, a megabyte at a time."""
    free = pages.freelist()
    for number, data in pages.every_page():
        if data[0] == TABLE_LEAF and number not in seen and number not in free:
            yield number, data


def _table_root(lost: list[LostPage]) -> LostPage | None:
    """Return the lost root of a table of rows, if any; raise if other lost pages leave leaves unreached."""
    roots = [page for page in lost if page.root and page.tree.rowid and page.tree.name not in SEARCH_TREES]
    if not roots:
        return None
    if any(page.subtree or page.root for page in lost if page is not roots[0]):
        raise NotPageDamage("a table lost its root, and another tree more than leaves")
    return roots[0]


def _relinked(pages: PageFile, lost: list[LostPage], seen: set[int]) -> tuple[Interior | None, int | None]:
    """Return the interior pages of a table that lost its root or a level, over its leaves; and its rows.

    Its leaves are the table leaves no walk reached and no free list names: in a file SQLite wrote, every
    page is in one tree or on the list. So one table at most, and no other tree may have lost pages that
    leave leaves unreached. (None, None) when no table lost its root.
    """
    root = _table_root(lost)
    if root is None:
        return None, None
    leaves = [leaf for number, data in _unreached(pages, seen) if (leaf := leaf_of(number, data)) is not None]
    if not leaves:
        raise NotPageDamage("a table lost its root and no leaf of it is left")
    seen.update(leaf.number for leaf in leaves)
    shape = pages.shape
    interior = interior_over(leaves, root.number, shape.page_count, shape.page_size, shape.usable)
    return interior, sum(leaf.cells for leaf in leaves)


# ----------------------------------------------------------------- cutting them out
def _parents_without(pages: PageFile, lost: list[LostPage]) -> dict[int, bytes]:
    """Return each parent page of a lost leaf written again without the cells pointing at lost leaves."""
    gone = {leaf.number for leaf in lost if not leaf.root}
    parents = {}
    for parent in {leaf.parent for leaf in lost if not leaf.root}:
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


def _write_pages(
    copy: Path, pages: PageFile, parents: dict[int, bytes], lost: list[LostPage], interior: Interior | None
) -> None:
    """Write the parents again, a lost root as an empty leaf or over its table's leaves; free the others."""
    size = pages.shape.page_size
    roots = {page.number: _empty_leaf(page.tree, size, pages.shape.usable) for page in lost if page.root}
    written = {**parents, **roots, **(interior.pages if interior else {})}
    with copy.open("r+b") as out:
        for number, page in sorted(written.items()):
            out.seek((number - 1) * size)
            out.write(page)
        if interior is not None and interior.page_count > pages.shape.page_count:
            out.seek(28)  # the header's page count: the interior pages added at the end
            out.write(interior.page_count.to_bytes(4, "big"))
    add_to_free_list(copy, [page.number for page in lost if not page.root], size)


def _empty_leaf(tree: Tree, size: int, usable: int) -> bytes:
    """Return a leaf page of ``tree``'s kind holding no cell (https://www.sqlite.org/fileformat2.html)."""
    page = bytearray(size)
    struct.pack_into(">BHHHB", page, 0, tree.kinds[1], 0, 0, usable % 65536, 0)
    return bytes(page)


# ----------------------------------------------------------------- rebuilding what pointed at them
def _rebuild(
    copy: Path, trees: list[Tree], lost: list[LostPage], orphans: Orphans | None, *, named: bool
) -> None:
    """Rebuild what the lost pages left wrong (rows below them, indexes, search index); check every record.

    Two threads read the rows at once, each on its own connection (the copy keeps its log, so readers
    never wait for the writer): this one rebuilds, the other checks every record as an opening does.
    When both the indexes and the search index are rebuilt, the other builds the search index in a
    file beside (moved in after) and this one checks the records before it rebuilds the indexes (a
    garbled record ends the repair at once). Rows put back from below a lost interior page are checked
    after they are in, on this thread. The first failure on either thread interrupts the other's work.

    Garbage inside a page (``named`` by SQLite's check) may have hit other pages where no check of an
    opening sees it: a search index kept as it was is checked whole too (``_search_checked``).
    """
    indexes, search = _to_rebuild(trees, lost)
    check_search = named and not search
    beside = None
    search_root = any(page.root and page.tree.name in SEARCH_TREES for page in lost)
    if search and (indexes or search_root) and orphans is None:
        beside = search_beside.beside(copy)
    threads = Interrupting()  # the first failure stops the other thread's work: the repair is lost anyway
    db = sqlite3.connect(copy, isolation_level=None, timeout=_WAIT_FOR_WRITER)  # the check beside may write
    threads.opened(db)
    db.execute("PRAGMA synchronous = OFF")  # a copy that fails is thrown away; it is synced when finished
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            helper = _helper(pool, copy, beside, threads, records=orphans is None, search=check_search)
            here = functools.partial(_rebuilt_here, db, copy, indexes, orphans, threads, search=search,
                                     beside=beside is not None)  # fmt: skip
            _alongside(helper, threads, here)
        if beside is not None:
            with search_beside.attached(db, beside), _transaction(db):
                search_beside.move_in(db)
    finally:
        db.execute("PRAGMA synchronous = FULL")
        db.close()
        if beside is not None:
            remove_with_companions(beside)


def _rebuilt_here(
    db: sqlite3.Connection,
    copy: Path,
    indexes: list[str],
    orphans: Orphans | None,
    threads: Interrupting,
    *,
    search: bool,
    beside: bool,
) -> None:
    """Do this thread's part: rebuild the indexes, put rows back, check the records around them.

    With the search index built ``beside``, the records are checked first: a garbled record ends the
    repair before the indexes are rebuilt. Rows put back are checked once they are in.
    """
    if beside:
        _records_checked(copy, threads)
    _write(db, indexes, orphans, threads, search=search and not beside)
    if orphans is not None:
        _records_checked(copy, threads)


def _alongside(helper: Future[object] | None, threads: Interrupting, work: Callable[[], None]) -> None:
    """Run ``work`` while ``helper`` runs; the first failure of either interrupts the other and is raised."""
    try:
        work()
    except BaseException:
        threads.stop()
        if helper is not None:
            wait([helper])  # its "interrupted" says nothing: this failure is the one raised
        raise
    if helper is not None:
        helper.result()


def _helper(
    pool: ThreadPoolExecutor,
    copy: Path,
    beside: Path | None,
    threads: Interrupting,
    *,
    records: bool,
    search: bool,
) -> Future[object] | None:
    """Start what the second thread does: build the search index beside, or check records or it.

    A failure there stops this thread's work at once (``threads``).
    """
    if beside is not None:
        work = functools.partial(search_beside.build_beside, copy, SALVAGE_WORDS_IN_MEMORY, threads)
    elif records or search:
        work = functools.partial(_records_checked, copy, threads, records=records, search=search)
    else:
        return None
    return pool.submit(_stopping_others, threads, work)


def _stopping_others(threads: Interrupting, work: Callable[[], object]) -> object:
    """Run ``work``; if it fails, stop what the other threads of ``threads`` do, then raise."""
    try:
        return work()
    except BaseException:
        threads.stop()
        raise


def _write(
    db: sqlite3.Connection,
    indexes: list[str],
    orphans: Orphans | None,
    threads: Interrupting,
    *,
    search: bool,
) -> None:
    """In one transaction: rebuild ``indexes``, put ``orphans`` back, rebuild the search index if asked.

    A failure rolls it back at once: the check on the second thread waits for this transaction to end.
    """
    with _transaction(db):
        for index in indexes:
            threads.check()
            db.execute(f'REINDEX "{index}"')
        if orphans is not None:
            _put_back(db, orphans)
        if search:
            threads.check()
            rebuild_search_index(db, SALVAGE_WORDS_IN_MEMORY)
        remove_rows_pointing_nowhere(db)


@contextlib.contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    """Write in one transaction, rolled back at once on failure (a reader may be waiting for it to end)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _put_back(db: sqlite3.Connection, orphans: Orphans) -> None:
    """Insert the rows of cut pages again, after the indexes were rebuilt without them.

    Each must pass its table's checks (``salvage.SOUND_OBSERVATION``): a row of a page with garbage inside
    may be garbage too. Their words are still in the search index (or it is rebuilt after): its insert
    trigger is left out. A row whose id another row took meanwhile is not put back.
    """
    found = db.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (SEARCH_INSERT_TRIGGER,)
    ).fetchone()
    if found:
        db.execute(f"DROP TRIGGER {SEARCH_INSERT_TRIGGER}")
    register_text_check(db)
    declared = {c for _, c, kind, *_ in db.execute(f'PRAGMA table_info("{orphans.table}")') if kind == "TEXT"}
    texts = tuple(c for c in orphans.columns if c in declared)
    sound = {"observations": SOUND_OBSERVATION}.get(orphans.table, "1")
    insert = TableCopy(orphans.table, orphans.columns, texts, sound, orphans.columns[-1]).one_row()
    try:
        db.executemany(insert, orphans.rows)
    except sqlite3.DatabaseError:  # a value the table cannot take (a garbage id...): row by row
        for row in orphans.rows:
            with contextlib.suppress(sqlite3.DatabaseError):
                db.execute(insert, row)
    if found:
        db.execute(found[0])


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


def _records_checked(
    copy: Path, threads: Interrupting, *, records: bool = True, search: bool = False
) -> None:
    """Check every record of the copy as an opening does (``integrity.check_records``), on a connection.

    With ``search``, the search index is checked whole too (FTS5's ``integrity-check``): garbage inside
    one of its pages is found only so. That check is written as an insert: it waits for the writer's
    transaction to end.
    """
    reader = sqlite3.connect(copy, isolation_level=None, check_same_thread=False, timeout=_WAIT_FOR_WRITER)
    threads.opened(reader)
    try:
        if records:
            _checked(check_records, reader)
        if search:
            threads.check()
            _checked(_search_sound, reader)
    finally:
        threads.closed(reader)
        reader.close()


def _search_sound(db: sqlite3.Connection) -> None:
    """Raise a "corrupt" error if the search index's own structure is damaged."""
    db.execute(f"INSERT INTO {SEARCH_TABLE} ({SEARCH_TABLE}) VALUES ('integrity-check')")


def _checked(check: Callable[[sqlite3.Connection], None], db: sqlite3.Connection) -> None:
    """Run one of an opening's checks; damage it finds means this repair cannot be trusted."""
    try:
        check(db)
    except sqlite3.DatabaseError as exc:
        if is_damage(exc):
            raise NotPageDamage(str(exc)) from exc
        raise


def _to_rebuild(trees: list[Tree], lost: list[LostPage]) -> tuple[list[str], bool]:
    """Return the indexes to rebuild and whether the search index is rebuilt."""
    indexes: list[str] = []
    search = False
    for leaf in lost:
        name = leaf.tree.name
        if leaf.kept:
            continue
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


def _observations_indexed(pages: PageFile, trees: list[Tree], lost: list[LostPage]) -> int | None:
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
