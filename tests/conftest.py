"""Fixtures shared by every test folder: real ``mlflow server``s (SQLite, PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import desktop.sync  # noqa: F401  (histories hold the sync's tables, as in the app: register their steps)
from tests.mlflow_test_server import MlflowServer, running_server
from tests.postgres_cluster import PostgresCluster, running_postgres

LAB_WORKERS = 4
SERVER_PER_STORE = {"sqlite": "mlflow_server", "postgresql": "postgres_mlflow_server"}


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MlflowServer]:
    """Yield a running ``mlflow server`` for the whole session (``.url``, ``.runs_by_tag``, ``.list_runs``).

    Tests share it, so each test uses its own experiment name.
    """
    with running_server(tmp_path_factory.mktemp("mlflow-server")) as server:
        yield server


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """Yield a PostgreSQL cluster for the whole session (Debian's ``postgresql``, installed if missing)."""
    with running_postgres() as cluster:
        yield cluster


@pytest.fixture(scope="session")
def postgres_mlflow_server(
    postgres_cluster: PostgresCluster, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[MlflowServer]:
    """Yield an ``mlflow server`` on PostgreSQL with 4 workers, as the lab runs it, for the whole session."""
    uri = postgres_cluster.create_database("mlflow_sync_tests")  # "mlflow" is the lab compose file's
    with running_server(
        tmp_path_factory.mktemp("mlflow-postgres"), backend_store_uri=uri, workers=LAB_WORKERS
    ) as server:
        yield server


@pytest.fixture(params=list(SERVER_PER_STORE))
def each_store_server(request: pytest.FixtureRequest) -> MlflowServer:
    """Yield the session's SQLite-backed server, then its PostgreSQL-backed 4-worker server.

    For the few representative tests that must hold on both stores (the CI budget does not double them all).
    """
    return request.getfixturevalue(SERVER_PER_STORE[request.param])
