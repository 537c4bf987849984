"""Specification of a sync pass against an in-memory MLflow and a fake clock: stages, faults, reconciling."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.store import ObservationStore
from desktop.sync.lease import Lease, new_holder_token
from desktop.sync.outbox import Binding, Outbox
from desktop.sync.report import EndReason, Phase, SyncProgress, SyncReport
from desktop.sync.rest_client import MlflowRestError
from desktop.sync.retry import ErrorKind, RetryPolicy
from desktop.sync.target import SyncOptions, SyncTarget
from desktop.sync.worker import SyncWorker
from tests.sync.fake_mlflow import FakeClock, FakeMlflow, unreachable
from tests.sync.history_factory import fill_history

URL = "http://lab.example:5000"
EXPERIMENT = "field-observations"
OPTIONS = SyncOptions(settle_seconds=10.0, policy=RetryPolicy(base_seconds=1.0, cap_seconds=8.0, jitter=0))


def sync(db_path: Path, server: FakeMlflow, clock: FakeClock, seen: list | None = None, **kw) -> SyncReport:
    worker = SyncWorker(
        db_path,
        SyncTarget(URL, EXPERIMENT, device_name="laptop"),
        OPTIONS,
        on_progress=None if seen is None else seen.append,
        client_factory=lambda target, options: server,
        clock=clock,
    )
    return worker.run_pass(**kw)


def one_finished_run_each(server: FakeMlflow, observations) -> None:
    for obs in observations:
        [run] = server.active_runs(obs.id)
        assert run.info.status == "FINISHED"
        assert {k: float(v) for k, v in run.params.items()} == obs.measurements


@pytest.fixture
def server() -> FakeMlflow:
    return FakeMlflow()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def test_each_observation_is_created_logged_finished_and_read_back_in_that_order(
    db_path: Path, server: FakeMlflow, clock: FakeClock
) -> None:
    [obs] = fill_history(db_path, 1)
    report = sync(db_path, server, clock)
    assert report.complete and report.synced_now == 1
    assert server.calls == ["get_experiment_by_name", "create_experiment", "create_run", "log_batch",
                            "update_run", "get_runs"]  # fmt: skip
    one_finished_run_each(server, [obs])
    with ObservationStore.open(db_path) as store:
        assert store.get(obs.id).sync_state == "synced"


def test_a_lost_create_answer_is_searched_at_once_adopted_and_never_duplicated(
    db_path: Path, server: FakeMlflow, clock: FakeClock
) -> None:
    observations = fill_history(db_path, 5)
    server.fail("create_run", 2, acts=True)
    report = sync(db_path, server, clock)
    assert report.complete and report.synced_now == 5 and report.duplicates_deleted == 0
    assert server.calls.count("find_runs_by_tag") >= 2
    one_finished_run_each(server, observations)
    assert len(server.runs) == 5


def test_a_create_that_lands_after_its_search_is_reconciled_keeping_one_active_run(
    db_path: Path, server: FakeMlflow, clock: FakeClock
) -> None:
    [obs] = fill_history(db_path, 1)
    server.land_late(1)
    started = clock.now()
    report = sync(db_path, server, clock)
    assert report.complete and report.duplicates_deleted == 1
    assert len(server.runs) == 2  # the late one is deleted, not erased: MLflow hides it from the lab
    one_finished_run_each(server, [obs])
    assert clock.now() - started >= OPTIONS.settle_seconds  # the last check waited for late arrivals


def test_lost_answers_to_log_update_and_read_back_are_sent_again_and_land_once(
    db_path: Path, server: FakeMlflow, clock: FakeClock
) -> None:
    observations = fill_history(db_path, 6)
    server.fail("log_batch", 2)
    server.fail("update_run", 2)
    server.fail("get_runs", 1)
    seen: list[SyncProgress] = []
    report = sync(db_path, server, clock, seen)
    assert report.complete and report.synced_now == 6
    one_finished_run_each(server, observations)
    # A lost answer now and then stalls only its own observation: the pass never pauses.
    assert not {p.phase for p in seen} & {Phase.OFFLINE, Phase.RETRYING}


def test_an_unreachable_server_leaves_everything_pending_and_the_pass_ends_offline_after_its_patience(
    db_path: Path, server: FakeMlflow, clock: FakeClock
) -> None:
    fill_history(db_path, 4)
    server.create_experiment(EXPERIMENT)
    server.fail("create_run", 1000, acts=False, error=unreachable())
    report = sync(db_path, server, clock, patience=30)
    assert report.error_kind is EndReason.OFFLINE and report.unsynced == 4 and report.retry_in
    assert server.runs == {}
    with ObservationStore.open(db_path) as store:
        assert store.counts()["pending"] == 4


def test_refused_credentials_stop_the_pass_and_nothing_is_marked_sent(
    db_path: Path, server: FakeMlflow, clock: FakeClock
) -> None:
    fill_history(db_path, 3)
    server.create_experiment(EXPERIMENT)
    refused = MlflowRestError("401: check your credentials", kind=ErrorKind.CREDENTIALS, status=401)
    server.fail("create_run", 1000, acts=False, error=refused)
    report = sync(db_path, server, clock, patience=30)
    assert report.error_kind is EndReason.CREDENTIALS and report.error.startswith("401")
    with ObservationStore.open(db_path) as store:
        assert store.counts()["pending"] == 3


def test_a_run_deleted_on_the_server_mid_way_fails_its_observation_and_is_never_recreated(
    db_path: Path, server: FakeMlflow, clock: FakeClock
) -> None:
    [obs] = fill_history(db_path, 1)
    server.fail("log_batch", 1, acts=False)
    original = server.create_run

    def create_then_lab_deletes(*args, **kwargs):
        info = original(*args, **kwargs)
        server.delete_run(info.run_id)
        return info

    server.create_run = create_then_lab_deletes  # type: ignore[method-assign]
    report = sync(db_path, server, clock)
    assert [oid for oid, _ in report.failed] == [obs.id] and "deleted" in report.failed[0][1]
    assert len(server.runs) == 1


def test_a_create_left_in_doubt_by_a_crash_is_searched_and_adopted(
    db_path: Path, server: FakeMlflow, clock: FakeClock
) -> None:
    [obs] = fill_history(db_path, 1)
    exp_id = server.create_experiment(EXPERIMENT)
    orphan = server.create_run(exp_id, 1, {"observation_id": obs.id})
    with ObservationStore.open(db_path) as store:
        db = store.connect()
    lease = Lease(db, new_holder_token(), "crashed", clock)
    lease.acquire(60)
    outbox = Outbox(db, lease)
    outbox.enroll_new()
    outbox.begin_create(obs.id, Binding(URL, EXPERIMENT, exp_id), "")
    db.close()  # the crashed worker never released its lease; it expires
    clock.advance(61)

    assert sync(db_path, server, clock).complete
    assert [r.info.run_id for r in server.active_runs(obs.id)] == [orphan.run_id]


def test_an_edit_after_syncing_updates_the_tags_of_the_same_run(
    db_path: Path, server: FakeMlflow, clock: FakeClock
) -> None:
    [obs] = fill_history(db_path, 1)
    sync(db_path, server, clock)
    with ObservationStore.open(db_path) as store:
        store.confirm_species(obs.id, "virginica")
    report = sync(db_path, server, clock)
    assert report.updated_now == 1 and report.synced_now == 0
    [run] = server.active_runs(obs.id)
    assert run.tags["confirmed_species"] == "virginica"


def test_the_summary_counts_this_history_and_with_one_search_the_whole_experiment(
    db_path: Path, server: FakeMlflow, clock: FakeClock
) -> None:
    fill_history(db_path, 3)
    exp_id = server.create_experiment(EXPERIMENT)
    for i in range(4):  # another laptop's observations
        server.create_run(exp_id, 1, {"observation_id": f"other-{i}"})
    report = sync(db_path, server, clock, count_experiment=True)
    assert (report.total_synced, report.experiment_total, report.experiment_total_more) == (3, 7, False)
    assert server.calls.count("count_runs") == 1


def test_a_pause_never_lasts_longer_than_the_server_has_been_away_so_a_restart_costs_little(
    db_path: Path, server: FakeMlflow, clock: FakeClock
) -> None:
    fill_history(db_path, 5)
    server.create_experiment(EXPERIMENT)
    server.fail("create_run", 12, acts=False, error=unreachable())
    long_caps = SyncOptions(policy=RetryPolicy(base_seconds=1.0, cap_seconds=300.0, jitter=0))
    pauses: list[tuple[float, float]] = []  # (seconds since the pass began, pause asked for)
    started = clock.now()

    def note(progress: SyncProgress) -> None:
        if progress.phase is Phase.OFFLINE:
            pauses.append((clock.now() - started, progress.retry_in or 0.0))

    worker = SyncWorker(
        db_path, SyncTarget(URL, EXPERIMENT), long_caps, on_progress=note,
        client_factory=lambda target, options: server, clock=clock,
    )  # fmt: skip
    assert worker.run_pass(patience=600).complete
    assert len(pauses) >= 4
    assert all(pause <= max(1.0, away) for away, pause in pauses), pauses
