"""Exactly once under faults against real servers: down, killed, lost answers, error pages, credentials."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.mlflow_http.auth import Auth
from desktop.store import ObservationStore
from desktop.sync.retry import RetryPolicy
from desktop.sync.target import SyncOptions, SyncTarget
from desktop.sync.worker import Phase, SyncWorker
from tests.mlflow_test_server import MlflowServer, running_server
from tests.sync.history_factory import fill_history
from tests.sync.server.exactly_once import assert_exactly_once, outbox_stages
from tests.sync.server.fault_tools import Recorder, background_worker, fault_server, synced_count, wait_for
from tests.sync.server.test_sync_command_line import ROOT, environment, sync_command
from tests.sync.tcp_proxy import TcpProxy

pytestmark = pytest.mark.server

QUICK = SyncOptions(settle_seconds=1.0, policy=RetryPolicy(base_seconds=0.2, cap_seconds=2.0))


@pytest.fixture(scope="module")
def restartable_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MlflowServer]:
    """Yield a server of this module's own, to kill and restart (same port, same SQLite file)."""
    with running_server(tmp_path_factory.mktemp("restartable-mlflow")) as server:
        yield server


def test_with_the_server_down_at_start_observations_stay_pending_quietly_and_land_when_it_comes_up(
    restartable_server: MlflowServer, db_path: Path, experiment_name: str, caplog: pytest.LogCaptureFixture
) -> None:
    observations = fill_history(db_path, 40)
    restartable_server.stop()
    recorder = Recorder()
    worker = SyncWorker(db_path, SyncTarget(restartable_server.url, experiment_name), QUICK, recorder)
    caplog.set_level(logging.WARNING, logger="desktop.sync")

    with background_worker(worker):
        wait_for(lambda: recorder.count(Phase.OFFLINE) >= 3, "three back-off rounds against the closed port")
        with ObservationStore.open(db_path) as store:
            assert store.counts() == {"pending": 40, "syncing": 0, "synced": 0, "failed": 0}
        restartable_server.start()
        wait_for(lambda: synced_count(db_path) == 40, "all 40 observations are synced")

    assert_exactly_once(restartable_server, experiment_name, observations)
    offline_warnings = [
        r for r in caplog.records if r.name.startswith("desktop.sync") and r.levelno >= logging.WARNING
    ]
    assert len(offline_warnings) <= 1, [r.getMessage() for r in offline_warnings]


def test_a_server_killed_mid_sync_and_restarted_ends_with_every_observation_exactly_once(
    restartable_server: MlflowServer, db_path: Path, experiment_name: str
) -> None:
    observations = fill_history(db_path, 300)
    restartable_server.start()
    worker = SyncWorker(db_path, SyncTarget(restartable_server.url, experiment_name), QUICK)
    outcome = []
    thread = threading.Thread(target=lambda: outcome.append(worker.run_pass(patience=180)), daemon=True)
    thread.start()
    wait_for(
        lambda: sum(outbox_stages(db_path).values()) - outbox_stages(db_path)["pending"] >= 60, "60 sent"
    )

    restartable_server.kill()
    in_the_middle = outbox_stages(db_path)
    time.sleep(1)
    restartable_server.start()
    thread.join()  # the pass ends by itself: its patience is the app's, not the test's

    assert outcome and outcome[0].complete, (outcome, in_the_middle)
    assert in_the_middle["synced"] < 300
    assert_exactly_once(restartable_server, experiment_name, observations)


def test_answers_lost_after_the_server_committed_never_cause_duplicates(
    each_store_server: MlflowServer, db_path: Path, experiment_name: str
) -> None:
    observations = fill_history(db_path, 60)
    with TcpProxy(int(each_store_server.url.rsplit(":", 1)[1])) as proxy:
        proxy.lose_answers(b"/runs/create", 6)
        proxy.lose_answers(b"/runs/log-batch", 3)
        proxy.lose_answers(b"/runs/update", 3)
        proxy.lose_answers(b"/runs/search", 2)
        report = SyncWorker(db_path, SyncTarget(proxy.url, experiment_name), QUICK).run_pass(patience=120)

    # Every marked request went through; its answer was lost (or the client gave up on it first).
    assert proxy.marked_left == 0 and 0 < proxy.lost <= 14
    assert report.complete, report
    assert_exactly_once(each_store_server, experiment_name, observations)


@pytest.mark.parametrize(
    ("fault", "path_part"),
    [("500", ""), ("502-html", "runs/create"), ("200-html", "runs/create"), ("500", "runs/update")],
)
def test_error_pages_and_server_errors_are_retried_with_back_off_until_everything_lands(
    mlflow_server: MlflowServer, db_path: Path, experiment_name: str, fault: str, path_part: str
) -> None:
    observations = fill_history(db_path, 12)
    recorder = Recorder()
    with fault_server(fault, 4, mlflow_server.url, path_part) as (url, served):
        report = SyncWorker(db_path, SyncTarget(url, experiment_name), QUICK, recorder).run_pass(patience=120)

    assert len(served) == 4
    if not path_part:  # every request fails at first, so the whole pass backs off; a fault on one
        # endpoint only stalls its own observations while the others keep the connections busy
        assert Phase.RETRYING in recorder.phases()
    assert report.complete, report
    assert_exactly_once(mlflow_server, experiment_name, observations)


@pytest.mark.parametrize(
    ("required", "wrong", "right"),
    [
        ("basic:ada:s3cret", Auth("basic", username="ada", password="nope"), Auth("basic", "ada", "s3cret")),
        ("bearer:tok-123", Auth("token", token="tok-999"), Auth("token", token="tok-123")),
    ],
    ids=["basic", "token"],
)
def test_wrong_credentials_stop_with_a_clear_message_mark_nothing_synced_and_right_ones_land(
    mlflow_server: MlflowServer, db_path: Path, experiment_name: str, required: str, wrong: Auth, right: Auth
) -> None:
    observations = fill_history(db_path, 5)
    with fault_server(required, 0, mlflow_server.url) as (url, _served):
        report = SyncWorker(db_path, SyncTarget(url, experiment_name, wrong), QUICK).run_pass(patience=30)

        assert report.error_kind == "credentials"
        assert report.error.startswith("401: check your credentials")
        with ObservationStore.open(db_path) as store:
            assert store.counts() == {"pending": 5, "syncing": 0, "synced": 0, "failed": 0}
        assert mlflow_server.list_runs(experiment_name) == []

        assert (
            SyncWorker(db_path, SyncTarget(url, experiment_name, right), QUICK).run_pass(patience=30).complete
        )
    assert_exactly_once(mlflow_server, experiment_name, observations)


@pytest.mark.parametrize("path_part", ["", "runs/create"])
def test_a_403_stops_with_a_clear_message_and_marks_nothing_synced(
    mlflow_server: MlflowServer, db_path: Path, experiment_name: str, path_part: str
) -> None:
    fill_history(db_path, 5)
    with fault_server("403", 0, mlflow_server.url, path_part) as (url, _served):
        report = SyncWorker(db_path, SyncTarget(url, experiment_name), QUICK).run_pass(patience=30)

    assert report.error_kind == "credentials"
    assert report.error.startswith("403: check your credentials")
    with ObservationStore.open(db_path) as store:
        assert store.counts() == {"pending": 5, "syncing": 0, "synced": 0, "failed": 0}
    assert mlflow_server.list_runs(experiment_name) == []


LOSSY_OBSERVATIONS = int(os.environ.get("IRIS_LOSSY_OBSERVATIONS", "90"))  # 300 for the figure


def test_through_a_lossy_link_a_killed_sync_and_a_restarted_server_every_observation_lands_once(
    restartable_server: MlflowServer, db_path: Path, experiment_name: str
) -> None:
    """10 % of answers black-holed, 5 % reset, +100 ms a round trip; SIGKILL once, server restart once."""
    observations = fill_history(db_path, LOSSY_OBSERVATIONS)
    restartable_server.start()
    port = int(restartable_server.url.rsplit(":", 1)[1])
    with TcpProxy(port).lossy(black_hole=0.10, reset=0.05, delay=0.1, seed=10) as proxy:
        command = sync_command(
            "--db",
            str(db_path),
            "--tracking-uri",
            proxy.url,
            "--experiment",
            experiment_name,
            "--retry-for",
            "300",
        )
        started = time.monotonic()
        first = subprocess.Popen(
            command, cwd=ROOT, env=environment(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        wait_for(lambda: outbox_stages(db_path)["synced"] >= LOSSY_OBSERVATIONS // 5, "a fifth synced")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        killed_after = time.monotonic() - started

        started = time.monotonic()
        second = subprocess.Popen(
            command, cwd=ROOT, env=environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        wait_for(lambda: outbox_stages(db_path)["synced"] >= LOSSY_OBSERVATIONS // 2, "half synced")
        restartable_server.kill()
        restartable_server.start()
        out, err = second.communicate()
        second_took = time.monotonic() - started
        lost = (proxy.black_holed, proxy.resets)

    took = killed_after + second_took
    print(f"\nlossy link: {LOSSY_OBSERVATIONS} observations in {took:.0f} s of sync time "
          f"({killed_after:.0f} s until SIGKILL, {second_took:.0f} s after, server restart included); "
          f"{lost[0]} answers black-holed, {lost[1]} reset\n{out}")  # fmt: skip
    assert second.returncode == 0, err
    assert "Traceback" not in err
    assert lost[0] > 0 and lost[1] > 0
    assert f"This history: {LOSSY_OBSERVATIONS} of {LOSSY_OBSERVATIONS} observations on the server" in out
    assert_exactly_once(restartable_server, experiment_name, observations)
