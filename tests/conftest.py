"""Fixtures shared by every test folder: a real ``mlflow server`` for the whole session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.mlflow_test_server import MlflowServer, running_server


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MlflowServer]:
    """Yield a running ``mlflow server`` for the whole session (``.url``, ``.runs_by_tag``, ``.list_runs``).

    Tests share it, so each test uses its own experiment name.
    """
    with running_server(tmp_path_factory.mktemp("mlflow-server")) as server:
        yield server
