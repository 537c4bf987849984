"""A history that lost a few leaf pages is repaired in a copy: the pages cut out, nothing else copied."""

import random
import sqlite3
import uuid
from dataclasses import replace
from pathlib import Path

import pytest

from desktop.history.files import REPAIRING_SUFFIX
from desktop.history.queries import HistoryQuery, SortKey
from desktop.history.sqlite_pages import HEADER_SIZE, INDEX_INTERIOR, TABLE_INTERIOR, PageFile
from desktop.history.store import ObservationStore
from tests.desktop.history.test_salvage import (
    PAGE,
    assert_salvaged,
    checkpointed,
    damaged,
    garbled,
    observation,
    refill_never_runs,
    saved_history,
)

COUNT = 2000


@pytest.fixture
def history(iris_home: Path):
    """Save a closed, checkpointed history of 2,000 observations (trees of several leaves), one synced."""
    return saved_history(COUNT)


def pages_of(path: Path, tree: str) -> tuple[list[int], list[int]]:
    """Return the (interior, leaf) pages of the b-tree of schema entry ``tree``, leaves in key order."""
    db = sqlite3.connect(path)
    (root,) = db.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (tree,)).fetchone()
    db.close()
    interior, leaves = [], []
    with PageFile(path) as pages:
        stack = [root]
        while stack:
            number = stack.pop()
            data = pages.page(number)
            if data[HEADER_SIZE if number == 1 else 0] in (TABLE_INTERIOR, INDEX_INTERIOR):
                interior.append(number)
                children = pages.children(number, data)
                stack.extend(reversed(children[1:] + children[:1]))
            else:
                leaves.append(number)
    return interior, leaves


def wiped(number: int):
    """Return an edit that overwrites page ``number`` with 0xff bytes."""

    def edit(data: bytearray) -> None:
        data[(number - 1) * PAGE : number * PAGE] = b"\xff" * PAGE

    return edit


def assert_sound(path: Path) -> None:
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        db.execute("INSERT INTO observations_search (observations_search) VALUES ('integrity-check')")
        assert db.execute("PRAGMA foreign_key_check").fetchall() == [], "no row points at a lost observation"
    finally:
        db.close()


def searched(store: ObservationStore, words: str) -> list[str]:
    """Return the ids the history pane lists for ``words`` (through the full-text index)."""
    return [o.id for o in store.page(HistoryQuery(text=words), size=50)[0]]


def number_of(o) -> int:
    """Return the number ``observation`` wrote into a note ("flower 1234 xxx...")."""
    return int(o.note.split()[1])


def test_a_lost_page_of_the_observations_costs_its_rows_and_no_other_page_is_copied(
    history, monkeypatch
) -> None:
    path, saved = history
    _, leaves = pages_of(path, "observations")
    data = damaged(path, wiped(leaves[len(leaves) // 2]))
    refill_never_runs(monkeypatch)
    with assert_salvaged(path, saved, data) as store:
        lost = store.salvaged.lost
        assert 0 < lost < 20 and store.salvaged.recovered == COUNT - lost
        found = {o.id for o in store.list(include_deleted=True)}
        kept = next(o for o in saved[1000:] if o.id in found)  # numbers of four digits: found alone
        assert searched(store, str(number_of(kept))) == [kept.id]
        gone = next(o for o in saved[1000:] if o.id not in found)
        assert searched(store, str(number_of(gone))) == [], "the lost row's words never show"
        assert store.count_matching(HistoryQuery(text="flower")) == COUNT - lost
    assert_sound(path)


def test_a_lost_page_of_an_index_costs_nothing_and_the_index_is_built_again(history, monkeypatch) -> None:
    path, saved = history
    _, leaves = pages_of(path, "observations_by_species")
    data = damaged(path, wiped(leaves[1]))
    refill_never_runs(monkeypatch)
    with assert_salvaged(path, saved, data) as store:
        assert (store.salvaged.recovered, store.salvaged.lost) == (COUNT, 0)
        assert store.count_matching(HistoryQuery(species="setosa")) == COUNT
        listed, _ = store.page(HistoryQuery(sort=SortKey.SPECIES), size=5)
        assert [o.id for o in listed] == [o.id for o in saved[::-1][:5]]
    assert_sound(path)


def test_a_lost_page_of_the_search_index_costs_nothing_and_every_word_is_found_again(
    history, monkeypatch
) -> None:
    path, saved = history
    _, leaves = pages_of(path, "observations_search_data")
    data = damaged(path, wiped(leaves[len(leaves) // 2]))
    refill_never_runs(monkeypatch)
    with assert_salvaged(path, saved, data) as store:
        assert (store.salvaged.recovered, store.salvaged.lost) == (COUNT, 0)
        for i in (1000, 1777, COUNT - 1):
            assert searched(store, str(i)) == [saved[i].id]
        assert store.count_matching(HistoryQuery(text="flower")) == COUNT
    assert_sound(path)


def test_when_the_last_page_is_lost_a_new_row_taking_its_row_id_never_inherits_its_words(
    history, monkeypatch
) -> None:
    path, saved = history
    _, leaves = pages_of(path, "observations")
    data = damaged(path, wiped(leaves[-1]))
    refill_never_runs(monkeypatch)
    with assert_salvaged(path, saved, data) as store:
        assert store.get(saved[-1].id) is None, "the last observation was on the last page"
        found = {o.id for o in store.list(include_deleted=True)}
        first_lost = next(o for o in saved if o.id not in found)  # its row id is the next one taken
        newcomer = replace(observation(5000), id=str(uuid.uuid4()), note="a newcomer")
        store.add(newcomer)
        assert searched(store, str(number_of(first_lost))) == [], "the lost row's words left the index"
        assert searched(store, "newcomer") == [newcomer.id]
    assert_sound(path)


def test_a_lost_root_page_of_the_observations_is_written_again_over_its_leaves(history, monkeypatch) -> None:
    path, saved = history
    interior, _ = pages_of(path, "observations")
    data = damaged(path, wiped(interior[0]))  # the root: every leaf hangs from it
    refill_never_runs(monkeypatch)
    with assert_salvaged(path, saved, data) as store:
        assert (store.salvaged.recovered, store.salvaged.lost) == (COUNT, 0), "every leaf is found"
        assert searched(store, "1234") == [saved[1234].id]
        newcomer = observation(COUNT)
        store.add(newcomer)  # its row id is the one after the largest: no word of another row is its
        assert searched(store, str(COUNT)) == [newcomer.id]
    assert_sound(path)
    assert not path.with_name(path.name + REPAIRING_SUFFIX).exists()


def first_cell_garbled(number: int):
    """Return an edit that writes 0xff over the start of page ``number``'s first cell (its header intact)."""

    def edit(data: bytearray) -> None:
        start = (number - 1) * PAGE
        cell = start + int.from_bytes(data[start + 8 : start + 10], "big")
        data[cell : cell + 40] = b"\xff" * 40  # its size now runs past the page: SQLite's check names it

    return edit


def cells_on(path: Path, number: int) -> int:
    with PageFile(path) as pages:
        return int.from_bytes(pages.page(number)[3:5], "big")


@pytest.mark.parametrize("tree", ["observations_by_created", "sqlite_autoindex_observations_1"])
def test_an_index_that_lost_its_root_is_built_again_whole_and_costs_nothing(
    history, monkeypatch, tree
) -> None:
    path, saved = history
    interior, _ = pages_of(path, tree)
    assert interior, "a root above its leaves"
    refill_never_runs(monkeypatch)
    with assert_salvaged(path, saved, damaged(path, wiped(interior[0]))) as store:
        assert (store.salvaged.recovered, store.salvaged.lost) == (COUNT, 0)
        listed, _ = store.page(HistoryQuery(sort=SortKey.TIME), size=5)
        assert [o.id for o in listed] == [o.id for o in saved[::-1][:5]]
    assert_sound(path)


def test_a_search_index_that_lost_its_root_is_built_again_and_every_word_is_found(
    history, monkeypatch
) -> None:
    path, saved = history
    interior, _ = pages_of(path, "observations_search_data")
    refill_never_runs(monkeypatch)
    with assert_salvaged(path, saved, damaged(path, wiped(interior[0]))) as store:
        assert (store.salvaged.recovered, store.salvaged.lost) == (COUNT, 0)
        assert searched(store, "1234") == [saved[1234].id]
        assert store.count_matching(HistoryQuery(text="flower")) == COUNT
    assert_sound(path)


def test_garbage_inside_a_page_whose_header_looks_right_costs_only_the_rows_it_hit(
    history, monkeypatch
) -> None:
    path, saved = history
    _, leaves = pages_of(path, "observations")
    page = leaves[len(leaves) // 2]
    assert cells_on(path, page) > 3
    data = damaged(path, first_cell_garbled(page))
    refill_never_runs(monkeypatch)
    with assert_salvaged(path, saved, data) as store:
        assert store.salvaged.lost == 1, "the other rows of the page are put back"
        assert store.count_matching(HistoryQuery(text="flower")) == COUNT - 1
    assert_sound(path)


def test_garbage_no_check_of_sqlite_sees_beside_it_is_found_and_never_kept(history) -> None:
    path, saved = history
    garbled(path, saved[7].id, "measurements = '{\"sepal_length\": 5.1,'")
    _, leaves = pages_of(path, "observations")
    data = damaged(path, first_cell_garbled(leaves[len(leaves) // 2]))
    with assert_salvaged(path, saved, data) as store:
        assert store.salvaged.lost == 2 and store.get(saved[7].id) is None
    assert_sound(path)


def test_garbage_inside_a_page_of_an_index_costs_nothing(history, monkeypatch) -> None:
    path, saved = history
    _, leaves = pages_of(path, "sqlite_autoindex_observations_1")
    data = damaged(path, first_cell_garbled(leaves[1]))
    refill_never_runs(monkeypatch)
    with assert_salvaged(path, saved, data) as store:
        assert (store.salvaged.recovered, store.salvaged.lost) == (COUNT, 0)
    assert_sound(path)


def test_garbage_inside_a_page_beside_a_lost_page_falls_back_to_the_page_by_page_salvage(
    history,
) -> None:
    path, saved = history
    _, leaves = pages_of(path, "observations")
    _, index_leaves = pages_of(path, "observations_by_created")

    def edit(data: bytearray) -> None:
        wiped(index_leaves[1])(data)  # a repair begins
        start = (leaves[3] - 1) * PAGE
        data[start + 8 : start + 40] = b"\xee" * 32  # cell pointers beyond the page: SQLite's check fails

    data = damaged(path, edit)
    with assert_salvaged(path, saved, data) as store:
        assert store.salvaged.recovered > COUNT - 20
    assert_sound(path)
    assert not path.with_name(path.name + REPAIRING_SUFFIX).exists(), "the failed repair's copy is gone"


def test_rows_lost_with_a_page_of_the_smallest_index_too_are_still_counted(history) -> None:
    path, saved = history
    _, leaves = pages_of(path, "observations")
    _, species = pages_of(path, "observations_by_species")  # the index SQLite counts rows with
    data = damaged(path, lambda data: [wiped(n)(data) for n in (leaves[5], leaves[9], species[1])])
    with assert_salvaged(path, saved, data) as store:
        assert store.salvaged.lost > 0 and store.salvaged.recovered + store.salvaged.lost == COUNT


def test_the_overflow_pages_of_a_lost_page_are_listed_free_and_nothing_else_is_lost(
    iris_home: Path, monkeypatch
) -> None:
    saved = [observation(i) for i in range(COUNT)]
    saved[1500] = replace(saved[1500], note="flower 1500 " + "long " * 3000)  # 15 kB: on overflow pages
    with ObservationStore.open() as store:
        store.add_many(saved)
        path = checkpointed(store.path)
    data = path.read_bytes()
    leaf = data.index(b"flower 1500 long") // PAGE + 1
    refill_never_runs(monkeypatch)
    with assert_salvaged(path, saved, damaged(path, wiped(leaf))) as store:
        assert store.get(saved[1500].id) is None
        assert 0 < store.salvaged.lost < 20
    assert_sound(path)


def test_rows_below_a_lost_interior_page_are_put_back_and_none_is_lost(iris_home: Path, monkeypatch) -> None:
    saved = [replace(observation(i), note=f"flower {i} " + "y" * 3000) for i in range(COUNT)]  # a row a page
    with ObservationStore.open() as store:
        store.add_many(saved)
        path = checkpointed(store.path)
    interior, _ = pages_of(path, "observations")
    assert len(interior) > 2, "three levels: a root, interior pages, leaves"
    refill_never_runs(monkeypatch)
    with assert_salvaged(path, saved, damaged(path, wiped(interior[2]))) as store:
        assert (store.salvaged.recovered, store.salvaged.lost) == (COUNT, 0)
        assert searched(store, "1234") == [saved[1234].id]
        assert store.count_matching(HistoryQuery(text="flower")) == COUNT
    assert_sound(path)


def test_a_whole_lost_level_of_the_observations_is_written_again_and_none_is_lost(
    iris_home: Path, monkeypatch
) -> None:
    saved = [replace(observation(i), note=f"flower {i} " + "y" * 3000) for i in range(COUNT)]  # a row a page
    with ObservationStore.open() as store:
        store.add_many(saved)
        path = checkpointed(store.path)
    interior, _ = pages_of(path, "observations")
    below_the_root = interior[1:]
    assert len(below_the_root) > 1, "three levels: a root, interior pages, leaves"
    refill_never_runs(monkeypatch)
    data = damaged(path, lambda data: [wiped(n)(data) for n in below_the_root])
    with assert_salvaged(path, saved, data) as store:
        assert (store.salvaged.recovered, store.salvaged.lost) == (COUNT, 0)
        assert store.count_matching(HistoryQuery(text="flower")) == COUNT
    assert_sound(path)


def test_a_run_of_pages_overwritten_with_random_bytes_costs_only_their_rows(history, monkeypatch) -> None:
    """Random bytes leave some page headers looking right (one in 64): SQLite's check names those."""
    path, saved = history
    _, leaves = pages_of(path, "observations")
    start = leaves[len(leaves) // 3]
    refill_never_runs(monkeypatch)

    def edit(data: bytearray) -> None:
        for number in range(start, start + 8):
            data[(number - 1) * PAGE : number * PAGE] = random.Random(number).randbytes(PAGE)
            data[(number - 1) * PAGE] = 0x0D if number == start + 3 else data[(number - 1) * PAGE]

    with assert_salvaged(path, saved, damaged(path, edit)) as store:
        assert 0 < store.salvaged.lost < 100
        assert store.count_matching(HistoryQuery(text="flower")) == COUNT - store.salvaged.lost
    assert_sound(path)


def test_a_repair_that_fails_while_the_search_index_is_checked_beside_ends_and_salvages_row_by_row(
    history,
) -> None:
    """A rebuild that fails rolls back at once: the check on the other thread waits for it to end."""
    path, saved = history
    _, leaves = pages_of(path, "observations")

    def edit(data: bytearray) -> None:
        first_cell_garbled(leaves[len(leaves) // 2])(
            data
        )  # named by SQLite's check: the search index checked
        at = data.index(saved[11].id.encode())
        data[at : at + 36] = saved[10].id.encode()  # two rows with one id: rebuilding the ids' index fails

    data = damaged(path, edit)
    with assert_salvaged(path, saved, data) as store:
        assert store.salvaged.recovered < COUNT
    assert_sound(path)


def test_a_garbled_record_ends_a_page_repair_before_it_rebuilds_and_every_readable_row_is_saved(
    history, monkeypatch
) -> None:
    """The last page lost (indexes and search index rebuilt) and one record garbled elsewhere.

    The records are checked first: the garbled one ends the repair before the indexes are rebuilt, and
    the search index being built beside is stopped. The history is then saved row by row.
    """
    from desktop.history import page_repair

    path, saved = history
    _, leaves = pages_of(path, "observations")
    garbled(path, saved[5].id, "measurements = '[1, 2]'")
    data = damaged(path, wiped(leaves[-1]))
    rebuilt = []
    real_write = page_repair._write
    monkeypatch.setattr(page_repair, "_write", lambda *a, **k: rebuilt.append(1) or real_write(*a, **k))
    with assert_salvaged(path, saved, data) as store:
        assert rebuilt == [], "no index was rebuilt: the record check came first"
        assert store.get(saved[5].id) is None and store.get(saved[-1].id) is None
        assert store.get(saved[6].id) == saved[6]
    assert not list(path.parent.glob("*.repairing*")) and not list(path.parent.glob("*.search"))
