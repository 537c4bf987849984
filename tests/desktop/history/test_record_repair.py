"""A history whose pages are whole but a few records garbled is repaired in a copy: those rows deleted."""

from pathlib import Path

import pytest

from desktop.errors import StoreError
from desktop.history.files import REPAIRING_SUFFIX
from desktop.history.queries import HistoryQuery
from desktop.history.store import ObservationStore
from tests.desktop.history.test_page_repair import assert_sound, searched
from tests.desktop.history.test_salvage import assert_salvaged, damaged, garbled, not_utf8_note, saved_history

COUNT = 2000


@pytest.fixture
def history(iris_home: Path):
    """Save a closed, checkpointed history of 2,000 observations, one synced."""
    return saved_history(COUNT)


@pytest.fixture
def refill_never_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(*_args, **_kwargs):
        raise AssertionError("a few garbled records are deleted in a copy, not salvaged row by row")

    monkeypatch.setattr("desktop.history.opening.refill", refused)


def test_a_record_whose_json_is_no_json_is_deleted_and_nothing_else_changes(
    history, refill_never_runs
) -> None:
    path, saved = history
    data = garbled(path, saved[7].id, "measurements = '{\"sepal_length\": 5.1,'")
    with assert_salvaged(path, saved, data) as store:
        assert (store.salvaged.recovered, store.salvaged.lost) == (COUNT - 1, 1)
        assert store.get(saved[7].id) is None
        assert searched(store, "1234") == [saved[1234].id], "the search index is kept"
        assert store.count_matching(HistoryQuery(text="flower")) == COUNT - 1
    assert_sound(path)
    assert not path.with_name(path.name + REPAIRING_SUFFIX).exists()


def test_a_record_whose_measurements_are_no_object_is_deleted(history, refill_never_runs) -> None:
    path, saved = history
    data = garbled(path, saved[9].id, "measurements = '[5.1, 3.5]'")
    with assert_salvaged(path, saved, data) as store:
        assert (store.salvaged.recovered, store.salvaged.lost) == (COUNT - 1, 1)
        assert store.get(saved[9].id) is None
    assert_sound(path)


def test_a_text_a_read_finds_not_utf8_costs_that_record_only_at_the_next_start(
    history, refill_never_runs
) -> None:
    path, saved = history
    not_utf8_note(path, saved[42].id)
    data = path.read_bytes()
    with ObservationStore.open(path) as store, pytest.raises(StoreError):
        store.list()
    with assert_salvaged(path, saved, data) as store:
        assert (store.salvaged.recovered, store.salvaged.lost) == (COUNT - 1, 1)
        assert store.get(saved[43].id) == saved[43]
    assert_sound(path)


def test_a_garbled_record_whose_indexed_value_changed_too_is_deleted_and_its_indexes_rebuilt(
    history, refill_never_runs
) -> None:
    path, saved = history
    created = saved[500].created_at.encode()
    garbled(path, saved[500].id, "measurements = 'not json'")

    def edit(data: bytearray) -> None:  # the indexes still hold the time as it was saved
        updated = data.rindex(created, 0, data.index(b"not json"))  # created_at, then updated_at
        start = data.rindex(created, 0, updated)
        data[start : start + 4] = b"2Q2X"

    data = damaged(path, edit)
    with assert_salvaged(path, saved, data) as store:
        assert (store.salvaged.recovered, store.salvaged.lost) == (COUNT - 1, 1)
    assert_sound(path)


def test_a_garbled_record_with_the_largest_row_id_is_salvaged_page_by_page(history) -> None:
    path, saved = history
    data = garbled(path, saved[-1].id, "unusual = 'nothing'")
    with assert_salvaged(path, saved, data) as store:
        assert (store.salvaged.recovered, store.salvaged.lost) == (COUNT - 1, 1)
        store.add(saved[-1])  # its row id is taken again: its words are not inherited
        assert searched(store, "1999") == [saved[-1].id]
    assert_sound(path)


def test_a_file_cut_short_is_never_looked_into_record_by_record(history, monkeypatch) -> None:
    path, saved = history

    def refused(*_args, **_kwargs):
        raise AssertionError("reading every record would find the damage of a page only late")

    monkeypatch.setattr("desktop.history.opening.repair_records", refused)
    data = damaged(path, lambda data: data.__delitem__(slice(len(data) * 6 // 10, None)))
    with assert_salvaged(path, saved, data) as store:
        assert 0 < store.salvaged.recovered < COUNT
