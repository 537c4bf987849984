"""Specification of ``iris-train --field-data``: confirmed observations join, with lineage, never leaking."""

from __future__ import annotations

import io
from contextlib import redirect_stdout
from pathlib import Path

import pandas as pd
import pytest
from mlflow import MlflowClient

from tests.training.field.conftest import FieldServer
from training import register, train
from training.dataset import collect as field_dataset

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def snapshot(field_server: FieldServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("snapshot")
    assert (
        field_dataset.main(
            ["--tracking-uri", field_server.url, "--experiment", field_server.experiment, "--out", str(out)],
            out=io.StringIO(),
        )
        == 0
    )
    return out


def test_confirmed_observations_join_the_training_with_their_lineage_and_no_leak(
    field_server: FieldServer, snapshot: Path, tmp_path: Path
) -> None:
    argv = [
        "--tracking-uri",
        field_server.url,
        "--field-data",
        str(snapshot),
        "--n-estimators",
        "20",
        "--cv-repeats",
        "1",
    ]
    captured = io.StringIO()
    with redirect_stdout(captured):
        code = train.main(argv)
    assert code in (train.EXIT_OK, train.EXIT_REFUSED), captured.getvalue()
    table = pd.read_parquet(snapshot / "observations.parquet")
    confirmed = table[(table["confirmed_species"] != "") & (table["integrity"] == "verified")]
    assert f"Field data: {len(confirmed)} confirmed observations of {len(table)}" in captured.getvalue()

    client = MlflowClient(field_server.url)
    [run] = client.search_runs(
        [client.get_experiment_by_name("iris-training").experiment_id],
        f"params.field_rows = '{len(confirmed)}'",
        order_by=["attributes.start_time DESC"],
        max_results=1,
    )
    state = field_dataset.SnapshotState.read(snapshot)
    assert run.data.tags["field_snapshot_run_id"] == state.snapshot_run_id
    [used] = [d for d in run.inputs.dataset_inputs if d.dataset.name == field_dataset.DATASET_NAME]
    assert used.dataset.digest == state.digest  # the very snapshot iris-dataset logged
    assert int(run.data.params["field_train_rows"]) + int(run.data.params["field_test_rows"]) == len(
        confirmed
    )

    logged = pd.read_csv(register.download_run_file(run.info.run_id, register.DATA_ARTIFACT, tmp_path))
    assert (logged["origin"] == "field").sum() == len(confirmed)
    key = ["sepal_length", "sepal_width", "petal_length", "petal_width", "species"]
    train_rows = set(map(tuple, logged[logged["split"] == "train"][key].to_numpy()))
    test_rows = set(map(tuple, logged[logged["split"] == "test"][key].to_numpy()))
    assert not train_rows & test_rows
    ids = pd.read_csv(
        client.download_artifacts(run.info.run_id, "data/field_observations.csv", str(tmp_path))
    )
    assert sorted(ids["observation_id"]) == sorted(confirmed["observation_id"])
    assert set(field_server.corrections) <= set(ids["observation_id"])


def test_a_folder_without_a_snapshot_is_invalid_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        train.main(["--field-data", str(tmp_path), "--tracking-uri", "sqlite:///" + str(tmp_path / "x.db")])
        == 2
    )
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "run iris-dataset --out" in err
