"""One sync pass: hand observations out to a thread pool, collect the answers, read back, re-plan.

Only this thread touches the history file; the pool's threads only send requests (``pusher.send``).
Each answer commits one stage, and the observation goes on at once. A lost answer stalls only its own
observation, which is tried again straight away (a search first, if it was a create); the pass as a
whole backs off only once every connection failed in a row, which means the server is away.
"""

from __future__ import annotations

import collections
import logging
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from desktop.errors import SyncError
from desktop.mlflow_http.problems import ServerProblem
from desktop.store import ObservationStore
from desktop.sync.clock import Clock
from desktop.sync.experiment_view import DESCRIPTION_TAG, experiment_tags
from desktop.sync.outbox import Binding, Outbox
from desktop.sync.plan import WorkPlan, is_due, plan_work
from desktop.sync.problems import SyncProblem, english
from desktop.sync.report import EndReason, Phase, SyncProgress
from desktop.sync.rest_client import MlflowRestError
from desktop.sync.retry import Backoff, ErrorKind
from desktop.sync.row_failure import RowFailure
from desktop.sync.run_record import OBSERVATION_ID_TAG, build_run_record
from desktop.sync.stage_requests import FINISHED, Push, RunDeletedOnServer, Step, send
from desktop.sync.states import FailureKind, Stage
from desktop.sync.target import SyncOptions, SyncTarget
from desktop.sync.tracking import Run, RunInfo, TrackingServer

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

log = logging.getLogger(__name__)

_RUN_DELETED = RowFailure(SyncProblem.RUN_DELETED)
POLL_SECONDS = 0.5  # longest the coordinator waits before it looks at stop, lease and timers again
_NEXT_STEP = {
    Stage.PENDING: Step.CREATE,
    Stage.CREATING: Step.SEARCH,
    Stage.CREATED: Step.LOG,
    Stage.LOGGED: Step.FINISH,
    Stage.SYNCED: Step.EDITS,
}


@dataclass(frozen=True)
class PassEnd:
    """How a pass ended, what it settled, and the backoff it leaves for the next one."""

    reason: EndReason
    backoff: Backoff
    cause: SyncError | None = None  # why it ended early: its English message, its kind and facts
    retry_in: float | None = None
    synced_now: int = 0
    updated_now: int = 0
    failed_now: int = 0
    duplicates_deleted: int = 0


class Coordinator:
    """Drive every due observation of one history to one server and experiment, until none is left."""

    def __init__(
        self, client: TrackingServer, store: ObservationStore, outbox: Outbox, target: SyncTarget,
        options: SyncOptions, *, backoff: Backoff, emit: Callable[[SyncProgress], None], clock: Clock,
        patience: float = 0.0, signer: Ed25519PrivateKey | None = None,
    ):  # fmt: skip
        """Prepare a pass; ``patience``: how long transient failures may last before it gives up.

        ``signer``: the device key every run (and every edit of one) is signed with; None sends unsigned.
        """
        self.client, self.store, self.outbox, self.signer = client, store, outbox, signer
        self.target, self.options = target, options
        self.backoff, self.emit, self.clock, self.patience = backoff, emit, clock, patience
        self.binding: Binding | None = None
        self.ready: collections.deque[str] = collections.deque()  # to hand out now
        self.waiting: dict[str, float] = {}  # handed out again at this time (a reconcile not yet due)
        self.in_flight: dict[Future, Push] = {}
        self.read_back: list[tuple[str, str]] = []  # finished: (observation id, run id)
        self.reading: Future | None = None
        self.reading_batch: list[tuple[str, str]] = []
        self.in_doubt: set[str] = set()  # a create may have landed unanswered: reconcile after creating
        self.found_nothing: set[str] = set()  # searched in doubt, nothing there: create (again) next
        self.paused_until = 0.0
        self.end: tuple[EndReason, SyncError | None, float | None] | None = None  # set as the pass winds down
        self.counts: collections.Counter[str] = collections.Counter()
        self.total = 0
        self.last_progress = self.renewed_at = clock.now()

    # ------------------------------------------------------------------ the loop
    def run(self, stop) -> PassEnd:
        """Sync until nothing is due, ``stop`` is set, or the pass has to give up; say how it ended."""
        self.binding = self._find_experiment(stop)
        if self.binding is None:
            return self._ended(self.end or (EndReason.STOPPED, None, None))
        plan = self._plan()
        self.ready.extend(plan.due)
        self.total = len(self.ready) + plan.due_later
        self._progress(Phase.SYNCING)
        with ThreadPoolExecutor(self.options.concurrency, thread_name_prefix="iris-sync") as pool:
            while True:
                self._renew_lease()
                if stop.is_set() and self.end is None:
                    self.end = (EndReason.STOPPED, None, None)
                if self.end is None:
                    self._hand_out(pool)
                if self.in_flight or self.reading:
                    self._collect()
                elif self.end is not None or not (
                    self.ready or self.waiting or self.read_back or self._re_plan()
                ):
                    break  # fmt: skip
                else:
                    self._idle(stop)
        return self._ended(self.end or (EndReason.COMPLETE, None, None))

    def _hand_out(self, pool: ThreadPoolExecutor) -> None:
        """Hand out due observations (one probe while the server seems away) and full read-back batches."""
        now = self.clock.now()
        for oid, at in list(self.waiting.items()):
            if at <= now:
                del self.waiting[oid]
                self.ready.append(oid)
        if now < self.paused_until:
            return
        probing = self.backoff.failures >= self.options.concurrency
        capacity = 1 if probing else self.options.concurrency
        while self.ready and len(self.in_flight) < capacity and self.end is None:
            push = self._next_push(self.ready.popleft())
            if push is not None:
                self.in_flight[pool.submit(send, self.client, push)] = push
        batch_full = len(self.read_back) >= self.options.read_back_batch
        if self.read_back and not self.reading and (batch_full or not (self.ready or self.in_flight)):
            self.reading_batch, self.read_back = self.read_back, []
            run_ids = [run_id for _, run_id in self.reading_batch]
            self.reading = pool.submit(self.client.get_runs, self.binding.experiment_id, run_ids)

    def _collect(self) -> None:
        """Wait for the first answers and commit the stage each one reached."""
        futures = [*self.in_flight, *([self.reading] if self.reading else [])]
        done, _ = wait(futures, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
        for future in done:
            if future is self.reading:
                self.reading = None
                self._answered(future, self._read_back_answered, None)
            else:
                push = self.in_flight.pop(future)
                self._answered(future, lambda answer, p=push: self._committed(p, answer), push)

    def _answered(self, future: Future, commit: Callable[[object], None], push: Push | None) -> None:
        try:
            answer = future.result()
        except RunDeletedOnServer:
            assert push is not None
            self._fail(push.observation_id, _RUN_DELETED, FailureKind.DELETED_ON_SERVER)
            return
        except MlflowRestError as exc:
            self._refused(push, exc)
            return
        except Exception as exc:  # a bug: stop the pass and say so, never lose the row
            log.exception("sync step failed unexpectedly")
            facts: dict[str, object] = {"detail": str(exc)}
            bug = SyncError(english(SyncProblem.UNEXPECTED, facts), SyncProblem.UNEXPECTED, facts)
            self.end = self.end or (EndReason.SETUP, bug, None)
            return
        self.backoff = self.backoff.reset()
        self.last_progress = self.clock.now()
        commit(answer)

    def _re_plan(self) -> bool:
        """Pick up what was saved or edited during the pass; ``False`` when nothing is due."""
        plan = self._plan()
        self.ready.extend(plan.due)
        done = sum(self.counts[k] for k in ("synced", "updated", "failed"))
        self.total = done + len(plan.due) + plan.due_later
        return bool(plan.due)

    def _idle(self, stop) -> None:
        now = self.clock.now()
        wake_at = min((t for t in (self.paused_until, *self.waiting.values()) if t > now), default=now)
        self.clock.wait(stop, min(POLL_SECONDS, wake_at - now))

    # ------------------------------------------------------------------ one observation
    def _next_push(self, oid: str) -> Push | None:
        """Commit what must precede this observation's next request and return that request, if any."""
        entry, obs = self.outbox.entry(oid), self.store.get(oid)
        if not is_due(entry, obs, self.target.tracking_uri, self.target.experiment_name):
            return None
        assert entry is not None and obs is not None
        try:
            record = build_run_record(obs, device=self.target.device)
        except ValueError as exc:
            self._fail(oid, RowFailure(SyncProblem.NOT_WRITABLE, {"detail": str(exc)}))
            return None
        if entry.stage is Stage.FINISHED:
            if not entry.reconcile_after:
                self.read_back.append((oid, entry.run_id))
                return None
            if entry.reconcile_after > self.clock.now():
                self.waiting[oid] = entry.reconcile_after
                return None
        step = _NEXT_STEP.get(entry.stage, Step.RECONCILE)
        if step is Step.SEARCH:
            self.in_doubt.add(oid)
            if oid in self.found_nothing:
                self.found_nothing.discard(oid)
                step = Step.CREATE
        binding = self.binding
        if step is Step.CREATE:
            self._renew_lease(force=self.outbox.lease_seconds_left() < self.client.timeout_seconds + 5.0)
            if entry.stage is Stage.PENDING:
                self.outbox.begin_create(oid, binding, obs.updated_at)
        elif step is Step.SEARCH and entry.binding is None:  # released by the user for this server
            self.outbox.bind(oid, binding)
        if self.signer is not None and step in (Step.CREATE, Step.EDITS):  # the steps that send tags
            record = record.signed(self.signer)
        return Push(oid, step, binding, record, entry.run_id, entry.artifact_uri, obs.updated_at)

    def _committed(self, push: Push, answer: object) -> None:
        """Commit the stage ``push`` reached and carry on with its observation straight away."""
        oid, step = push.observation_id, push.step
        doubt_until = self.clock.now() + self.options.settle_seconds
        if step is Step.SEARCH and answer is None:  # nothing arrived (yet): create again, in doubt
            self.found_nothing.add(oid)
            self.ready.appendleft(oid)
            return
        if step is Step.CREATE:
            assert isinstance(answer, RunInfo)
            doubt = doubt_until if oid in self.in_doubt else 0.0
            self.outbox.created(oid, answer.run_id, answer.artifact_uri, doubt)
        elif step is Step.SEARCH:
            assert isinstance(answer, Run)
            log.info("adopted run %s for observation %s", answer.info.run_id, oid)
            self.outbox.created(oid, answer.info.run_id, answer.info.artifact_uri, doubt_until)
        elif step is Step.LOG:
            self.outbox.logged(oid)
        elif step is Step.FINISH:
            self.outbox.finished(oid)
        elif step is Step.RECONCILE:
            assert isinstance(answer, int)
            self.counts["duplicates"] += answer
            self.outbox.reconciled(oid)
        elif step is Step.EDITS:
            self.outbox.pushed(oid, push.updated_at)
            self._settled("updated")
            return
        self.in_doubt.discard(oid)
        self.ready.appendleft(oid)

    def _refused(self, push: Push | None, exc: MlflowRestError) -> None:
        """Handle a failed request: its observation waits, fails, or the whole pass stops."""
        if push is None:  # the read-back: try the batch again
            self.read_back = self.reading_batch + self.read_back
        elif exc.kind is ErrorKind.PERMANENT:
            self._fail(push.observation_id, _row_failure(exc))
            return
        else:
            oid = push.observation_id
            nothing_sent = exc.unreachable or exc.kind is ErrorKind.CREDENTIALS
            if push.step is Step.CREATE and nothing_sent and oid not in self.in_doubt:
                self.outbox.create_unsent(oid)
            self.ready.append(oid)
            if exc.kind is ErrorKind.TRANSIENT:
                self.outbox.note_transient(oid, str(exc))
        if exc.kind is not ErrorKind.TRANSIENT:
            self._stop_for(exc)
            return
        self.backoff = self.backoff.increment(exc.retry_after)
        if self.backoff.failures >= self.options.concurrency or exc.retry_after is not None:
            self._pause(exc)
        # Otherwise most likely one lost answer: only its own observation waited, and it goes again.

    def _pause(self, exc: MlflowRestError, warn: bool = True) -> None:
        """Hold all new requests for the backoff's delay; end the pass once that outlasts the patience.

        The wait never exceeds how long the server has been away so far, so a short outage (a server
        restart) costs at most about its own length again, however many requests failed meanwhile.
        """
        now = self.clock.now()
        delay = min(self.backoff.delay(), max(self.options.policy.base_seconds, now - self.last_progress))
        if warn and not self.backoff.reported:  # say it once per run of failures, not on every retry
            log.warning("sync paused: %s", exc)
            self.backoff = self.backoff.report()
        self._progress(Phase.OFFLINE if exc.unreachable else Phase.RETRYING, exc, delay)
        self.paused_until = now + delay
        if self.end is None and now + delay - self.last_progress > self.patience:
            reason = EndReason.OFFLINE if exc.unreachable else EndReason.TRANSIENT
            self.end = (reason, exc, delay)

    def _stop_for(self, exc: MlflowRestError) -> None:
        """End the pass on a problem only the user can solve (credentials, certificate, address)."""
        if self.end is None:
            log.warning("sync stopped: %s", exc)
            self.emit(SyncProgress.of(Phase.ERROR, exc))
            reason = EndReason.CREDENTIALS if exc.kind is ErrorKind.CREDENTIALS else EndReason.SETUP
            self.end = (reason, exc, None)

    # ------------------------------------------------------------------ read-back
    def _read_back_answered(self, runs: object) -> None:
        """Confirm finished runs on the server; mark them synced; send the unfinished ones again."""
        assert isinstance(runs, dict)
        confirmed: list[str] = []
        for oid, run_id in self.reading_batch:
            run, obs = runs.get(run_id), self.store.get(oid)
            if obs is None:
                continue
            expected = build_run_record(obs, device=self.target.device)
            if run is None or run.info.lifecycle_stage != "active":
                self._fail(oid, _RUN_DELETED, FailureKind.DELETED_ON_SERVER)
            elif run.info.status != FINISHED:
                self.outbox.reopen(oid)
                self.ready.append(oid)
            elif run.tags.get(OBSERVATION_ID_TAG) != oid or any(
                run.params.get(k) != v for k, v in expected.params
            ):
                self._fail(oid, RowFailure(SyncProblem.OTHER_MEASUREMENTS, {"run": run_id}))
            else:
                confirmed.append(oid)
        self.outbox.synced(confirmed)
        self.reading_batch = []
        self._settled("synced", len(confirmed))

    # ------------------------------------------------------------------ helpers
    def _find_experiment(self, stop) -> Binding | None:
        """Find or create the experiment, backing off within the patience while the server is away."""
        name = self.target.experiment_name
        while not stop.is_set():
            try:
                experiment = self.client.get_experiment_by_name(name)
                if experiment is None:
                    created = self.client.create_experiment(name, experiment_tags())
                    return Binding(self.target.tracking_uri, name, created)
                if experiment.lifecycle_stage != "active":
                    raise MlflowRestError.of(
                        SyncProblem.EXPERIMENT_DELETED, kind=ErrorKind.SETUP, experiment=name
                    )
                if DESCRIPTION_TAG not in experiment.tags:
                    self._describe(experiment.experiment_id)
                return Binding(self.target.tracking_uri, name, experiment.experiment_id)
            except MlflowRestError as exc:
                if exc.error_code == "RESOURCE_ALREADY_EXISTS":
                    continue  # created by someone else (or by our own unanswered try): look it up
                if exc.kind is not ErrorKind.TRANSIENT:
                    self._stop_for(exc)
                    return None
                self.backoff = self.backoff.increment(exc.retry_after)
                self._pause(exc, warn=False)  # the progress says it; the log only once syncing began
                while self.end is None and not stop.is_set() and self.clock.now() < self.paused_until:
                    self._renew_lease()
                    self.clock.wait(stop, min(4 * POLL_SECONDS, self.paused_until - self.clock.now()))
                if self.end is not None:
                    return None
        return None

    def _describe(self, experiment_id: str) -> None:
        """Give an experiment someone else created the field description and type (never overwritten)."""
        try:
            for key, value in experiment_tags().items():
                self.client.set_experiment_tag(experiment_id, key, value)
        except MlflowRestError as exc:  # a read-only account, say: the runs matter more than their page
            log.info("could not describe experiment %s: %s", experiment_id, exc)

    def _plan(self) -> WorkPlan:
        self.outbox.enroll_new()  # saved since the last look
        rows, target = self.outbox.planning_rows(), self.target
        return plan_work(
            rows.entries, rows.stamps, target.tracking_uri, target.experiment_name,
            rows.settled, rows.pending, rows.pending_total,
        )  # fmt: skip

    def _renew_lease(self, force: bool = False) -> None:
        if force or self.clock.now() - self.renewed_at >= self.options.lease_seconds / 4:
            self.outbox.lease.renew(self.options.lease_seconds)
            self.renewed_at = self.clock.now()

    def _fail(self, oid: str, failure: RowFailure, kind: FailureKind = FailureKind.PERMANENT) -> None:
        self.outbox.fail(oid, failure.stored(), kind)
        log.warning("observation %s not synced: %s", oid, failure.english())
        self._settled("failed")

    def _settled(self, how: str, count: int = 1) -> None:
        self.counts[how] += count
        if count:
            self._progress(Phase.SYNCING)

    def _progress(self, phase: Phase, cause: SyncError | None = None, retry_in: float | None = None) -> None:
        done = sum(self.counts[k] for k in ("synced", "updated", "failed"))
        progress = SyncProgress.of(phase, cause, done=done, total=max(self.total, done), retry_in=retry_in)
        self.emit(replace(progress, last_synced_at=self.outbox.last_synced_at()))

    def _ended(self, end: tuple[EndReason, SyncError | None, float | None]) -> PassEnd:
        reason, error, retry_in = end
        return PassEnd(
            reason, self.backoff, error, retry_in, self.counts["synced"], self.counts["updated"],
            self.counts["failed"], self.counts["duplicates"],
        )  # fmt: skip


def _row_failure(exc: MlflowRestError) -> RowFailure:
    """Return what a failed observation's row keeps of the error that stopped it: kind and facts."""
    if isinstance(exc.problem, SyncProblem | ServerProblem):
        return RowFailure(exc.problem, exc.facts)
    return RowFailure(None, text=str(exc))
