"""Specification of a pass's plan: what is due, what waits for a decision, what is done."""

from dataclasses import replace

from desktop.sync.outbox import Binding, OutboxEntry
from desktop.sync.plan import plan_work
from desktop.sync.states import Stage
from tests.sync.history_factory import make_observation

HERE = Binding("http://lab:5000", "field-observations", "7")
THERE = Binding("http://old:5000", "field-observations", "2")


def entry(oid: str, stage: str, binding: Binding | None = None, **changes: object) -> OutboxEntry:
    base = OutboxEntry(oid, Stage(stage), binding, changed_at="2026-05-01T09:00:00+00:00")
    return replace(base, **changes)


def test_plan_sorts_rows_into_due_synced_failed_and_elsewhere() -> None:
    obs = [make_observation(i) for i in range(6)]
    by_id = {o.id: o for o in obs}
    entries = [
        entry(obs[0].id, "pending"),
        entry(obs[1].id, "creating", HERE),
        entry(obs[2].id, "synced", HERE, pushed_updated_at=obs[2].updated_at),
        entry(obs[3].id, "logged", THERE),
        entry(obs[4].id, "created", HERE, failure="refused", failure_kind="permanent"),
        entry(obs[5].id, "synced", HERE, pushed_updated_at="2026-01-01T00:00:00+00:00"),  # edited since
    ]
    plan = plan_work(entries, by_id, HERE.tracking_uri, HERE.experiment_name)
    assert set(plan.due) == {obs[0].id, obs[1].id, obs[5].id}
    assert plan.synced == 2
    assert plan.failed == ((obs[4].id, "refused"),)
    assert plan.elsewhere == 1
    assert plan.unsynced == 4  # pending, creating, bound elsewhere, failed


def test_an_observation_deleted_before_it_was_sent_is_never_planned_but_an_in_flight_one_finishes() -> None:
    gone, flying = make_observation(1, deleted=True), make_observation(2, deleted=True)
    plan = plan_work(
        [entry(gone.id, "pending"), entry(flying.id, "created", HERE)],
        {gone.id: gone, flying.id: flying},
        HERE.tracking_uri,
        HERE.experiment_name,
    )
    assert plan.due == (flying.id,) and plan.unsynced == 1


def test_the_least_tried_and_oldest_go_first() -> None:
    old, new, tried = make_observation(1), make_observation(2), make_observation(0)
    plan = plan_work(
        [entry(new.id, "pending"), entry(tried.id, "pending", attempts=3), entry(old.id, "pending")],
        {o.id: o for o in (old, new, tried)},
        HERE.tracking_uri,
        HERE.experiment_name,
    )
    assert plan.due == (old.id, new.id, tried.id)
