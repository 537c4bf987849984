"""Move one observation as far along the outbox stages as the server allows, committing every step."""

from __future__ import annotations

import enum
import logging
import time
from dataclasses import dataclass

from desktop.store import Observation, ObservationStore
from desktop.sync.outbox import (
    FAILURE_DELETED_ON_SERVER,
    Binding,
    Outbox,
    OutboxEntry,
    parse_iso,
)
from desktop.sync.rest_client import MlflowRestClient, MlflowRestError, Run
from desktop.sync.retry import ErrorKind
from desktop.sync.run_record import (
    ARTIFACT_NAME,
    CONFIRMED_SPECIES_TAG,
    OBSERVATION_ID_TAG,
    RunRecord,
    build_run_record,
)

log = logging.getLogger(__name__)

DELETED_ON_SERVER = "its run was deleted on the MLflow server; it is not sent again"
FINISHED = "FINISHED"


class Outcome(enum.Enum):
    """Where one push left an observation."""

    AWAITING_READ_BACK = "awaiting_read_back"  # run finished; synced once a read-back confirms it
    UPDATED = "updated"  # a synced observation's edits are on the server
    FAILED = "failed"  # stopped on a permanent problem, reason on the row
    NOT_DUE = "not_due"  # an unanswered create may still land: look again at ``due_at``
    SKIPPED = "skipped"  # nothing to do (gone, failed, or bound elsewhere meanwhile)


@dataclass(frozen=True)
class PushResult:
    """The result of one ``ObservationPusher.push``."""

    observation_id: str
    outcome: Outcome
    run_id: str = ""
    due_at: float = 0.0  # time.time() when a NOT_DUE observation may be looked at again
    reason: str = ""


class RunDeletedOnServer(Exception):
    """The observation's run exists only as a deleted run: report it, never recreate it."""


def needs_edit_push(entry: OutboxEntry, obs: Observation) -> bool:
    """Tell whether a synced observation was edited after its tags were last sent."""
    edited = parse_iso(obs.updated_at)
    pushed = parse_iso(entry.pushed_updated_at)
    return edited is not None and (pushed is None or edited > pushed)


def choose_run(runs: list[Run]) -> Run | None:
    """Pick the run to adopt among those carrying an observation_id; ``RunDeletedOnServer`` if all deleted."""
    if not runs:
        return None
    active = [r for r in runs if r.info.lifecycle_stage == "active"]
    if not active:
        raise RunDeletedOnServer
    # Never more than one if this app wrote them all; if someone else duplicated it, adopt the same one
    # every time (finished first, then the smallest id) so repeated syncs do not wander between runs.
    return sorted(active, key=lambda r: (r.info.status != FINISHED, r.info.run_id))[0]


class ObservationPusher:
    """Drive observations through the outbox stages against one server and experiment (one per thread)."""

    def __init__(
        self,
        client: MlflowRestClient,
        outbox: Outbox,
        store: ObservationStore,
        binding: Binding,
        *,
        device: str,
        settle_seconds: float,
    ):
        """Push with ``client`` to ``binding``; ``settle_seconds``: how long an unanswered create may lag."""
        self._client = client
        self._outbox = outbox
        self._store = store
        self._binding = binding
        self._device = device
        self._settle = settle_seconds

    def push(self, observation_id: str) -> PushResult:
        """Advance one observation; raise ``MlflowRestError`` for transient and whole-pass problems."""
        entry = self._outbox.entry(observation_id)
        obs = self._store.get(observation_id)
        if entry is None or obs is None or entry.failed:
            return PushResult(observation_id, Outcome.SKIPPED)
        if entry.binding is not None and not entry.binding.same_target(
            self._binding.tracking_uri, self._binding.experiment_name
        ):
            return PushResult(observation_id, Outcome.SKIPPED)
        try:
            record = build_run_record(obs, device=self._device)
        except ValueError as exc:
            return self._fail(observation_id, f"it cannot be written to MLflow: {exc}")
        try:
            return self._advance(entry, obs, record)
        except RunDeletedOnServer:
            return self._fail(observation_id, DELETED_ON_SERVER, FAILURE_DELETED_ON_SERVER)
        except MlflowRestError as exc:
            if exc.kind is ErrorKind.PERMANENT:
                return self._permanent(observation_id, exc)
            if exc.kind is ErrorKind.TRANSIENT:
                self._outbox.note_transient(observation_id, str(exc))
            raise

    # ------------------------------------------------------------------ stages
    def _advance(self, entry: OutboxEntry, obs: Observation, record: RunRecord) -> PushResult:
        oid = entry.observation_id
        if entry.stage == "synced":
            return self._push_edits(entry, obs, record)
        run_id, artifact_uri, stage = entry.run_id, entry.artifact_uri, entry.stage
        if stage == "pending":
            run_id, artifact_uri = self._create(obs, record)
            stage = "created"
        elif stage == "creating":
            if entry.binding is None:  # released by the user for this server: search first, always
                self._outbox.bind(oid, self._binding)
            due = self._due_at(entry)
            if due > time.time():
                return PushResult(oid, Outcome.NOT_DUE, due_at=due)
            existing = choose_run(
                self._client.find_runs_by_tag(self._binding.experiment_id, OBSERVATION_ID_TAG, oid)
            )
            if existing is None:
                run_id, artifact_uri = self._create(obs, record)
            else:
                run_id, artifact_uri = existing.info.run_id, existing.info.artifact_uri
                log.info("adopted run %s for observation %s", run_id, oid)
                self._outbox.created(oid, run_id, artifact_uri)
            stage = "created"
        if stage == "created":
            self._client.log_batch(run_id, params=record.params, metrics=record.metrics)
            if record.artifact_needed:
                self._client.upload_artifact(artifact_uri, ARTIFACT_NAME, record.artifact, "application/json")
            self._outbox.logged(oid)
            stage = "logged"
        if stage == "logged":
            # The terminating update is the commit marker: a run is only finished once all else is there.
            self._client.update_run(run_id, FINISHED, end_time=record.start_time)
            self._outbox.finished(oid)
        return PushResult(oid, Outcome.AWAITING_READ_BACK, run_id=run_id)

    def _create(self, obs: Observation, record: RunRecord) -> tuple[str, str]:
        """Create the run, committing ``creating`` first; return (run id, artifact URI)."""
        oid = obs.id
        self._require_lease_time()
        self._outbox.begin_create(oid, self._binding, obs.updated_at)
        if obs.sync_state != "syncing":
            self._store.set_sync_state(oid, "syncing")
        try:
            info = self._client.create_run(
                self._binding.experiment_id, record.start_time, record.tag_dict, record.run_name
            )
        except MlflowRestError as exc:
            # No connection was ever made, or the server refused who we are: nothing was created.
            if exc.unreachable or exc.kind is ErrorKind.CREDENTIALS:
                self._outbox.create_unsent(oid)
                self._store.set_sync_state(oid, "pending")
            raise
        self._outbox.created(oid, info.run_id, info.artifact_uri)
        return info.run_id, info.artifact_uri

    def _push_edits(self, entry: OutboxEntry, obs: Observation, record: RunRecord) -> PushResult:
        """Send a synced observation's edited tags (confirmed species, note) and a fresh observation.json.

        observation.json is written on every edit, needed or not: an earlier, longer note may have left
        one on the run, and it must never disagree with the tags.
        """
        oid = entry.observation_id
        if obs.deleted or not needs_edit_push(entry, obs):
            return PushResult(oid, Outcome.SKIPPED)
        self._store.set_sync_state(oid, "syncing")
        self._client.log_batch(entry.run_id, tags=record.edit_tags, metrics=(record.synced_at,))
        if not obs.confirmed_species:
            self._client.delete_tag(entry.run_id, CONFIRMED_SPECIES_TAG)
        self._client.upload_artifact(entry.artifact_uri, ARTIFACT_NAME, record.artifact, "application/json")
        self._outbox.pushed(oid, obs.updated_at)
        self._store.set_sync_state(oid, "synced")
        return PushResult(oid, Outcome.UPDATED, run_id=entry.run_id)

    # ------------------------------------------------------------------ helpers
    def _due_at(self, entry: OutboxEntry) -> float:
        """Return when an unanswered create may be searched for: after it can no longer be in flight."""
        sent = parse_iso(entry.changed_at)
        return 0.0 if sent is None else sent.timestamp() + self._settle

    def _require_lease_time(self) -> None:
        """Refuse to start a create that could outlive the lease (a successor might duplicate it)."""
        if self._outbox.lease_seconds_left() < self._client.timeout_seconds + 5.0:
            raise MlflowRestError(
                "the sync lease is about to run out; waiting for it to be renewed", kind=ErrorKind.TRANSIENT
            )

    def _permanent(self, observation_id: str, exc: MlflowRestError) -> PushResult:
        """Stop this observation; if its run is gone or deleted on the server, say that instead."""
        entry = self._outbox.entry(observation_id)
        if entry is not None and entry.run_id and exc.status in (400, 404):
            run = self._client.get_run(entry.run_id)
            if run is None or run.info.lifecycle_stage != "active":
                return self._fail(observation_id, DELETED_ON_SERVER, FAILURE_DELETED_ON_SERVER)
        return self._fail(observation_id, str(exc))

    def _fail(self, observation_id: str, reason: str, kind: str = "permanent") -> PushResult:
        self._outbox.fail(observation_id, reason, kind)
        self._store.set_sync_state(observation_id, "failed", reason)
        log.warning("observation %s not synced: %s", observation_id, reason)
        return PushResult(observation_id, Outcome.FAILED, reason=reason)
