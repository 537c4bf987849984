"""The history pane's queries: pages by keyset cover every row once, in order, through indexes only."""

import itertools
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from desktop.history.observation import SYNC_STATES, Observation
from desktop.history.queries import Cursor, HistoryQuery, SortKey, page_statements
from desktop.history.store import ObservationStore
from tests.sync.history_factory import make_observation
from tests.sync_rows import show_sync_state

SPECIES = ("setosa", "versicolor", "virginica")
PLACES = ("Hainich", "Rhön", "Isar floodplain", "Harz")


def varied(index: int) -> Observation:
    """Return an observation whose species, confirmation, sync state, note and place vary with ``index``."""
    predicted = SPECIES[index % 3]
    return make_observation(
        (index * 7) % 61,  # measured in another order than saved (an import, a clock put right)
        predicted_species=predicted,
        confirmed_species=SPECIES[(index + 1) % 3] if index % 5 == 0 else None,
        sync_state=SYNC_STATES[index % 4],
        note=f"plot {index} {'shady meadow' if index % 4 == 0 else 'roadside'}",
        location=PLACES[index % 4],
        observer="Ada" if index % 2 else "Grace",
    )


def save_varied(store: ObservationStore, observations: list[Observation]) -> list[Observation]:
    """Save observations and give each the sync outbox row its sync state says; return them as shown."""
    store.add_many(observations)
    for obs in observations:  # the sync state a row shows comes from its sync outbox row
        show_sync_state(store.path, obs.id, obs.sync_state, "refused" if obs.sync_state == "failed" else "")
    return [replace(o, sync_error="refused") if o.sync_state == "failed" else o for o in observations]


def _fill(path: Path) -> tuple[ObservationStore, list[Observation]]:
    store = ObservationStore.open(path)
    saved = [varied(i) for i in range(60)]
    saved = save_varied(store, saved)
    store.delete(saved[7].id)
    return store, [o for o in saved if o.id != saved[7].id]


@pytest.fixture(scope="module")
def shared_history(tmp_path_factory: pytest.TempPathFactory):
    """Open one history for the read-only tests (filling one per test would cost a second each)."""
    store, observations = _fill(tmp_path_factory.mktemp("history") / "observations.sqlite3")
    yield store, observations
    store.close()


@pytest.fixture
def history(iris_home: Path):
    """Open a history of its own, for tests that change it."""
    store, observations = _fill(iris_home / "observations.sqlite3")
    yield store, observations
    store.close()


def expected(observations: list[Observation], query: HistoryQuery) -> list[str]:
    """Work out by hand, row by row, which ids ``query`` lists and in what order."""
    position = {o.id: i for i, o in enumerate(observations)}  # save order
    words = [w.lower() for w in query.text.split() if len(w) >= 3]  # shorter words are not searched for

    def listed(o: Observation) -> bool:
        text = " ".join(
            (o.predicted_species, o.confirmed_species or "", o.note, o.location, o.observer)
        ).lower()
        return (
            all(w in text for w in words)
            and query.species in (None, o.species)
            and query.sync_state in (None, o.sync_state)
            and (query.since is None or o.created_at >= query.since)
        )

    def key(o: Observation) -> tuple:
        value = {SortKey.SAVED: "", SortKey.SPECIES: o.species, SortKey.SYNC: o.sync_state}[query.sort]
        one_group = (query.sort == SortKey.SPECIES and query.species) or (
            query.sort == SortKey.SYNC and query.sync_state
        )
        if query.since is not None and (query.sort == SortKey.SAVED or one_group):
            value = o.created_at  # a period is listed by the time measured
        return value, position[o.id]

    return [o.id for o in sorted(filter(listed, observations), key=key, reverse=query.descending)]


def every_page(store: ObservationStore, query: HistoryQuery, size: int) -> list[str]:
    ids, cursor = [], None
    while True:
        page, cursor = store.page(query, cursor, size)
        assert len(page) <= size
        ids.extend(o.id for o in page)
        if cursor is None:
            return ids


SINCE = make_observation(30).created_at
QUERIES = [
    HistoryQuery(sort=sort, descending=descending, species=species, sync_state=sync, text=text, since=since)
    for sort, descending, species, sync, text, since in itertools.product(
        (SortKey.SAVED, SortKey.SPECIES, SortKey.SYNC),
        (True, False),
        (None, "virginica"),
        (None, "failed"),
        ("", "shady", "Ad", "meadow Hai"),
        (None, SINCE),
    )
]


@pytest.mark.parametrize(
    "query",
    QUERIES,
    ids=lambda q: (
        f"{q.sort}-{'desc' if q.descending else 'asc'}-{q.species}-{q.sync_state}-{q.text or 'all'}"
    ),
)
def test_pages_list_every_matching_row_once_in_order_and_the_count_agrees(shared_history, query) -> None:
    store, observations = shared_history
    want = expected(observations, query)
    assert every_page(store, query, size=7) == want
    assert store.count_matching(query) == len(want)


def test_a_page_that_ends_exactly_at_the_last_row_is_followed_by_an_empty_one(shared_history) -> None:
    store, observations = shared_history
    first, cursor = store.page(HistoryQuery(), None, len(observations))
    assert len(first) == len(observations)
    assert store.page(HistoryQuery(), cursor, 10) == ([], None)


def test_the_search_index_follows_edits_and_deletes(history) -> None:
    store, observations = history
    target = observations[3]
    store.set_note(target.id, "orchid near the quarry")
    assert [o.id for o in store.iterate(HistoryQuery("quarry"))] == [target.id]
    assert target.id not in [o.id for o in store.iterate(HistoryQuery(f"plot {3} roadside"))]
    store.confirm_species(target.id, "virginica")
    assert target.id in [o.id for o in store.iterate(HistoryQuery("quarry virginica"))]
    store.delete(target.id)
    assert list(store.iterate(HistoryQuery("quarry"))) == []


def test_search_words_are_taken_literally_not_as_query_syntax(shared_history) -> None:
    store, _ = shared_history
    for text in ('"', "NOT", "meadow OR", "a*", "(x", "plot-1", "100%", "_"):
        list(store.iterate(HistoryQuery(text)))  # no syntax error from the index


def _plans(db: sqlite3.Connection, query: HistoryQuery) -> list[str]:
    plans = []
    key = {SortKey.SPECIES: "versicolor", SortKey.SYNC: "pending"}.get(query.sort, SINCE)
    for after in (None, Cursor(key, 30)):
        for sql, params in page_statements(query, "o.id", after, 10):
            plans.extend(row[3] for row in db.execute("EXPLAIN QUERY PLAN " + sql, params))
    return plans


@pytest.mark.parametrize("query", [q for q in QUERIES if not q.text or q.sort == SortKey.SAVED][::2])
def test_no_page_sorts_in_a_temporary_tree(shared_history, query) -> None:
    store, _ = shared_history
    db = store.connect()
    plans = _plans(db, query)
    db.close()
    assert not [p for p in plans if "TEMP B-TREE" in p], plans


def test_an_older_history_gets_its_existing_rows_into_the_search_index(iris_home: Path) -> None:
    from benchmarks.history import build_history

    path = iris_home / "observations.sqlite3"
    build_history(path, 40, upgrade=False)  # as an app from before the index left it
    with ObservationStore.open(path) as store:
        assert store.count_matching(HistoryQuery("Rhön")) == 5  # every eighth place
        assert store.count_matching(HistoryQuery(species="versicolor")) == len(range(1, 40, 3))


def test_another_connections_commit_moves_the_data_version_and_its_own_does_not(history) -> None:
    store, _ = history
    before = store.data_version()
    store.add(make_observation(1000))
    assert store.data_version() == before
    with ObservationStore.reader(store.path) as other:
        other.add(replace(make_observation(1001)))
    assert store.data_version() != before
