"""Specification of signing in the sync: every run and every edit carries this laptop's device signature."""

from __future__ import annotations

from pathlib import Path

from contract import observation as fields
from desktop.signing import device_key
from desktop.signing import observation_signature as sig
from desktop.store import ObservationStore
from desktop.sync.target import SyncTarget
from desktop.sync.worker import SyncWorker
from tests.sync.fake_mlflow import FakeClock, FakeMlflow
from tests.sync.history_factory import fill_history


def sync(db_path: Path, server: FakeMlflow) -> None:
    worker = SyncWorker(
        db_path,
        SyncTarget("http://lab.example:5000", "field-observations", device_name="laptop-7"),
        client_factory=lambda target, options: server,
        clock=FakeClock(),
    )
    assert worker.run_pass().complete


def seal(server: FakeMlflow, observation_id: str) -> sig.Seal:
    [run] = server.active_runs(observation_id)
    return sig.seal_of(run.params, run.metrics, run.tags)


def test_the_first_sync_makes_the_device_key_and_signs_every_run_with_it(
    db_path: Path, iris_home: Path
) -> None:
    server = FakeMlflow()
    observations = fill_history(db_path, 3)
    assert not (iris_home / device_key.DEVICE_KEY_FILE).exists()
    sync(db_path, server)
    key = device_key.load_or_create()
    for obs in observations:
        assert seal(server, obs.id) == sig.Seal(
            sig.SealState.INTACT, "laptop-7", key.public_key, key.fingerprint
        )


def test_a_correction_and_a_cleared_species_are_re_signed_by_the_same_key(db_path: Path) -> None:
    server = FakeMlflow()
    [obs] = fill_history(db_path, 1)
    sync(db_path, server)
    first = server.active_runs(obs.id)[0].tags[sig.SIGNATURE_VALUE_TAG]
    with ObservationStore.open(db_path) as store:
        store.confirm_species(obs.id, "virginica")
        store.set_note(obs.id, "petals checked twice")
    sync(db_path, server)
    [run] = server.active_runs(obs.id)
    assert run.tags[fields.CONFIRMED_SPECIES.key] == "virginica"
    assert run.tags[sig.SIGNATURE_VALUE_TAG] != first
    assert seal(server, obs.id).state is sig.SealState.INTACT
    with ObservationStore.open(db_path) as store:
        store.confirm_species(obs.id, None)
    sync(db_path, server)
    [run] = server.active_runs(obs.id)
    assert fields.CONFIRMED_SPECIES.key not in run.tags
    assert seal(server, obs.id).state is sig.SealState.INTACT


def test_a_key_that_cannot_be_kept_sends_unsigned_rather_than_nothing(db_path: Path, iris_home: Path) -> None:
    server = FakeMlflow()
    [obs] = fill_history(db_path, 1)
    (iris_home / device_key.DEVICE_KEY_FILE).mkdir()  # the key's place is taken: it cannot be read or made
    sync(db_path, server)
    assert seal(server, obs.id).state is sig.SealState.ABSENT
