"""deploy/lab: the compose file asks for what the lab needs, and its mlflow command line serves a laptop."""

from __future__ import annotations

import json
import os
import subprocess
import tarfile
import tomllib
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from desktop.mlflow_http.auth import Auth
from desktop.sync.target import SyncTarget
from desktop.sync.worker import SyncWorker
from tests.deploy.compose_file import COMPOSE, LAB, Compose, MissingVariable, required_variables
from tests.deploy.lab_accounts import add_account
from tests.deploy.lab_server_locally import ComposedMlflowServer
from tests.mlflow_test_server import rest
from tests.postgres_cluster import PostgresCluster
from tests.sync.history_factory import fill_history
from tests.sync.server.exactly_once import assert_exactly_once
from training.accounts.roles import Role

ROOT = LAB.parents[1]
EXAMPLE_ENV = LAB / "lab.env.example"


def example_env() -> dict[str, str]:
    """Return lab.env.example's variables, with made-up values where the lab must choose its own."""
    values = {}
    for line in EXAMPLE_ENV.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip() or "filled-in"
    return values


def locked_version(package: str) -> str:
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    [version] = {p["version"] for p in lock["package"] if p["name"] == package}
    return version


# ---------------------------------------------------------------------------------------------- the file
def test_the_server_image_installs_exactly_the_locked_mlflow_and_psycopg2() -> None:
    dockerfile = (LAB / "mlflow.Dockerfile").read_text(encoding="utf-8")
    mlflow, psycopg2 = locked_version("mlflow"), locked_version("psycopg2-binary")

    assert f'mlflow[auth]=={mlflow}"' in dockerfile and f"psycopg2-binary=={psycopg2} " in dockerfile
    assert Compose.load(example_env()).service("mlflow")["image"].endswith(f":{mlflow}")


def test_every_required_variable_is_in_the_example_env_and_a_missing_one_stops_compose() -> None:
    required = required_variables(COMPOSE.read_text(encoding="utf-8"))

    assert required <= set(example_env())
    with pytest.raises(MissingVariable, match="POSTGRES_PASSWORD"):
        Compose.load({k: v for k, v in example_env().items() if k != "POSTGRES_PASSWORD"})


def test_mlflow_runs_on_postgresql_via_psycopg2_with_workers_basic_auth_and_proxied_artifacts() -> None:
    mlflow = Compose.load(example_env()).service("mlflow")
    command, env = mlflow["command"], mlflow["environment"]

    assert env["MLFLOW_BACKEND_STORE_URI"].startswith("postgresql+psycopg2://")
    assert command[:2] == ["mlflow", "server"] and "--backend-store-uri" not in command  # password: env only
    assert command[command.index("--workers") + 1] == "4"
    assert command[command.index("--app-name") + 1] == "basic-auth"
    assert "--artifacts-destination" in command and "--serve-artifacts" in command
    assert mlflow["configs"][0]["target"] == env["MLFLOW_AUTH_CONFIG_PATH"]
    assert "postgresql+psycopg2://" in Compose.load(example_env()).config("basic-auth")


def test_only_the_tls_proxy_is_published_and_it_forwards_to_the_mlflow_port() -> None:
    compose = Compose.load(example_env())
    published = {name for name, service in compose.tree["services"].items() if service.get("ports")}
    caddyfile = (LAB / "Caddyfile").read_text(encoding="utf-8")
    command = compose.service("mlflow")["command"]

    assert published == {"caddy"}
    assert f"reverse_proxy mlflow:{command[command.index('--port') + 1]}" in caddyfile
    assert "tls {$LAB_TLS}" in caddyfile
    assert "mlflow.lab.example.org" in command[command.index("--allowed-hosts") + 1]


def test_backups_dump_both_databases_and_the_artifact_volume_on_a_schedule() -> None:
    backup = Compose.load(example_env()).service("backup")

    assert backup["environment"]["BACKUP_DATABASES"].split() == ["mlflow", "mlflow_auth"]
    assert "mlflow-artifacts:/srv/mlflow/artifacts:ro" in backup["volumes"]
    assert int(backup["environment"]["BACKUP_EVERY_SECONDS"]) > 0


# ------------------------------------------------------------------------- the command line, for real
@pytest.fixture
def history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("IRIS_FIELD_HOME", str(tmp_path / "home"))
    return tmp_path / "home" / "observations.sqlite3"


def create_user(server: ComposedMlflowServer, name: str, experiment: str) -> Auth:
    """Create a laptop account syncing into ``experiment`` with iris-accounts, as docs/lab.md says."""
    return add_account(server, name, Role.LAPTOP, experiment)


def sync(server: ComposedMlflowServer, history: Path, experiment: str, user: Auth) -> None:
    report = SyncWorker(history, SyncTarget(server.url, experiment, user)).run_pass(patience=60)
    assert report.complete, report


@pytest.mark.server
@pytest.mark.parametrize("auth", [None, Auth("basic", "admin", "wrong").header()["Authorization"]])
def test_the_lab_server_refuses_requests_without_the_right_credentials(
    lab_server: ComposedMlflowServer, auth: str | None
) -> None:
    with pytest.raises(urllib.error.HTTPError) as refused:
        rest(lab_server.url, "experiments/search", {"max_results": 1}, auth)

    assert refused.value.code == 401


@pytest.mark.server
def test_a_laptop_account_syncs_through_basic_auth_and_every_observation_lands_once(
    lab_server: ComposedMlflowServer, history: Path
) -> None:
    experiment = f"field-{uuid.uuid4().hex[:8]}"
    observations = fill_history(history, 20)

    sync(
        lab_server, history, experiment, create_user(lab_server, f"laptop-{uuid.uuid4().hex[:6]}", experiment)
    )

    assert_exactly_once(lab_server, experiment, observations, auth=lab_server.admin_header)


@pytest.mark.server
def test_artifacts_go_through_the_server_to_the_artifact_destination(
    lab_server: ComposedMlflowServer,
) -> None:
    exp = rest(lab_server.url, "experiments/create", {"name": uuid.uuid4().hex}, lab_server.admin_header)
    run = rest(
        lab_server.url, "runs/create", {"experiment_id": exp["experiment_id"]}, lab_server.admin_header
    )
    run_id = run["run"]["info"]["run_id"]
    path = f"{exp['experiment_id']}/{run_id}/artifacts/observation.json"
    put = urllib.request.Request(
        f"{lab_server.url}/api/2.0/mlflow-artifacts/artifacts/{path}", data=b'{"ok": 1}', method="PUT"
    )
    put.add_header("Authorization", lab_server.admin_header)
    urllib.request.urlopen(put, timeout=30).close()

    assert json.loads((lab_server.artifacts / path).read_bytes()) == {"ok": 1}


@pytest.mark.server
def test_a_backup_restores_every_run_the_accounts_and_the_artifacts(
    lab_server: ComposedMlflowServer, lab_postgres: PostgresCluster, history: Path, tmp_path: Path
) -> None:
    experiment = f"backup-{uuid.uuid4().hex[:8]}"
    fill_history(history, 5)
    sync(lab_server, history, experiment, create_user(lab_server, "backup-laptop", experiment))
    (lab_server.artifacts / "marker.txt").write_text("kept", encoding="utf-8")
    backups = tmp_path / "backups"
    backup = Compose.load(example_env()).service("backup")["environment"]

    subprocess.run(
        ["sh", str(LAB / "backup.sh")],
        env={
            **lab_postgres.client_environment(),
            "PATH": f"{lab_postgres.bin}{os.pathsep}{os.environ['PATH']}",
            "BACKUP_DIR": str(backups),
            "BACKUP_DATABASES": backup["BACKUP_DATABASES"],
            "BACKUP_ARTIFACTS": str(lab_server.artifacts),
            "BACKUP_EVERY_SECONDS": "0",
        },
        check=True,
        capture_output=True,
    )

    [folder] = backups.iterdir()
    assert not folder.name.endswith(".partial")
    restored = f"restored_{uuid.uuid4().hex[:8]}"
    lab_postgres.create_database(restored)
    lab_postgres.client("pg_restore", "--no-owner", "--dbname", restored, folder / "mlflow.dump")
    query = (
        "SELECT t.value FROM tags t JOIN runs r ON r.run_uuid = t.run_uuid JOIN experiments e "
        f"ON e.experiment_id = r.experiment_id WHERE t.key = 'observation_id' AND e.name = '{experiment}'"
    )
    runs = lab_server.list_runs(experiment, auth=lab_server.admin_header)
    on_server = {run.tags["observation_id"] for run in runs}
    assert set(lab_postgres.client("psql", "-At", "--dbname", restored, "-c", query).split()) == on_server
    assert len(on_server) == 5
    accounts = f"accounts_{uuid.uuid4().hex[:8]}"
    lab_postgres.create_database(accounts)
    lab_postgres.client("pg_restore", "--no-owner", "--dbname", accounts, folder / "mlflow_auth.dump")
    users = lab_postgres.client("psql", "-At", "--dbname", accounts, "-c", "SELECT username FROM users")
    assert {"admin", "backup-laptop"} <= set(users.split())
    with tarfile.open(folder / "artifacts.tar.gz") as tarball:
        assert "./marker.txt" in tarball.getnames()
