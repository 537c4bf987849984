"""Fixtures shared by every test folder: a real ``mlflow server`` for the whole session."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from tests.mlflow_test_server import MlflowServer, scratch_folder


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MlflowServer]:
    """Yield a running ``mlflow server`` for the whole session (``.url``, ``.runs_by_tag``, ``.list_runs``).

    Tests share it, so each test uses its own experiment name.
    """
    root = scratch_folder(tmp_path_factory.mktemp("mlflow-server"))
    # One worker: with a SQLite store, a second worker process only adds lock contention.
    server = MlflowServer(root, workers=1)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        if root.is_relative_to("/dev/shm"):
            shutil.rmtree(root, ignore_errors=True)
