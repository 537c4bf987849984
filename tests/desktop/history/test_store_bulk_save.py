"""A large save fills the search index in one statement: what it finds is what row-by-row saves find."""

import sqlite3
from pathlib import Path

import pytest

from desktop.errors import InputError
from desktop.history.bulk import BULK_SAVE_ROWS
from desktop.history.schema import SEARCH_INSERT_TRIGGER, SEARCH_WORDS
from desktop.history.store import ObservationStore
from desktop.sync.schema import SYNC_STATE_INSERT_TRIGGER
from tests.desktop.history.test_store import make_observation

PLACES = ("Hainich", "Kyffhäuser", "Rhön")


def flowers(count: int, first: int = 0) -> list:
    return [
        make_observation(
            first + i,
            note=f"plot {i % 7}",
            location=PLACES[i % 3],
            observer="Ada" if i % 2 else "Grace",
            predicted_species=("setosa", "virginica")[i % 2],
        )
        for i in range(count)
    ]


def trigger_sql(path: Path) -> list[str]:
    """Return the insert triggers a large save takes out and puts back."""
    with sqlite3.connect(path) as db:
        found = db.execute(
            "SELECT sql FROM sqlite_master WHERE name IN (?, ?) ORDER BY name",
            (SEARCH_INSERT_TRIGGER, SYNC_STATE_INSERT_TRIGGER),
        ).fetchall()
    assert len(found) == 2
    return [sql for (sql,) in found]


def test_the_bulk_index_holds_the_words_the_trigger_indexes() -> None:
    from desktop.history.migrations import schema_steps

    assert any(SEARCH_WORDS.format(row="new") in step.sql for step in schema_steps())


@pytest.mark.parametrize("search", ["Hainich", "plot 3", "Grace", "virginica", "Rhön Ada", "nothing"])
def test_a_large_save_finds_what_row_by_row_saves_find(tmp_path: Path, search: str) -> None:
    rows = flowers(BULK_SAVE_ROWS + 5)
    with ObservationStore.open(tmp_path / "bulk.sqlite3") as bulk:
        bulk.add_all([[make_observation(0, note="before")], rows[:3], rows[3:]])
        found_bulk = {o.id for o in bulk.list(search)}
    with ObservationStore.open(tmp_path / "rows.sqlite3") as one_by_one:
        one_by_one.add(make_observation(0, note="before"))
        for batch in (rows[:3], *(rows[i : i + 100] for i in range(3, len(rows), 100))):
            one_by_one.add_many(batch)
        assert found_bulk == {o.id for o in one_by_one.list(search)}
    assert trigger_sql(tmp_path / "bulk.sqlite3") == trigger_sql(tmp_path / "rows.sqlite3")


def test_a_large_save_that_fails_keeps_the_trigger_and_saves_nothing(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    before = None

    def batches():
        yield flowers(BULK_SAVE_ROWS)
        raise InputError("line 2000: a bad row")

    with ObservationStore.open(path) as store:
        before = trigger_sql(path)
        with pytest.raises(InputError):
            store.add_all(batches())
        assert store.list() == []
        store.add(make_observation(0, note="afterwards by the trigger"))
        assert [o.note for o in store.list("trigger")] == ["afterwards by the trigger"]
    assert trigger_sql(path) == before


def enrol_first(path: Path, observation_id: str, stage: str, failure: str) -> None:
    """Write an outbox row before its observation exists (only possible with foreign keys off)."""
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA foreign_keys = OFF")
        db.execute(
            "INSERT INTO sync_outbox (observation_id, stage, failure, changed_at) VALUES (?, ?, ?, '')",
            (observation_id, stage, failure),
        )


@pytest.mark.parametrize(("stage", "failure"), [("synced", ""), ("created", "server said no")])
def test_a_large_save_shows_the_sync_state_an_outbox_row_already_holds(
    tmp_path: Path, stage: str, failure: str
) -> None:
    rows = flowers(BULK_SAVE_ROWS + 5)
    shown = {}
    for name, save in (("bulk", lambda s: s.add_all([rows])), ("rows", lambda s: [s.add(o) for o in rows])):
        path = tmp_path / f"{name}.sqlite3"
        ObservationStore.open(path).close()
        enrol_first(path, rows[7].id, stage, failure)
        with ObservationStore.open(path) as store:
            save(store)
            shown[name] = [(o.id, o.sync_state, o.sync_error) for o in store.list()]
    assert shown["bulk"] == shown["rows"]
    assert (rows[7].id, "synced" if not failure else "failed", failure) in shown["bulk"]


def test_the_duplicate_check_reads_only_the_rows_saved_before(tmp_path: Path) -> None:
    from desktop.history.bulk import saved_keys_sql

    with ObservationStore.open(tmp_path / "history.sqlite3") as store:
        db = store.connect()
        plan = [r[3] for r in db.execute("EXPLAIN QUERY PLAN " + saved_keys_sql(3), (5, "a", "b", "c"))]
        db.close()
    assert plan == ["SEARCH observations USING INTEGER PRIMARY KEY (rowid<?)"]


def test_rows_already_saved_are_found_by_measurements_and_note_among_earlier_rows_only(
    tmp_path: Path,
) -> None:
    from desktop.history.codec import ObservationRows

    kept, renamed, gone = flowers(3)
    with ObservationStore.open(tmp_path / "history.sqlite3") as store:
        store.add_many([kept, renamed, gone])
        store.delete(gone.id)  # a deleted row is not "already in the history"
        before = store.last_rowid()
        store.add(make_observation(50, note="saved after the check began"))
        again = [
            make_observation(60, note=renamed.note + " (other plot)"),  # same flower, other note
            make_observation(61, note=gone.note),
            make_observation(62, note=kept.note, location="elsewhere"),  # the place does not count
            make_observation(63, note="saved after the check began"),
        ]
        for earlier_row in (kept, renamed, gone):
            assert earlier_row.measurements == again[0].measurements
        with store.transaction():
            earlier = store.earlier_keys(before)
            assert earlier.positions(ObservationRows.of(again)) == [3]
        assert store.earlier_keys(0).positions(ObservationRows.of(again)) == []
