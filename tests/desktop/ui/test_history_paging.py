"""A long history in the window: rows come in pages as the table scrolls; sorting, filters and counts."""

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from desktop.history.store import ObservationStore
from desktop.ui import history_model as columns
from desktop.ui.history_model import PAGE_SIZE
from tests.desktop.history.test_queries import save_varied, varied

SAVED = 2 * PAGE_SIZE + 50


@pytest.fixture
def long_window_factory(open_window, iris_home: Path):
    with ObservationStore.open(iris_home / "observations.sqlite3") as store:
        save_varied(store, [varied(i) for i in range(SAVED)])
    return open_window


@pytest.fixture
def long_window(long_window_factory):
    return long_window_factory()


def test_the_window_reads_one_page_and_the_next_only_when_scrolled_to(long_window, qtbot) -> None:
    model = long_window.history.model
    assert model.rowCount() == PAGE_SIZE and model.canFetchMore()
    assert model.observation(0).note.startswith(f"plot {SAVED - 1} "), "newest first"
    long_window.history.table.scrollToBottom()
    qtbot.waitUntil(lambda: model.rowCount() == 2 * PAGE_SIZE)
    while model.canFetchMore():
        model.fetchMore()
    assert model.rowCount() == SAVED
    assert len({model.observation(r).id for r in range(SAVED)}) == SAVED


def test_the_count_of_all_observations_arrives_from_the_background(long_window, qtbot) -> None:
    qtbot.waitUntil(lambda: long_window.history.count_label.text() == f"Observations: {SAVED}")
    long_window.history.search.setText("Rhön")
    qtbot.waitUntil(lambda: long_window.history.count_label.text() == f"Matches: {len(range(1, SAVED, 4))}")


def test_the_window_is_drawn_before_anything_is_counted_and_the_counts_follow(
    open_window, iris_home: Path, qtbot
) -> None:
    with ObservationStore.open(iris_home / "observations.sqlite3") as store:
        save_varied(store, [varied(i) for i in range(SAVED)])
        store.delete(store.list(limit=1)[0].id)
    window = open_window()  # shown, its first frame not yet drawn
    history = window.history
    assert history.model.rowCount() == PAGE_SIZE, "the first page is there for the first frame"
    assert not history.first_frame.is_drawn and history.counter.requested == 0
    qtbot.waitUntil(lambda: history.count_label.text() == f"Observations: {SAVED - 1}")
    assert history.first_frame.is_drawn and history.counter.requested == 1
    assert sum(history.counter.last.by_sync_state.values()) == SAVED - 1, "deleted ones are not counted"


def test_a_window_never_drawn_counts_all_the_same_a_little_later(
    long_window_factory, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop.ui import first_frame

    monkeypatch.setattr(first_frame, "LATEST_MS", 50)
    window = long_window_factory()
    window.hide()  # e.g. started minimized: no frame is drawn
    qtbot.waitUntil(lambda: window.history.counter.last is not None)
    assert window.history.counter.last.listed == SAVED


def test_clicking_the_species_header_sorts_by_species_and_again_reverses(long_window) -> None:
    history = long_window.history
    header = history.table.horizontalHeader()
    header.setSortIndicator(columns.SPECIES, Qt.SortOrder.AscendingOrder)
    assert history.model.observation(0).species == "setosa"
    header.setSortIndicator(columns.SPECIES, Qt.SortOrder.DescendingOrder)
    assert history.model.observation(0).species == "virginica"


def test_a_column_without_an_order_keeps_the_current_one(long_window) -> None:
    history = long_window.history
    first = history.model.observation(0).id
    history.table.horizontalHeader().setSortIndicator(columns.NOTE, Qt.SortOrder.AscendingOrder)
    assert history.table.horizontalHeader().sortIndicatorSection() == columns.TIME
    assert history.model.observation(0).id == first


def test_species_and_sync_filters_narrow_the_list_and_say_so_when_empty(long_window, qtbot) -> None:
    history = long_window.history
    history.species_filter.setCurrentIndex(history.species_filter.findData("versicolor"))
    history.sync_filter.setCurrentIndex(history.sync_filter.findData("failed"))
    while history.model.canFetchMore():
        history.model.fetchMore()
    shown = [history.model.observation(r) for r in range(history.model.rowCount())]
    assert shown and all(o.species == "versicolor" and o.sync_state == "failed" for o in shown)
    history.search.setText("no such flower")
    assert history.model.rowCount() == 0
    assert "No saved observation matches" in history.empty.text()


def test_a_refresh_keeps_the_rows_already_scrolled_to_and_the_selection(long_window) -> None:
    history = long_window.history
    history.model.fetchMore()
    chosen = history.model.observation(PAGE_SIZE + 10)
    history.select(chosen.id)
    history.refresh()
    assert history.model.rowCount() >= 2 * PAGE_SIZE
    assert history.selected() == chosen


def test_the_period_filter_keeps_what_was_measured_in_it_newest_measured_first(long_window, qtbot) -> None:
    history = long_window.history
    long_window.measurements.set_values({"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4})
    long_window.save_action.trigger()  # measured now; the long history is from May 2026
    history.period_filter.setCurrentIndex(history.period_filter.findData(0))  # today
    assert history.model.rowCount() == 1
    assert history.model.observation(0).id == long_window.store.list(limit=1)[0].id
    qtbot.waitUntil(lambda: history.count_label.text() == "Matches: 1")
