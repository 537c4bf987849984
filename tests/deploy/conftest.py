"""The lab server as compose.yaml runs it (migrate step, then mlflow service), shared by deploy tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from tests.deploy.compose_file import LAB
from tests.deploy.lab_server_locally import ComposedMlflowServer
from tests.mlflow_test_server import scratch_folder
from tests.postgres_cluster import PostgresCluster

WORKERS_IN_TEST = 2  # compose's default is 4; two already make it a multi-process server, at half the start


@pytest.fixture(scope="session")
def lab_postgres(postgres_cluster: PostgresCluster) -> PostgresCluster:
    """Return the session's cluster set up as compose's postgres service is: database mlflow, init scripts."""
    postgres_cluster.create_database("mlflow")
    for script in sorted((LAB / "postgres-init").glob("*.sql")):
        postgres_cluster.client("psql", "-v", "ON_ERROR_STOP=1", "--dbname", "mlflow", "--file", script)
    return postgres_cluster


@pytest.fixture(scope="session")
def lab_server(
    lab_postgres: PostgresCluster, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ComposedMlflowServer]:
    """compose.yaml's migrate step and mlflow service, run here with their own command lines and env."""
    root = scratch_folder(tmp_path_factory.mktemp("lab-server"))
    server = ComposedMlflowServer(root, lab_postgres, WORKERS_IN_TEST)
    try:
        server.start()  # waits as long as the server lives: a busy machine may take minutes
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
