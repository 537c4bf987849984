"""Specification of the outbox and its lease: durable stages, fenced writes, one worker per history file."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.store import ObservationStore
from desktop.sync.lease import Lease, LeaseBusy, LeaseLost, new_holder_token, process_alive
from desktop.sync.outbox import Binding, Outbox, OutboxConflict
from desktop.sync.states import FailureKind
from tests.sync.fake_mlflow import FakeClock
from tests.sync.history_factory import fill_history

ROOT = Path(__file__).resolve().parents[2]
TARGET = Binding("http://lab:5000", "field-observations", "7")


@pytest.fixture
def history(db_path: Path) -> list[str]:
    return [o.id for o in fill_history(db_path, 5)]


@pytest.fixture
def connection(db_path: Path, history: list[str]) -> Iterator[sqlite3.Connection]:
    with ObservationStore.open(db_path) as store:
        db = store.connect()
    yield db
    db.close()


@pytest.fixture
def outbox(connection: sqlite3.Connection, history: list[str]) -> Outbox:
    lease = Lease(connection, new_holder_token(), "test")
    lease.acquire(60)
    box = Outbox(connection, lease)
    box.enroll_new()
    return box


def stage_seen_by_another_connection(db_path: Path, oid: str) -> str:
    with sqlite3.connect(db_path) as other:
        return other.execute("SELECT stage FROM sync_outbox WHERE observation_id = ?", (oid,)).fetchone()[0]


def test_enrolling_adds_each_observation_once_as_pending(outbox: Outbox, history: list[str]) -> None:
    assert outbox.enroll_new() == 0
    assert {e.observation_id: e.stage for e in outbox.entries()} == dict.fromkeys(history, "pending")


def test_every_transition_is_on_disk_for_other_connections_as_soon_as_it_returns(
    outbox: Outbox, history: list[str], db_path: Path
) -> None:
    oid = history[0]
    outbox.begin_create(oid, TARGET, "2026-05-01T09:00:00+00:00")
    assert stage_seen_by_another_connection(db_path, oid) == "creating"
    outbox.created(oid, "run1", "mlflow-artifacts:/7/run1/artifacts")
    assert stage_seen_by_another_connection(db_path, oid) == "created"
    outbox.logged(oid)
    outbox.finished(oid)
    assert stage_seen_by_another_connection(db_path, oid) == "finished"
    outbox.synced([oid])
    entry = outbox.entry(oid)
    assert entry is not None
    assert (entry.stage, entry.run_id, entry.binding) == ("synced", "run1", TARGET)
    with ObservationStore.open(db_path) as store:
        assert store.get(oid).sync_state == "synced"  # shown from the outbox, never copied


def test_a_transition_from_the_wrong_stage_is_refused_and_changes_nothing(
    outbox: Outbox, history: list[str]
) -> None:
    oid = history[0]
    with pytest.raises(OutboxConflict):
        outbox.finished(oid)
    with pytest.raises(OutboxConflict):
        outbox.created(oid, "run1", "")
    assert outbox.entry(oid).stage == "pending"  # type: ignore[union-attr]


def test_a_create_that_never_left_goes_back_to_pending_and_unbound(
    outbox: Outbox, history: list[str]
) -> None:
    oid = history[1]
    outbox.begin_create(oid, TARGET, "")
    outbox.create_unsent(oid)
    entry = outbox.entry(oid)
    assert entry is not None and entry.stage == "pending" and entry.binding is None


def test_a_failed_row_keeps_its_stage_and_shows_why(
    outbox: Outbox, history: list[str], db_path: Path
) -> None:
    oid = history[2]
    outbox.begin_create(oid, TARGET, "")
    outbox.created(oid, "run9", "")
    outbox.fail(oid, "its run was deleted on the MLflow server", FailureKind.DELETED_ON_SERVER)
    entry = outbox.entry(oid)
    assert entry is not None and entry.stage == "created" and entry.run_id == "run9"
    with ObservationStore.open(db_path) as store:
        row = store.get(oid)
    assert (row.sync_state, row.sync_error) == ("failed", "its run was deleted on the MLflow server")


def test_retrying_failures_never_revives_runs_deleted_on_the_server(
    outbox: Outbox, history: list[str]
) -> None:
    outbox.fail(history[0], "refused", FailureKind.PERMANENT)
    outbox.fail(history[1], "deleted", FailureKind.DELETED_ON_SERVER)
    assert outbox.clear_failures() == 1
    assert not outbox.entry(history[0]).failed  # type: ignore[union-attr]
    assert outbox.entry(history[1]).failed  # type: ignore[union-attr]


def test_released_rows_restart_at_creating_without_a_target_so_the_next_server_is_searched_first(
    outbox: Outbox, history: list[str]
) -> None:
    sent, synced, pending = history[0], history[1], history[2]
    outbox.begin_create(sent, TARGET, "")
    for oid in (synced,):
        outbox.begin_create(oid, TARGET, "")
        outbox.created(oid, "r", "")
        outbox.logged(oid)
        outbox.finished(oid)
        outbox.synced([oid])
    assert outbox.release_bindings(include_synced=False) == 1
    entry = outbox.entry(sent)
    assert entry is not None and entry.stage == "creating" and entry.binding is None and entry.run_id == ""
    assert outbox.entry(synced).stage == "synced"  # type: ignore[union-attr]
    assert outbox.entry(pending).stage == "pending"  # type: ignore[union-attr]
    assert outbox.release_bindings(include_synced=True) == 2
    assert outbox.entry(synced).stage == "creating"  # type: ignore[union-attr]


def test_a_second_worker_cannot_take_a_live_lease(connection: sqlite3.Connection, outbox: Outbox) -> None:
    rival = Lease(connection, new_holder_token(), "rival")
    with pytest.raises(LeaseBusy, match="another sync"):
        rival.acquire(60)


def test_an_expired_lease_is_taken_over_and_the_old_worker_can_no_longer_write(
    connection: sqlite3.Connection, db_path: Path, history: list[str]
) -> None:
    clock = FakeClock()
    old = Lease(connection, new_holder_token(), "old", clock)
    old.acquire(30)
    stale = Outbox(connection, old)
    stale.enroll_new()
    clock.advance(31)
    with ObservationStore.open(db_path) as store:
        other = store.connect()
    try:
        successor = Lease(other, new_holder_token(), "successor", clock)
        successor.acquire(60)
        with pytest.raises(LeaseLost):
            stale.begin_create(history[0], TARGET, "")
        with pytest.raises(LeaseLost):
            old.renew(60)
        assert Outbox(other, successor).entry(history[0]).stage == "pending"  # type: ignore[union-attr]
    finally:
        other.close()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_the_lease_of_a_killed_process_is_taken_over_at_once(db_path: Path, history: list[str]) -> None:
    holder = textwrap.dedent(
        f"""
        import os, signal, sys
        sys.path.insert(0, {str(ROOT)!r})
        from desktop.store import ObservationStore
        from desktop.sync.lease import Lease
        db = ObservationStore.open({str(db_path)!r}).connect()
        Lease(db, "dead-worker", "doomed").acquire(3600)
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    process = subprocess.run([sys.executable, "-c", holder], timeout=60)
    assert process.returncode != 0
    assert not process_alive(-1)
    with ObservationStore.open(db_path) as store:
        db = store.connect()
    try:
        row = db.execute("SELECT holder, expires_at FROM sync_lease").fetchone()
        assert row[0] == "dead-worker" and row[1] > time.time() + 3000
        Lease(db, new_holder_token(), "successor").acquire(60)
    finally:
        db.close()


def test_planning_reads_only_rows_with_open_questions_and_plans_as_if_it_read_every_row(
    db_path: Path,
) -> None:
    from desktop.sync.outbox import ObservationStamp
    from desktop.sync.plan import plan_work

    ids = [o.id for o in fill_history(db_path, 12)]
    with ObservationStore.open(db_path) as store:
        db = store.connect()
        lease = Lease(db, new_holder_token(), "test")
        lease.acquire(60)
        box = Outbox(db, lease)
        box.enroll_new()
        for oid in ids[:8]:  # eight synced to this server
            box.begin_create(oid, TARGET, store.get(oid).updated_at)
            box.created(oid, f"run-{oid}", "mlflow-artifacts:/1")
            box.logged(oid)
            box.finished(oid)
        box.synced(ids[:8])
        store.set_note(ids[0], "edited since it was sent")  # synced, edited: due again
        store.delete(ids[1])  # synced, then deleted: settled
        box.fail(ids[2], "refused")  # synced, then failed: listed
        store.delete(ids[8])  # deleted before it was sent: never goes
        box.begin_create(ids[9], TARGET, store.get(ids[9]).updated_at)  # on its way
        ids += [o.id for o in fill_history(db_path, 1, start=12)]  # saved since the outbox last looked
        every = {
            o.id: ObservationStamp(o.deleted, o.created_at, o.updated_at)
            for o in store.list(include_deleted=True)
        }
        rows = box.planning_rows()
        all_entries = box.entries()
        assert box.enroll_new() == 1 and box.enroll_new() == 0  # the thirteenth, once
        later = box.planning_rows(listed=1)
        db.close()
    assert rows.settled == 6  # ids 1 and 3-7: synced and untouched (or deleted) since
    assert {e.observation_id for e in rows.entries} == {ids[0], ids[2], ids[8], ids[9]}
    assert rows.pending == sorted([ids[10], ids[11]], key=lambda oid: every[oid].created_at)
    here = (TARGET.tracking_uri, TARGET.experiment_name)
    everything = plan_work(all_entries, every, *here)
    planned = plan_work(rows.entries, rows.stamps, *here, rows.settled, rows.pending)
    assert planned.due[:2] == tuple(sorted([ids[0], ids[9]], key=lambda oid: every[oid].created_at))
    assert set(planned.due) == set(everything.due) == {ids[0], ids[9], ids[10], ids[11]}
    assert (planned.synced, planned.failed, planned.elsewhere, planned.unsynced) == (
        everything.synced,
        everything.failed,
        everything.elsewhere,
        everything.unsynced,
    )
    assert planned.synced == 7
    # A plan lists only so many never-sent ids; the rest are counted, and handed out by a later plan.
    assert later.pending == rows.pending[:1] and later.pending_total == 3  # the thirteenth joined them
    capped = plan_work(later.entries, later.stamps, *here, later.settled, later.pending, later.pending_total)
    assert capped.due_later == 2 and capped.unsynced == planned.unsynced + 1
