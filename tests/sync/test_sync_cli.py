"""`iris-field sync` without a server: plain-words errors, exit codes, nothing lost while unreachable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from desktop.history.store import ObservationStore
from tests.mlflow_test_server import free_port
from tests.sync.history_factory import fill_history

ROOT = Path(__file__).resolve().parents[2]


def run_sync(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_TRACKING")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "desktop", "sync", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_sync_command_exits_non_zero_and_keeps_everything_while_the_server_is_unreachable(
    db_path: Path, experiment_name: str
) -> None:
    fill_history(db_path, 3)
    url = f"http://127.0.0.1:{free_port()}"

    result = run_sync(
        "--db", str(db_path), "--tracking-uri", url, "--experiment", experiment_name, "--retry-for", "1"
    )

    assert result.returncode == 1
    assert "cannot be reached" in result.stderr
    assert result.stderr.count("cannot be reached") <= 2  # said once, not once per retry
    assert "Traceback" not in result.stderr
    with ObservationStore.open(db_path) as store:
        assert store.counts()["pending"] == 3


def test_sync_command_explains_a_missing_server_and_a_missing_history_without_a_traceback(
    tmp_path: Path,
) -> None:
    no_server = run_sync()
    no_history = run_sync("--db", str(tmp_path / "nope.sqlite3"), "--tracking-uri", "http://127.0.0.1:9")
    bad_url = run_sync("--tracking-uri", "sqlite:///mlflow.db")

    assert no_server.returncode == 2 and "--tracking-uri" in no_server.stderr
    assert no_history.returncode == 2 and "no history file" in no_history.stderr
    assert bad_url.returncode == 2 and "http" in bad_url.stderr
    for result in (no_server, no_history, bad_url):
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
