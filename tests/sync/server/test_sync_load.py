"""Load: 5,000 observations reach a real server with none lost and none duplicated."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from desktop.history.store import ObservationStore
from desktop.sync.target import SyncTarget
from desktop.sync.worker import SyncWorker
from tests.mlflow_test_server import MlflowServer
from tests.sync.history_factory import fill_history
from tests.sync.server.exactly_once import assert_exactly_once

pytestmark = [pytest.mark.server, pytest.mark.slow]

COUNT = 5000


def test_five_thousand_observations_sync_with_zero_lost_and_zero_duplicated(
    mlflow_server: MlflowServer, db_path: Path, experiment_name: str
) -> None:
    observations = fill_history(db_path, COUNT)

    started = time.perf_counter()
    report = SyncWorker(db_path, SyncTarget(mlflow_server.url, experiment_name)).run_pass(patience=300)
    seconds = time.perf_counter() - started

    print(f"\nsynced {COUNT} observations in {seconds:.1f} s = {COUNT / seconds:.1f} observations/s")
    assert report.complete and report.synced_now == COUNT, report
    assert_exactly_once(mlflow_server, experiment_name, observations)
    with ObservationStore.open(db_path) as store:
        assert store.counts()["synced"] == COUNT
