"""Specification of the observation history: a real SQLite file, real crashes, real damage."""

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from desktop.errors import InputError, StoreError, StoreProblem
from desktop.history.migrations import known_version, schema_steps
from desktop.history.observation import SYNC_STATES, Observation
from desktop.history.opening import StoreDamagedError
from desktop.history.store import ObservationStore
from desktop.paths import default_db_path
from tests.sync_rows import show_sync_state

ROOT = Path(__file__).resolve().parents[2]
START = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def make_observation(minutes: int = 0, **changes: object) -> Observation:
    created = (START + timedelta(minutes=minutes)).isoformat(timespec="microseconds")
    obs = Observation(
        id=str(uuid.uuid4()),
        created_at=created,
        updated_at=created,
        measurements={"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2},
        probabilities={"setosa": 0.97, "versicolor": 0.02, "virginica": 0.01},
        predicted_species="setosa",
        confidence=0.97,
        unusual=(),
        model_name="iris-classifier",
        model_version="3",
        model_sha256="ab" * 32,
    )
    return replace(obs, **changes)


@pytest.fixture
def store(iris_home: Path):
    with ObservationStore.open() as opened:
        yield opened


def test_store_opens_in_the_data_folder_with_wal_and_full_sync(
    store: ObservationStore, iris_home: Path
) -> None:
    assert store.path == iris_home / "observations.sqlite3" == default_db_path()
    db = store.connect()
    try:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert db.execute("PRAGMA user_version").fetchone()[0] == known_version()
    finally:
        db.close()


def test_added_observation_comes_back_field_for_field(store: ObservationStore) -> None:
    obs = make_observation(
        observer="Ada",
        note="by the creek",
        location="Lower meadow",
        latitude=47.5,
        longitude=-122.25,
        unusual=("petal_width",),
    )
    store.add(obs)
    assert store.get(obs.id) == obs
    assert list(store.get(obs.id).measurements) == list(obs.measurements)  # card order kept


def test_unknown_id_gives_none(store: ObservationStore) -> None:
    assert store.get(str(uuid.uuid4())) is None


def test_the_same_observation_cannot_be_saved_twice(store: ObservationStore) -> None:
    obs = make_observation()
    store.add(obs)
    with pytest.raises(StoreError, match="same id"):
        store.add(obs)


def test_list_is_newest_first_and_hides_deleted_rows(store: ObservationStore) -> None:
    old, middle, new = make_observation(0), make_observation(5), make_observation(10)
    for obs in (middle, new, old):
        store.add(obs)
    store.delete(middle.id)
    assert [o.id for o in store.list()] == [new.id, old.id]
    assert [o.id for o in store.list(include_deleted=True)] == [new.id, middle.id, old.id]
    assert store.get(middle.id).deleted is True


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("virginica", {"b", "c"}),  # predicted or confirmed species
        ("CREEK", {"a"}),  # note, case-insensitive
        ("meadow", {"b"}),  # location
        ("grace", {"c"}),  # observer
        ("100%", set()),  # LIKE wildcards are taken literally
        ("setosa creek", {"a"}),  # every word must match
        ("", {"a", "b", "c"}),
    ],
)
def test_search_matches_species_note_location_and_observer(
    store: ObservationStore, query: str, expected: set[str]
) -> None:
    a = make_observation(0, note="by the creek", observer="Ada")
    b = make_observation(1, predicted_species="virginica", location="Upper meadow", observer="Ada")
    c = make_observation(2, observer="Grace Hopper", note="odd one")
    store.add_many([a, b, c])
    store.confirm_species(c.id, "virginica")
    names = {a.id: "a", b.id: "b", c.id: "c"}
    assert {names[o.id] for o in store.list(query)} == expected


def test_a_search_through_the_full_text_index_keeps_the_case_rules_of_like(store: ObservationStore) -> None:
    rhoen = make_observation(0, location="Rhön", note="plot 7")
    store.add_many([rhoen, make_observation(1, location="Harz")])
    assert [o.id for o in store.list("rhön")] == [rhoen.id]
    assert [o.id for o in store.list("RHön PLOT")] == [rhoen.id], "ASCII letters in any case"
    assert store.list("RHÖN") == [], "the index folds Ö too; LIKE, which decides, does not"
    assert [o.id for o in store.list("ön")] == [rhoen.id], "a word under three letters: LIKE alone"


def test_confirming_a_species_is_stored_and_moves_updated_at_forward(store: ObservationStore) -> None:
    obs = make_observation()
    store.add(obs)
    store.confirm_species(obs.id, "versicolor")
    confirmed = store.get(obs.id)
    assert confirmed.confirmed_species == "versicolor"
    assert confirmed.species == "versicolor"
    assert confirmed.updated_at > obs.updated_at
    store.confirm_species(obs.id, None)
    cleared = store.get(obs.id)
    assert cleared.confirmed_species is None
    assert cleared.updated_at > confirmed.updated_at


def test_updated_at_moves_forward_even_when_the_stored_time_lies_in_the_future(
    store: ObservationStore,
) -> None:
    future = "2999-01-01T00:00:00.000000+00:00"
    obs = make_observation(updated_at=future)
    store.add(obs)
    store.set_note(obs.id, "edited")
    assert store.get(obs.id).updated_at == "2999-01-01T00:00:00.000001+00:00"


def test_setting_a_note_replaces_it_and_moves_updated_at_forward(store: ObservationStore) -> None:
    obs = make_observation(note="first")
    store.add(obs)
    store.set_note(obs.id, "  second  ")
    edited = store.get(obs.id)
    assert edited.note == "second"
    assert edited.updated_at > obs.updated_at


def test_the_sync_state_shown_is_read_from_the_sync_outbox_and_leaves_updated_at_alone(
    store: ObservationStore,
) -> None:
    obs = make_observation()
    store.add(obs)
    assert store.get(obs.id).sync_state == "pending"  # not enrolled in the outbox yet
    show_sync_state(store.path, obs.id, "failed", "the server refused the password")
    row = store.get(obs.id)
    assert (row.sync_state, row.sync_error, row.updated_at) == (
        "failed",
        "the server refused the password",
        obs.updated_at,
    )
    show_sync_state(store.path, obs.id, "syncing")
    assert (store.get(obs.id).sync_state, store.get(obs.id).sync_error) == ("syncing", "")


def test_editing_an_unknown_observation_is_an_error(store: ObservationStore) -> None:
    missing = str(uuid.uuid4())
    for edit in (
        lambda: store.confirm_species(missing, "setosa"),
        lambda: store.set_note(missing, "x"),
        lambda: store.delete(missing),
    ):
        with pytest.raises(StoreError, match="no saved observation"):
            edit()


def test_counts_cover_every_sync_state_and_skip_deleted_rows(store: ObservationStore) -> None:
    rows = [make_observation(i) for i in range(5)]
    store.add_many(rows)
    show_sync_state(store.path, rows[0].id, "synced")
    show_sync_state(store.path, rows[1].id, "failed", "offline")
    show_sync_state(store.path, rows[2].id, "synced")
    store.delete(rows[2].id)
    assert store.counts() == {"pending": 2, "syncing": 0, "synced": 1, "failed": 1}
    assert set(store.counts()) == set(SYNC_STATES)


def test_add_many_saves_all_or_nothing(store: ObservationStore) -> None:
    first = make_observation(0)
    store.add(first)
    batch = [make_observation(1), make_observation(2), first]  # the last one collides
    with pytest.raises(StoreError):
        store.add_many(batch)
    assert [o.id for o in store.list()] == [first.id]


def test_a_second_connection_sees_committed_rows(store: ObservationStore) -> None:
    obs = make_observation()
    store.add(obs)
    with ObservationStore.open(store.path) as other:
        assert other.get(obs.id) == obs


def test_migrations_bring_an_older_history_up_to_date_and_keep_its_rows(iris_home: Path) -> None:
    path = iris_home / "observations.sqlite3"
    iris_home.mkdir(parents=True)
    obs = make_observation(note="from version 1")
    old = sqlite3.connect(path)
    old.executescript(schema_steps()[0].sql)
    old.execute(
        "INSERT INTO observations (id, created_at, updated_at, measurements, probabilities,"
        " predicted_species, confidence, unusual, model_name, model_version, model_sha256, note)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, '[]', ?, ?, ?, ?)",
        (
            obs.id,
            obs.created_at,
            obs.updated_at,
            '{"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}',
            '{"setosa": 0.97, "versicolor": 0.02, "virginica": 0.01}',
            "setosa",
            0.97,
            "iris-classifier",
            "3",
            "ab" * 32,
            "from version 1",
        ),
    )
    old.execute("PRAGMA user_version = 1")
    old.commit()
    old.close()

    with ObservationStore.open(path) as store:
        assert store.get(obs.id) == obs
        db = store.connect()
        version = db.execute("PRAGMA user_version").fetchone()[0]
        indexes = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        db.close()
    assert version == known_version() > 1
    assert "observations_by_created" in indexes


def test_a_history_from_a_newer_app_is_refused_not_touched(iris_home: Path) -> None:
    path = iris_home / "observations.sqlite3"
    iris_home.mkdir(parents=True)
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {known_version() + 5}")
    db.close()
    with pytest.raises(StoreError, match="newer version of Iris Field"):
        ObservationStore.open(path)
    assert path.exists()
    assert not list(iris_home.glob("*.corrupt-*"))


def test_a_file_that_is_not_a_database_is_moved_aside_not_replaced(iris_home: Path) -> None:
    iris_home.mkdir(parents=True)
    path = iris_home / "observations.sqlite3"
    garbage = b"these are someone's field notes, not SQLite" * 100
    path.write_bytes(garbage)
    with ObservationStore.open(path) as fresh:
        message = fresh.salvaged.sentence()
        assert fresh.list() == []
    assert "damaged" in message and "\n" not in message
    aside = fresh.salvaged.aside
    assert aside.name in message
    assert aside.read_bytes() == garbage


def test_a_history_that_cannot_be_moved_aside_is_a_damaged_error(iris_home: Path) -> None:
    iris_home.mkdir(parents=True)
    path = iris_home / "observations.sqlite3"
    path.write_bytes(b"garbage" * 100)
    iris_home.chmod(0o500)
    try:
        if os.access(iris_home, os.W_OK):
            pytest.skip("running as a user who may write anywhere (root)")
        with pytest.raises(StoreDamagedError, match="could not be moved aside"):
            ObservationStore.open(path)
    finally:
        iris_home.chmod(0o700)


def test_a_data_folder_that_cannot_be_created_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(StoreError, match="cannot be created"):
        ObservationStore.open(blocker / "observations.sqlite3")


def test_a_path_that_is_a_folder_is_a_store_error_not_damage(tmp_path: Path) -> None:
    folder = tmp_path / "observations.sqlite3"
    folder.mkdir()
    with pytest.raises(StoreError, match="is a folder, not a history file") as excinfo:
        ObservationStore.open(folder)
    assert not isinstance(excinfo.value, StoreDamagedError)
    assert excinfo.value.problem is StoreProblem.NOT_A_FILE
    assert folder.is_dir()


def test_from_prediction_rejects_impossible_coordinates() -> None:
    from desktop.prediction.engine import Classifier

    classifier = Classifier.load()
    prediction = classifier.predict([5.1, 3.5, 1.4, 0.2])
    with pytest.raises(InputError, match="latitude"):
        Observation.from_prediction(prediction, classifier.card, latitude=91.0)
    with pytest.raises(InputError, match="longitude"):
        Observation.from_prediction(prediction, classifier.card, longitude=float("nan"))


def test_from_prediction_records_the_model_and_keys_by_card_names() -> None:
    from desktop.prediction.engine import Classifier

    classifier = Classifier.load()
    card = classifier.card
    prediction = classifier.predict([6.3, 3.3, 6.0, 2.5])
    now = datetime(2026, 11, 23, 12, 1, 2, 123456, tzinfo=UTC)
    obs = Observation.from_prediction(prediction, card, observer="Ada", note="n", now=now)
    assert obs.created_at == obs.updated_at == "2026-11-23T12:01:02.123456+00:00"
    assert list(obs.measurements) == list(card.feature_names)
    assert list(obs.measurements.values()) == [6.3, 3.3, 6.0, 2.5]
    assert set(obs.probabilities) == set(card.classes)
    assert obs.predicted_species == "virginica"
    assert (obs.model_name, obs.model_version, obs.model_sha256) == (
        card.model_name,
        card.model_version,
        card.sha256,
    )
    assert obs.sync_state == "pending" and not obs.deleted
    assert uuid.UUID(obs.id).version == 7  # time-ordered (desktop/history/ids.py)


_SAVE_THEN_WAIT = textwrap.dedent(
    """
    import sys, time, uuid
    import desktop.sync  # the app's history holds the sync's tables too
    from desktop.history.observation import Observation
    from desktop.history.store import ObservationStore
    store = ObservationStore.open()
    store.add(Observation(
        id=sys.argv[1], created_at="2026-05-01T09:00:00.000000+00:00",
        measurements={"sepal_length": 5.1}, probabilities={"setosa": 1.0},
        predicted_species="setosa", confidence=1.0, unusual=(),
        model_name="m", model_version="1", model_sha256="0" * 64, note="survives a kill",
    ))
    print("saved", flush=True)
    time.sleep(600)
    """
)


def test_a_saved_observation_survives_sigkill_right_after_saved(iris_home: Path) -> None:
    obs_id = str(uuid.uuid4())
    child = subprocess.Popen(
        [sys.executable, "-c", _SAVE_THEN_WAIT, obs_id],
        cwd=ROOT,
        env={**os.environ, "IRIS_FIELD_HOME": str(iris_home)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout.readline().strip() == "saved"
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdout.close()
    # The child never closed its connection: the row lives only in the WAL it left behind.
    with ObservationStore.open() as store:
        saved = store.get(obs_id)
    assert saved is not None and saved.note == "survives a kill"


def test_list_can_stop_after_the_newest_few(store: ObservationStore) -> None:
    rows = [make_observation(i) for i in range(6)]
    store.add_many(rows)
    assert [o.id for o in store.list(limit=2)] == [rows[5].id, rows[4].id]


def test_recently_deleted_lists_the_last_deleted_first_with_when_each_was(store: ObservationStore) -> None:
    first, second, kept = (make_observation(minutes=m, note=f"flower {m}") for m in range(3))
    store.add_many([first, second, kept])
    store.delete(second.id)
    store.delete(first.id)
    listed = store.recently_deleted()
    assert [d.observation.id for d in listed] == [first.id, second.id]
    assert listed[0].deleted_at > listed[1].deleted_at
    assert listed[0].observation.note == "flower 0"
    assert store.count_deleted() == 2


def test_restoring_several_brings_them_back_exactly_as_they_were_in_one_go(store: ObservationStore) -> None:
    observations = [make_observation(minutes=m, confirmed_species="versicolor") for m in range(3)]
    store.add_many(observations)
    show_sync_state(store.path, observations[0].id, "synced")
    before = {o.id: store.get(o.id) for o in observations}
    for obs in observations:
        store.delete(obs.id)
    assert store.undelete_many([observations[0].id, observations[2].id, "no-such-id"]) == 2
    assert [o.id for o in store.list()] == [observations[2].id, observations[0].id]
    for obs in (observations[0], observations[2]):
        assert store.get(obs.id) == before[obs.id]  # id, times, confirmation and sync state as before
    assert [d.observation.id for d in store.recently_deleted()] == [observations[1].id]
    assert store.undelete_many([observations[0].id]) == 0  # not deleted: nothing to bring back


def test_a_store_error_says_what_happened_as_data_beside_its_english_sentence(iris_home: Path) -> None:
    from desktop.errors import StoreProblem

    with ObservationStore.open() as opened:
        path = opened.path
        with pytest.raises(StoreError) as missing:
            opened.set_note("no-such-id", "x")
    assert (missing.value.problem, missing.value.facts) == (
        StoreProblem.NO_SUCH_OBSERVATION,
        {"id": "no-such-id"},
    )
    assert str(missing.value) == "there is no saved observation with id no-such-id"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {known_version() + 1}")
    db.close()
    with pytest.raises(StoreError) as newer:
        ObservationStore.open(path)
    assert newer.value.problem is StoreProblem.NEWER_SCHEMA
    assert newer.value.facts == {"path": path, "version": known_version() + 1, "known": known_version()}
    assert "was written by a newer version of Iris Field" in str(newer.value)
