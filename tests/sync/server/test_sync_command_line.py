"""`iris-field sync` as lab staff run it, as a real process: summary, exit codes, SIGKILL, a second worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.sync.retry import RetryPolicy
from desktop.sync.target import SyncOptions, SyncTarget
from desktop.sync.worker import SyncWorker
from tests.mlflow_test_server import MlflowServer
from tests.sync.history_factory import fill_history
from tests.sync.server.exactly_once import assert_exactly_once, outbox_stages
from tests.sync.server.fault_tools import background_worker, fault_server, leave_in_creating, wait_for

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parents[3]


def sync_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "desktop", "sync", *args]


def environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_TRACKING")}
    env.update(extra)
    return env


def run_sync(*args: str, timeout: float = 300, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        sync_command(*args), cwd=ROOT, env=environment(**env), capture_output=True, text=True, timeout=timeout
    )


def test_sync_command_sends_everything_prints_a_summary_and_exits_0(
    mlflow_server: MlflowServer, db_path: Path, experiment_name: str
) -> None:
    observations = fill_history(db_path, 30)

    result = run_sync(
        "--db", str(db_path), "--experiment", experiment_name, MLFLOW_TRACKING_URI=mlflow_server.url
    )

    assert result.returncode == 0, result.stderr
    assert "30 observations synced" in result.stdout
    assert "syncing: 30/30" in result.stderr
    assert "Traceback" not in result.stderr
    assert_exactly_once(mlflow_server, experiment_name, observations)


def test_sync_command_takes_credentials_from_the_mlflow_environment_variables(
    mlflow_server: MlflowServer, db_path: Path, experiment_name: str
) -> None:
    observations = fill_history(db_path, 4)
    with fault_server("basic:lab:pa55", 0, mlflow_server.url) as (url, _served):
        refused = run_sync("--db", str(db_path), "--tracking-uri", url, "--experiment", experiment_name)
        accepted = run_sync(
            "--db",
            str(db_path),
            "--tracking-uri",
            url,
            "--experiment",
            experiment_name,
            MLFLOW_TRACKING_USERNAME="lab",
            MLFLOW_TRACKING_PASSWORD="pa55",
        )

    assert refused.returncode == 1 and "401: check your credentials" in refused.stderr
    assert accepted.returncode == 0, accepted.stderr
    assert_exactly_once(mlflow_server, experiment_name, observations)


def test_a_sync_process_killed_with_sigkill_mid_way_and_run_again_sends_each_observation_once(
    mlflow_server: MlflowServer, db_path: Path, experiment_name: str
) -> None:
    observations = fill_history(db_path, 400)
    args = ("--db", str(db_path), "--tracking-uri", mlflow_server.url, "--experiment", experiment_name)
    process = subprocess.Popen(
        sync_command(*args, "--settle", "2"),
        cwd=ROOT,
        env=environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: outbox_stages(db_path)["synced"] >= 40, "40 observations synced")
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    at_kill = outbox_stages(db_path)
    assert process.returncode == -signal.SIGKILL
    assert at_kill["synced"] < 400, "killed too late to prove anything"

    rerun = run_sync(*args, "--settle", "2")

    assert rerun.returncode == 0, rerun.stderr
    assert_exactly_once(mlflow_server, experiment_name, observations)


def test_the_app_worker_and_the_command_line_on_one_history_at_once_send_each_observation_once(
    mlflow_server: MlflowServer, db_path: Path, experiment_name: str
) -> None:
    observations = fill_history(db_path, 250)
    options = SyncOptions(settle_seconds=1.0, policy=RetryPolicy(base_seconds=0.2, cap_seconds=2.0))
    app_worker = SyncWorker(db_path, SyncTarget(mlflow_server.url, experiment_name), options)
    command = sync_command(
        "--db", str(db_path), "--tracking-uri", mlflow_server.url, "--experiment", experiment_name
    )

    with background_worker(app_worker) as wake:
        process = subprocess.Popen(command, cwd=ROOT, env=environment(), stdout=subprocess.PIPE, text=True)
        more = fill_history(db_path, 50, start=1000)  # saved while both are at work
        wake.set()
        out, _ = process.communicate()
        wait_for(lambda: outbox_stages(db_path)["synced"] == 300, "all 300 synced")

    assert process.returncode == 0, out
    assert_exactly_once(mlflow_server, experiment_name, observations + more)


def test_observations_bound_to_another_experiment_are_reported_and_moved_only_with_rebind(
    mlflow_server: MlflowServer, db_path: Path, experiment_name: str
) -> None:
    [obs] = fill_history(db_path, 1)
    old, new = experiment_name + "-old", experiment_name + "-new"
    leave_in_creating(db_path, mlflow_server, old, obs.id)  # a laptop that was cut off mid-way to "old"
    args = ("--db", str(db_path), "--tracking-uri", mlflow_server.url, "--experiment", new)

    waiting = run_sync(*args)

    assert waiting.returncode == 1
    assert "1 bound to another server or experiment" in waiting.stdout and "--rebind" in waiting.stdout
    assert mlflow_server.list_runs(new) == []

    moved = run_sync(*args, "--rebind")

    assert moved.returncode == 0, moved.stderr
    assert_exactly_once(mlflow_server, new, [obs])
