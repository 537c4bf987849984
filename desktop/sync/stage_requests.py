"""The request (or two) that moves one observation one stage on; run on the pool's threads, no disk."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from desktop.sync.outbox import Binding
from desktop.sync.rest_client import MlflowRestError
from desktop.sync.retry import ErrorKind
from desktop.sync.run_record import ARTIFACT_NAME, CONFIRMED_SPECIES_TAG, OBSERVATION_ID_TAG, RunRecord
from desktop.sync.tracking import Run, RunInfo, TrackingServer

FINISHED = "FINISHED"
_T = TypeVar("_T")


class Step(enum.StrEnum):
    """What was sent for an observation; the coordinator commits the stage each one reaches."""

    CREATE = "create"  # pending -> created
    SEARCH = "search"  # creating (answer lost or crashed): adopt what is there, or create again
    LOG = "log"  # created -> logged
    FINISH = "finish"  # logged -> finished
    RECONCILE = "reconcile"  # finished, in doubt: delete any second run carrying the observation
    EDITS = "edits"  # synced, edited since: tags and observation.json again


class RunDeletedOnServer(Exception):
    """The observation's run exists only as a deleted run: report it, never recreate it."""


@dataclass(frozen=True)
class Push:
    """One observation's next step with everything its requests need (built by the coordinator)."""

    observation_id: str
    step: Step
    binding: Binding
    record: RunRecord
    run_id: str = ""
    artifact_uri: str = ""
    updated_at: str = ""  # the observation's edit time this push sends


def choose_run(runs: list[Run]) -> Run | None:
    """Pick the run to adopt among those carrying an observation_id; ``RunDeletedOnServer`` if all deleted."""
    if not runs:
        return None
    active = [r for r in runs if r.info.lifecycle_stage == "active"]
    if not active:
        raise RunDeletedOnServer
    # Adopt the same one every time (finished first, then the smallest id): repeated syncs never wander.
    return sorted(active, key=lambda r: (r.info.status != FINISHED, r.info.run_id))[0]


def send(client: TrackingServer, push: Push) -> RunInfo | Run | None | int:
    """Send ``push``'s requests; return what the coordinator needs to commit the stage it reached."""
    record, run_id = push.record, push.run_id
    if push.step is Step.CREATE:
        return client.create_run(
            push.binding.experiment_id, record.start_time, record.tag_dict, record.run_name
        )
    if push.step is Step.SEARCH:
        return choose_run(_runs_of(client, push))
    if push.step is Step.LOG:
        _on_run(
            client, run_id, lambda: client.log_batch(run_id, params=record.params, metrics=record.metrics)
        )
        if record.artifact_needed:
            _upload(client, push)
    elif push.step is Step.FINISH:
        _on_run(client, run_id, lambda: client.update_run(run_id, FINISHED, end_time=record.start_time))
    elif push.step is Step.RECONCILE:
        return reconcile(client, push)
    elif push.step is Step.EDITS:
        edits = {"tags": record.edit_tags, "metrics": (record.synced_at,)}
        _on_run(client, run_id, lambda: client.log_batch(run_id, **edits))
        if CONFIRMED_SPECIES_TAG not in record.tag_dict:
            client.delete_tag(run_id, CONFIRMED_SPECIES_TAG)
        # Written on every edit, needed or not: an earlier, longer note may have left one on the run.
        _upload(client, push)
    return None


def reconcile(client: TrackingServer, push: Push) -> int:
    """Delete every active run but ours that carries this observation (a create that landed late).

    MLflow hides deleted runs from the lab's views and searches, so the lab sees exactly one run.
    Returns how many were deleted.
    """
    runs = _runs_of(client, push)
    if not any(r.info.run_id == push.run_id and r.info.lifecycle_stage == "active" for r in runs):
        raise RunDeletedOnServer
    extra = [
        r.info.run_id for r in runs if r.info.run_id != push.run_id and r.info.lifecycle_stage == "active"
    ]
    for run_id in extra:
        client.delete_run(run_id)
    return len(extra)


def _runs_of(client: TrackingServer, push: Push) -> list[Run]:
    return client.find_runs_by_tag(push.binding.experiment_id, OBSERVATION_ID_TAG, push.observation_id)


def _upload(client: TrackingServer, push: Push) -> None:
    client.upload_artifact(push.artifact_uri, ARTIFACT_NAME, push.record.artifact, "application/json")


def _on_run(client: TrackingServer, run_id: str, request: Callable[[], _T]) -> _T:
    """Send a request about our run; a refusal because the run is gone becomes ``RunDeletedOnServer``."""
    try:
        return request()
    except MlflowRestError as exc:
        if exc.kind is ErrorKind.PERMANENT and exc.status in (400, 404):
            run = client.get_run(run_id)
            if run is None or run.info.lifecycle_stage != "active":
                raise RunDeletedOnServer from exc
        raise
