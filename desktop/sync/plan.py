"""Which observations are due for a push (the one definition of "due"), and what the rest look like."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from desktop.store import Observation
from desktop.sync.outbox import ObservationStamp, OutboxEntry
from desktop.sync.states import Stage


def is_due(
    entry: OutboxEntry | None,
    obs: Observation | ObservationStamp | None,
    tracking_uri: str,
    experiment_name: str,
) -> bool:
    """Tell whether this observation has a request to send to this server and experiment now."""
    if entry is None or obs is None or entry.failed:
        return False
    if entry.binding is not None and not entry.binding.same_target(tracking_uri, experiment_name):
        return False  # bound elsewhere: waits for the user's decision
    if entry.stage is Stage.PENDING:
        return not obs.deleted  # deleted before anything was sent: it never goes to the server
    if entry.stage is Stage.SYNCED:  # edited since its tags were last sent?
        # Both times are written by this app's store: UTC, ISO-8601 with microseconds, so they sort as text.
        return not obs.deleted and obs.updated_at > entry.pushed_updated_at
    return True  # on its way: finish what was started, deleted or not


@dataclass(frozen=True)
class WorkPlan:
    """The observations due for a push, and a summary of everything else."""

    due: tuple[str, ...]  # observation ids, least-tried and oldest first
    synced: int  # runs finished and read back
    failed: tuple[tuple[str, str], ...]  # (observation id, its stored failure: see row_failure)
    elsewhere: int  # bound to another server or experiment: waiting for an explicit decision
    unsynced: int  # everything that should reach a server and has not (due, failed and elsewhere too)
    due_later: int = 0  # due too, not listed yet: a later plan hands them out


def plan_work(
    entries: Iterable[OutboxEntry],
    observations: Mapping[str, ObservationStamp],
    tracking_uri: str,
    experiment_name: str,
    settled: int = 0,
    pending: Sequence[str] = (),
    pending_total: int | None = None,
) -> WorkPlan:
    """Sort outbox rows into due, synced, failed and bound elsewhere for this server and experiment.

    From ``Outbox.planning_rows``: ``settled`` rows are known synced and not due, ``pending`` ids known
    due (never sent, the first ``len(pending)`` of ``pending_total``); they follow the due ``entries``,
    so work begun is finished first.
    """
    pending_total = len(pending) if pending_total is None else pending_total
    due: list[tuple[int, str, str]] = []
    synced, elsewhere, unsynced = settled, 0, 0
    failed: list[tuple[str, str]] = []
    for entry in entries:
        obs = observations.get(entry.observation_id)
        if obs is None or (entry.stage is Stage.PENDING and obs.deleted and not entry.failed):
            continue
        if is_due(entry, obs, tracking_uri, experiment_name):
            due.append((entry.attempts, obs.created_at, entry.observation_id))
        if entry.failed:
            failed.append((entry.observation_id, entry.failure))
        elif entry.stage is Stage.SYNCED:
            synced += 1
            continue
        elif entry.binding is not None and not entry.binding.same_target(tracking_uri, experiment_name):
            elsewhere += 1
        unsynced += 1
    due.sort()
    ordered = (*(oid for _, _, oid in due), *pending)
    unsynced += pending_total
    return WorkPlan(ordered, synced, tuple(failed), elsewhere, unsynced, pending_total - len(pending))
