"""What lands in MLflow: one finished run per observation, with the observation's time, values and tags."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.store import ObservationStore
from desktop.sync.target import SyncTarget
from desktop.sync.worker import SyncWorker
from tests.mlflow_test_server import MlflowServer
from tests.sync.history_factory import fill_history

pytestmark = pytest.mark.server


def test_every_observation_lands_once_as_a_finished_run_with_its_time_values_and_tags(
    mlflow_server: MlflowServer, db_path: Path, experiment_name: str
) -> None:
    observations = fill_history(db_path, 25)
    target = SyncTarget(mlflow_server.url, experiment_name, device_name="field-laptop-7")

    report = SyncWorker(db_path, target).run_pass()

    assert report.complete and report.synced_now == 25
    runs = mlflow_server.list_runs(experiment_name)
    by_observation = {r.tags["observation_id"]: r for r in runs}
    assert len(runs) == len(by_observation) == 25
    for obs in observations:
        run = by_observation[obs.id]
        assert run.status == "FINISHED" and run.lifecycle_stage == "active"
        assert run.start_time == int(
            __import__("datetime").datetime.fromisoformat(obs.created_at).timestamp() * 1000
        )
        assert {k: float(v) for k, v in run.params.items()} == obs.measurements
        assert run.metrics["confidence"] == pytest.approx(obs.confidence)
        assert run.metrics["probability.setosa"] == pytest.approx(obs.probabilities["setosa"])
        assert run.tags["predicted_species"] == obs.predicted_species
        assert run.tags["device"] == "field-laptop-7"
        assert run.tags["observer"] == "Ada"
        assert run.tags["model_sha256"] == obs.model_sha256
    with ObservationStore.open(db_path) as store:
        assert store.counts()["synced"] == 25
