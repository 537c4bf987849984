"""Specification of signed observations: laptops sign, the lab's dataset verifies, field training trusts."""

from __future__ import annotations

import base64
import io
import json
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
import pytest
from cryptography.hazmat.primitives import serialization
from mlflow import MlflowClient
from mlflow.entities import Metric, Param

from desktop.cli import main as cli
from desktop.history_query import HistoryQuery
from desktop.signing import device_key
from desktop.signing import observation_signature as sig
from desktop.store import ObservationStore
from desktop.sync.run_record import build_run_record
from desktop.tables.observation_csv import export_listed
from tests.mlflow_test_server import MlflowServer
from tests.training.field.laptops import confirm, iris_observations, save, sync
from training import train
from training.accounts import device_keys
from training.dataset import collect as field_dataset
from training.field import runs as field_runs
from training.field import schema as fs
from training.field import training_rows as field_data

pytestmark = pytest.mark.server


@dataclass(frozen=True)
class SignedField:
    """Two laptops' signed runs on a real server, one altered by another client, plus the odd ones out."""

    url: str
    experiment: str
    homes: dict[str, Path]  # laptop -> its IRIS_FIELD_HOME (where its device key lives)
    histories: dict[str, Path]
    ids: dict[str, str]  # role -> observation id
    snapshot: Path
    stdout: str

    def run_id(self, observation_id: str) -> str:
        """Return the active run carrying an observation."""
        client = MlflowClient(self.url)
        experiment = client.get_experiment_by_name(self.experiment).experiment_id
        [run] = client.search_runs([experiment], f"tags.observation_id = '{observation_id}'")
        return run.info.run_id

    def table(self, folder: Path | None = None) -> pd.DataFrame:
        """Return a snapshot's Parquet table indexed by observation id."""
        return pd.read_parquet((folder or self.snapshot) / "observations.parquet").set_index(fs.ID)


@contextmanager
def laptop(home: Path) -> Iterator[None]:
    """Act as the laptop whose data folder is ``home`` (its device key lives there)."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("IRIS_FIELD_HOME", str(home))
        env.delenv("MLFLOW_TRACKING_URI", raising=False)
        yield


def dataset(url: str, experiment: str, out: Path, *extra: str) -> tuple[int, str]:
    captured = io.StringIO()
    argv = ["--tracking-uri", url, "--experiment", experiment, "--out", str(out), *extra]
    return field_dataset.main(argv, out=captured), captured.getvalue()


def old_app_run(url: str, experiment: str, history: Path) -> str:
    """Send one confirmed observation as an app from before signing did (no signature tags)."""
    [obs] = iris_observations(1, seed=7, observer="Old", start_day=5)
    save(history, [obs])
    confirm(history, {obs.id: obs.predicted_species})
    with ObservationStore.open(history) as store:
        record = build_run_record(store.get(obs.id), device="laptop-old")
    client = MlflowClient(url)
    experiment_id = client.get_experiment_by_name(experiment).experiment_id
    run = client.create_run(experiment_id, record.start_time, record.tag_dict, record.run_name)
    client.log_batch(
        run.info.run_id,
        metrics=[Metric(m.key, m.value, m.timestamp, m.step) for m in record.metrics],
        params=[Param(k, v) for k, v in record.params],
    )
    client.set_terminated(run.info.run_id, "FINISHED", end_time=record.start_time)
    return obs.id


@pytest.fixture(scope="module")
def signed_field(mlflow_server: MlflowServer, tmp_path_factory: pytest.TempPathFactory) -> SignedField:
    """Ada (6 observations, 3 confirmed, one note too long for a tag) and Ben (4, 2 confirmed) sync signed.

    Then another client changes one confirmed species and adds a free tag to another run, an old app
    sends an unsigned run, and a second key claims to be Ada's laptop; ``iris-dataset`` takes a snapshot.
    """
    folder = tmp_path_factory.mktemp("signed")
    experiment = f"signed-{uuid.uuid4().hex[:8]}"
    homes = {name: folder / name for name in ("ada", "ben", "impostor", "old")}
    histories = {name: folder / f"{name}.sqlite3" for name in homes}
    ada = iris_observations(6, seed=11, observer="Ada")
    ben = iris_observations(4, seed=12, observer="Ben", start_day=2)
    ada[4] = replace(ada[4], note="a long note " * 40)  # too long for a tag: observation.json is sent
    save(histories["ada"], ada)
    save(histories["ben"], ben)
    confirm(histories["ada"], {o.id: o.predicted_species for o in ada[:3]})
    confirm(histories["ben"], {o.id: o.predicted_species for o in ben[:2]})
    for name, device in (("ada", "laptop-ada"), ("ben", "laptop-ben")):
        with laptop(homes[name]):
            sync(histories[name], mlflow_server.url, experiment, device)
    [forged] = iris_observations(1, seed=13, observer="Ada", start_day=4)
    save(histories["impostor"], [forged])
    confirm(histories["impostor"], {forged.id: forged.predicted_species})
    with laptop(homes["impostor"]):  # another key, claiming to be Ada's laptop
        sync(histories["impostor"], mlflow_server.url, experiment, "laptop-ada")
    with laptop(homes["old"]):
        unsigned = old_app_run(mlflow_server.url, experiment, histories["old"])
    ids = {
        "altered": ada[0].id,
        "free": ada[1].id,
        "verified": ada[2].id,
        "unconfirmed": ada[3].id,
        "long_note": ada[4].id,
        "ben": ben[0].id,
        "unsigned": unsigned,
        "impostor": forged.id,
    }
    field = SignedField(mlflow_server.url, experiment, homes, histories, ids, folder / "snapshot", "")
    client = MlflowClient(mlflow_server.url)
    other = {"versicolor": "virginica"}.get(ada[0].predicted_species, "versicolor")
    client.set_tag(field.run_id(ids["altered"]), fs.CONFIRMED_SPECIES_TAG, other)  # another client
    client.set_tag(field.run_id(ids["free"]), "reviewed_by", "Dr. Iris")  # a tag of the lab's own
    code, stdout = dataset(mlflow_server.url, experiment, field.snapshot)
    assert code == 0, stdout
    return replace(field, stdout=stdout)


def test_signed_runs_are_verified_and_the_terminal_counts_each_kind(signed_field: SignedField) -> None:
    table, ids = signed_field.table(), signed_field.ids
    expected = {
        "verified": "verified",
        "unconfirmed": "verified",
        "long_note": "verified",
        "ben": "verified",
        "altered": "altered",
        "unsigned": "unsigned",
        "impostor": "unknown-key",
    }
    assert {role: table.loc[ids[role], fs.INTEGRITY] for role in expected} == expected
    counts = table[fs.INTEGRITY].value_counts().to_dict()
    assert counts == {"verified": 9, "altered": 1, "unsigned": 1, "unknown-key": 1}
    assert "Integrity: 9 verified, 1 altered, 1 unsigned, 1 unknown-key (each device's first key" in (
        signed_field.stdout
    )
    csv = pd.read_csv(signed_field.snapshot / "observations.csv", keep_default_na=False).set_index(fs.ID)
    assert csv[fs.INTEGRITY].to_dict() == table[fs.INTEGRITY].to_dict()


def test_first_use_trust_is_kept_beside_the_snapshot_with_each_laptops_own_key(
    signed_field: SignedField,
) -> None:
    kept = device_keys.read(signed_field.snapshot / device_keys.KEYS_FILE, learns=False)
    with laptop(signed_field.homes["ada"]):
        ada = device_key.load_or_create().public_key
    with laptop(signed_field.homes["ben"]):
        ben = device_key.load_or_create().public_key
    assert kept.devices == {"laptop-ada": [ada], "laptop-ben": [ben]}


def test_a_tag_the_lab_adds_outside_the_signed_fields_stays_free(signed_field: SignedField) -> None:
    assert signed_field.table().loc[signed_field.ids["free"], fs.INTEGRITY] == "verified"
    run = MlflowClient(signed_field.url).get_run(signed_field.run_id(signed_field.ids["free"]))
    assert run.data.tags["reviewed_by"] == "Dr. Iris"


def test_a_run_retagged_by_another_client_is_left_out_of_field_training(
    signed_field: SignedField, tmp_path: Path
) -> None:
    captured = io.StringIO()
    argv = ["--tracking-uri", signed_field.url, "--field-data", str(signed_field.snapshot)]
    with redirect_stdout(captured):
        code = train.main([*argv, "--n-estimators", "20", "--cv-repeats", "1"])
    assert code in (train.EXIT_OK, train.EXIT_REFUSED), captured.getvalue()
    assert "Field data: 4 confirmed observations of 12" in captured.getvalue()
    assert "3 unverified left out" in captured.getvalue()
    client = MlflowClient(signed_field.url)
    [run] = client.search_runs(
        [client.get_experiment_by_name("iris-training").experiment_id],
        "params.field_snapshot_observations = '12' and params.field_unverified_left_out = '3'",
        order_by=["attributes.start_time DESC"],
        max_results=1,
    )
    used = pd.read_csv(
        client.download_artifacts(run.info.run_id, "data/field_observations.csv", str(tmp_path))
    )
    ids = signed_field.ids
    assert {ids["verified"], ids["ben"]} <= set(used[fs.ID])
    assert not {ids["altered"], ids["unsigned"], ids["impostor"]} & set(used[fs.ID])


def test_include_unverified_takes_every_confirmed_row(signed_field: SignedField) -> None:
    everything = field_data.load(signed_field.snapshot, include_unverified=True)
    trusted = field_data.load(signed_field.snapshot)
    assert len(everything.data) == 7 and everything.unverified == 0
    assert len(trusted.data) == 4 and trusted.unverified == 3
    assert signed_field.ids["altered"] in everything.observation_ids


def test_the_labs_key_list_decides_instead_of_first_use(signed_field: SignedField, tmp_path: Path) -> None:
    """The lab lists the key a laptop shows (`iris-field device-key --json`): here the impostor's."""
    home = signed_field.homes["impostor"]
    (home / "settings.json").write_text(json.dumps({"device_name": "laptop-ada"}))
    shown = io.StringIO()
    with laptop(home), redirect_stdout(shown):
        assert cli.run(["device-key", "--json"]) == 0
    keys = tmp_path / "lab-keys.json"
    keys.write_text(shown.getvalue())
    code, stdout = dataset(
        signed_field.url, signed_field.experiment, tmp_path / "out", "--device-keys", str(keys)
    )
    assert code == 0, stdout
    table, ids = signed_field.table(tmp_path / "out"), signed_field.ids
    assert table.loc[ids["impostor"], fs.INTEGRITY] == "verified"
    assert table.loc[ids["verified"], fs.INTEGRITY] == "unknown-key"
    assert table.loc[ids["ben"], fs.INTEGRITY] == "unknown-key"
    assert table.loc[ids["altered"], fs.INTEGRITY] == "altered"
    assert "(keys from --device-keys)" in stdout
    assert not (tmp_path / "out" / device_keys.KEYS_FILE).exists()


def test_a_bad_key_list_is_one_sentence_and_writes_nothing(
    signed_field: SignedField, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    keys = tmp_path / "keys.json"
    keys.write_text("{")
    code, _ = dataset(signed_field.url, signed_field.experiment, tmp_path / "out", "--device-keys", str(keys))
    err = capsys.readouterr().err
    assert code == field_dataset.EXIT_FAILURE
    assert err.count("\n") == 1 and "is not JSON" in err and str(keys) in err
    assert not (tmp_path / "out").exists()


def test_a_correction_re_signs_and_stays_verified(signed_field: SignedField, tmp_path: Path) -> None:
    corrected = signed_field.ids["unconfirmed"]
    before = MlflowClient(signed_field.url).get_run(signed_field.run_id(corrected)).data.tags
    confirm(signed_field.histories["ada"], {corrected: "virginica"})
    with laptop(signed_field.homes["ada"]):
        sync(signed_field.histories["ada"], signed_field.url, signed_field.experiment, "laptop-ada")
    after = MlflowClient(signed_field.url).get_run(signed_field.run_id(corrected)).data.tags
    assert after[sig.SIGNATURE_VALUE_TAG] != before[sig.SIGNATURE_VALUE_TAG]
    assert after[sig.SIGNATURE_KEY_TAG] == before[sig.SIGNATURE_KEY_TAG]
    code, stdout = dataset(signed_field.url, signed_field.experiment, tmp_path / "out")
    assert code == 0, stdout
    row = signed_field.table(tmp_path / "out").loc[corrected]
    assert (row[fs.CONFIRMED], row[fs.INTEGRITY]) == ("virginica", "verified")


def test_the_device_key_never_leaves_the_laptop(signed_field: SignedField, tmp_path: Path) -> None:
    with laptop(signed_field.homes["ada"]):
        key = device_key.load_or_create()
        with ObservationStore.open(signed_field.histories["ada"]) as store:
            export_listed(store, HistoryQuery(), tmp_path / "export.csv", overwrite=True)
    raw = key.private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    pem_body = b"".join(key.path.read_bytes().splitlines()[1:-1])
    secrets = [raw, raw.hex().encode(), base64.b64encode(raw), pem_body]
    client = MlflowClient(signed_field.url)
    experiment = client.get_experiment_by_name(signed_field.experiment).experiment_id
    runs = client.search_runs([experiment])
    synced = b"".join(
        repr((run.data.tags, run.data.params, run.data.metrics)).encode() for run in runs
    ) + b"".join(
        Path(client.download_artifacts(run.info.run_id, "", str(tmp_path / run.info.run_id)))
        .joinpath("observation.json")
        .read_bytes()
        for run in runs
        if any(a.path == "observation.json" for a in client.list_artifacts(run.info.run_id))
    )
    assert b"a long note" in synced  # the long note's observation.json was read too
    assert key.public_key.encode() in synced  # the public half travels, the private half never
    snapshot_files = b"".join(p.read_bytes() for p in signed_field.snapshot.iterdir() if p.is_file())
    for place in (
        synced,
        (tmp_path / "export.csv").read_bytes(),
        signed_field.histories["ada"].read_bytes(),
        snapshot_files,
    ):
        assert not any(secret in place for secret in secrets)


def test_a_later_run_keeps_the_laptops_values_until_full_judges_the_change(
    signed_field: SignedField, tmp_path: Path
) -> None:
    """A tag changed on the server moves no synced_at: the incremental run keeps the row it had."""
    folder = tmp_path / "snapshot"
    shutil.copytree(signed_field.snapshot, folder)
    target = signed_field.ids["ben"]
    MlflowClient(signed_field.url).set_tag(
        signed_field.run_id(target), fs.NOTE_TAG, "rewritten on the server"
    )
    kept = field_dataset.collect(
        tracking_uri=signed_field.url, experiment=signed_field.experiment, out=folder, clock_margin_ms=0
    )
    row = signed_field.table(folder).loc[target]
    # The laptop sent no note: the Parquet holds a null there (issue 19's typed columns), not "".
    assert kept.incremental and pd.isna(row[fs.NOTE]) and row[fs.INTEGRITY] == "verified"
    field_dataset.collect(
        tracking_uri=signed_field.url, experiment=signed_field.experiment, out=folder, full=True
    )
    row = signed_field.table(folder).loc[target]
    assert (row[fs.NOTE], row[fs.INTEGRITY]) == ("rewritten on the server", "altered")


def test_signatures_survive_postgresql_s_round_trip(
    postgres_mlflow_server: MlflowServer, tmp_path: Path
) -> None:
    """Params, metrics and tags come back from PostgreSQL exactly as the laptop signed them.

    On the session's PostgreSQL-backed server (the sync tests' too), in an experiment of its own.
    """
    experiment = f"field-observations-{uuid.uuid4().hex[:8]}"
    history = tmp_path / "history.sqlite3"
    observations = iris_observations(5, seed=21, observer="Ada")
    save(history, observations)
    confirm(history, {observations[0].id: observations[0].predicted_species})
    with laptop(tmp_path / "home"):
        sync(history, postgres_mlflow_server.url, experiment, "laptop-ada")
        client = MlflowClient(postgres_mlflow_server.url)
        fetched = field_runs.fetch(client, client.get_experiment_by_name(experiment).experiment_id)
    assert sorted(row[fs.INTEGRITY] for row in fetched.rows) == ["verified"] * 5
