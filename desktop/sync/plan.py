"""Which observations a sync pass has to work on, and what the rest of the history looks like."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from desktop.store import Observation
from desktop.sync.outbox import OutboxEntry
from desktop.sync.pusher import needs_edit_push


@dataclass(frozen=True)
class WorkPlan:
    """The observations due for a push, and a summary of everything else."""

    due: tuple[str, ...]  # observation ids, least-tried and oldest first
    synced: int  # runs finished and read back
    failed: tuple[tuple[str, str], ...]  # (observation id, reason)
    elsewhere: int  # bound to another server or experiment: waiting for an explicit decision
    unsynced: int  # everything that should reach a server and has not (due, failed and elsewhere too)


def plan_work(
    entries: Iterable[OutboxEntry],
    observations: Mapping[str, Observation],
    tracking_uri: str,
    experiment_name: str,
) -> WorkPlan:
    """Sort outbox rows into due, synced, failed and bound elsewhere for this server and experiment."""
    due: list[tuple[int, str, str]] = []
    synced = elsewhere = unsynced = 0
    failed: list[tuple[str, str]] = []
    for entry in entries:
        obs = observations.get(entry.observation_id)
        if obs is None:
            continue
        if entry.stage == "pending" and obs.deleted and not entry.failed:
            continue  # deleted before anything was sent: it never goes to the server
        if entry.failed:
            failed.append((entry.observation_id, entry.failure))
            unsynced += 1
            continue
        ours = entry.binding is None or entry.binding.same_target(tracking_uri, experiment_name)
        if entry.stage == "synced":
            synced += 1
            if ours and not obs.deleted and needs_edit_push(entry, obs):
                due.append((entry.attempts, obs.created_at, entry.observation_id))
            continue
        unsynced += 1
        if ours:
            due.append((entry.attempts, obs.created_at, entry.observation_id))
        else:
            elsewhere += 1
    due.sort()
    return WorkPlan(tuple(oid for _, _, oid in due), synced, tuple(failed), elsewhere, unsynced)
