"""The sync worker: one pass (command line) or a loop (the app's background thread), Qt-free."""

from __future__ import annotations

import collections
import contextlib
import enum
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from desktop.errors import StoreError, SyncError
from desktop.store import ObservationStore
from desktop.sync.lease import Lease, LeaseBusy, LeaseLost, new_holder_token
from desktop.sync.outbox import FAILURE_DELETED_ON_SERVER, FAILURE_PERMANENT, Binding, Outbox
from desktop.sync.plan import WorkPlan, plan_work
from desktop.sync.pusher import (
    DELETED_ON_SERVER,
    FINISHED,
    ObservationPusher,
    Outcome,
    PushResult,
)
from desktop.sync.rest_client import MlflowRestClient, MlflowRestError
from desktop.sync.retry import ErrorKind
from desktop.sync.run_record import OBSERVATION_ID_TAG, build_run_record
from desktop.sync.target import SyncOptions, SyncTarget

log = logging.getLogger(__name__)

_IDLE_POLL_SECONDS = 0.5  # longest the coordinator sleeps before it looks at stop/lease/timers again
_BUSY_RETRY_SECONDS = 15.0  # how soon the app looks again when another worker holds the lease


class Phase(enum.Enum):
    """What the worker is doing, for the status bar and the command line."""

    CONNECTING = "connecting"
    SYNCING = "syncing"
    OFFLINE = "offline"  # the server cannot be reached: backing off
    RETRYING = "retrying"  # the server answered with a transient error: backing off
    BUSY = "busy"  # another worker holds the lease
    ERROR = "error"  # credentials, certificate, address: waits for the user
    DONE = "done"  # nothing left that can be sent now


@dataclass(frozen=True)
class SyncProgress:
    """A snapshot for whoever shows progress; ``message`` is plain words, empty when all is well."""

    phase: Phase
    done: int = 0  # observations settled (synced, updated or failed) in this pass
    total: int = 0  # observations this pass set out to settle
    message: str = ""
    retry_in: float | None = None
    last_synced_at: str = ""  # UTC ISO time the last observation became synced
    unsynced: int | None = None  # at the end of a pass: observations still not on a server, of which
    failed: int = 0  # stopped on a permanent problem (the row says why)
    elsewhere: int = 0  # bound to another server or experiment (waiting for the user's decision)


@dataclass(frozen=True)
class SyncReport:
    """What one pass achieved and what is left."""

    synced_now: int = 0
    updated_now: int = 0
    failed_now: int = 0
    total_synced: int = 0
    unsynced: int = 0  # observations that should reach a server and have not (includes failed, elsewhere)
    failed: tuple[tuple[str, str], ...] = ()
    elsewhere: int = 0
    error: str = ""  # why the pass ended early, in plain words
    error_kind: str = ""  # "" | "offline" | "transient" | "credentials" | "setup" | "busy" | "stopped" | ...
    retry_in: float | None = None

    @property
    def complete(self) -> bool:
        """Tell whether nothing is left unsynced."""
        return self.unsynced == 0 and not self.error


@dataclass(frozen=True)
class _Done:
    """A lane's answer: the push result, or the error that ended the try."""

    observation_id: str
    result: PushResult | None = None
    error: BaseException | None = None


class _Lane(threading.Thread):
    """One worker thread with its own SQLite connections, pushing one observation at a time."""

    def __init__(
        self,
        worker: SyncWorker,
        client: MlflowRestClient,
        binding: Binding,
        holder: str,
        results: queue.Queue[_Done],
    ):
        super().__init__(name="iris-sync-lane", daemon=True)
        self.tasks: queue.Queue[str | None] = queue.Queue()
        self.results = results
        self._worker = worker
        self._client = client
        self._binding = binding
        self._holder = holder

    def run(self) -> None:
        store = db = None
        try:
            store = ObservationStore.open(self._worker.db_path)
            db = store.connect()
            outbox = Outbox(db, Lease(db, self._holder, self._worker.description))
            pusher = ObservationPusher(
                self._client,
                outbox,
                store,
                self._binding,
                device=self._worker.target.device,
                settle_seconds=self._worker.options.settle_seconds,
            )
            while (oid := self.tasks.get()) is not None:
                try:
                    self.results.put(_Done(oid, result=pusher.push(oid)))
                except BaseException as exc:  # noqa: BLE001 - every failure goes back to the coordinator
                    self.results.put(_Done(oid, error=exc))
        except BaseException as exc:  # noqa: BLE001 - e.g. the history cannot be opened
            # Answer every task with the error, so the coordinator never waits on this lane.
            while (oid := self.tasks.get()) is not None:
                self.results.put(_Done(oid, error=exc))
        finally:
            if db is not None:
                db.close()
            if store is not None:
                store.close()


class SyncWorker:
    """Sync one history file to one server and experiment; ``run_pass`` once, or ``run_forever``."""

    def __init__(
        self,
        db_path: Path,
        target: SyncTarget,
        options: SyncOptions | None = None,
        on_progress: Callable[[SyncProgress], None] | None = None,
        description: str = "Iris Field",
    ):
        """Prepare a worker; nothing touches the network or the file until a pass runs."""
        self.db_path = Path(db_path)
        self.target = target
        self.options = options or SyncOptions()
        self.description = description
        self._on_progress = on_progress
        self._failures = 0  # consecutive transient failures, across passes
        self._requests_lock = threading.Lock()
        self._retry_failed_requested = False
        self._release_requested: bool | None = None

    # ------------------------------------------------------------------ requests from the app
    def request_retry_failed(self) -> None:
        """Ask the next pass to try observations that failed permanently again ("Sync now")."""
        with self._requests_lock:
            self._retry_failed_requested = True

    def request_release_bindings(self, include_synced: bool) -> None:
        """Ask the next pass to send observations bound to another server to this one (user's decision)."""
        with self._requests_lock:
            self._release_requested = include_synced

    def _take_requests(self) -> tuple[bool, bool | None]:
        with self._requests_lock:
            taken = (self._retry_failed_requested, self._release_requested)
            self._retry_failed_requested = False
            self._release_requested = None
            return taken

    # ------------------------------------------------------------------ the app's loop
    def run_forever(self, stop: threading.Event, wake: threading.Event) -> None:
        """Sync whenever there is something to sync; back off while offline; return when ``stop`` is set."""
        while not stop.is_set():
            wake.clear()
            report = self.run_pass(stop, patience=0.0)
            if stop.is_set():
                return
            if report.error_kind in ("offline", "transient", "lease_lost"):
                delay: float | None = report.retry_in
            elif report.error_kind == "busy":
                delay = _BUSY_RETRY_SECONDS
            else:
                # Done, or waiting for the user (credentials): no polling, a save or "Sync now" wakes us.
                delay = None
            wake.wait(delay)

    # ------------------------------------------------------------------ one pass
    def run_pass(
        self,
        stop: threading.Event | None = None,
        *,
        retry_failed: bool = False,
        release_bindings: bool | None = None,
        patience: float = 0.0,
    ) -> SyncReport:
        """Push everything due until done, ``stop`` is set, or transient errors outlast ``patience`` seconds.

        ``retry_failed`` retries observations that failed permanently (not runs deleted on the server);
        ``release_bindings`` (False: unsynced ones, True: all) re-targets observations bound elsewhere.
        """
        stop = stop or threading.Event()
        requested_retry, requested_release = self._take_requests()
        retry_failed = retry_failed or requested_retry
        if release_bindings is None:
            release_bindings = requested_release
        self._emit(SyncProgress(Phase.CONNECTING))
        try:
            store = ObservationStore.open(self.db_path)
        except StoreError as exc:
            return self._ended(SyncReport(error=str(exc), error_kind="store"), Phase.ERROR)
        db = store.connect()
        lease = Lease(db, new_holder_token(), self.description)
        try:
            try:
                lease.acquire(self.options.lease_seconds)
            except LeaseBusy as exc:
                report = SyncReport(error=str(exc), error_kind="busy", retry_in=_BUSY_RETRY_SECONDS)
                return self._ended(report, Phase.BUSY)
            try:
                return self._pass(store, Outbox(db, lease), stop, retry_failed, release_bindings, patience)
            finally:
                with contextlib.suppress(Exception):
                    lease.release()
        finally:
            db.close()
            store.close()

    def _pass(
        self,
        store: ObservationStore,
        outbox: Outbox,
        stop: threading.Event,
        retry_failed: bool,
        release_bindings: bool | None,
        patience: float,
    ) -> SyncReport:
        client = MlflowRestClient(
            self.target.tracking_uri,
            self.target.auth,
            connect_timeout=self.options.connect_timeout,
            read_timeout=self.options.read_timeout,
            max_connections=self.options.concurrency + 1,
            ca_bundle=self.target.ca_bundle,
        )
        try:
            return _Pass(self, client, store, outbox, stop, patience).run(retry_failed, release_bindings)
        except LeaseLost as exc:
            return self._ended(SyncReport(error=str(exc), error_kind="lease_lost", retry_in=5.0), Phase.BUSY)
        except StoreError as exc:
            return self._ended(SyncReport(error=str(exc), error_kind="store"), Phase.ERROR)
        finally:
            client.close()

    # ------------------------------------------------------------------ reporting
    def _emit(self, progress: SyncProgress) -> None:
        if self._on_progress is not None:
            try:
                self._on_progress(progress)
            except Exception:  # a broken progress display must never stop the sync
                log.exception("sync progress callback failed")

    def _ended(self, report: SyncReport, phase: Phase, **progress: object) -> SyncReport:
        self._emit(SyncProgress(phase, message=report.error, retry_in=report.retry_in, **progress))
        return report

    def _transient_delay(self, exc: MlflowRestError) -> float:
        self._failures += 1
        return self.options.policy.delay(self._failures, exc.retry_after)


class _Pass:
    """The coordinator of one pass: hands observations to lanes, reads back, backs off, renews the lease."""

    def __init__(
        self,
        worker: SyncWorker,
        client: MlflowRestClient,
        store: ObservationStore,
        outbox: Outbox,
        stop: threading.Event,
        patience: float,
    ):
        self.worker = worker
        self.options = worker.options
        self.target = worker.target
        self.client = client
        self.store = store
        self.outbox = outbox
        self.stop = stop
        self.patience = patience
        self.binding: Binding | None = None
        self.synced_now = self.updated_now = self.failed_now = 0
        self.total = 0
        self.last_progress = time.monotonic()
        self.renewed_at = time.monotonic()
        self.results: queue.Queue[_Done] = queue.Queue()

    # ------------------------------------------------------------------ top level
    def run(self, retry_failed: bool, release_bindings: bool | None) -> SyncReport:
        try:
            self.binding = self._resolve_experiment()
        except MlflowRestError as exc:
            return self._stopped_by(exc)
        if self.binding is None:
            return self._report(error="stopped", error_kind="stopped")
        if release_bindings is not None:
            count = self.outbox.release_bindings(include_synced=release_bindings)
            log.info("%d observations released for %s", count, self.target.tracking_uri)
        if retry_failed:
            self.outbox.clear_failures((FAILURE_PERMANENT,))
        self._enroll_and_mirror()
        return self._work()

    def _resolve_experiment(self) -> Binding | None:
        """Find or create the experiment, backing off within ``patience`` while the server is away."""
        name = self.target.experiment_name
        while True:
            try:
                experiment = self.client.get_experiment_by_name(name)
                if experiment is None:
                    try:
                        experiment_id = self.client.create_experiment(name)
                    except MlflowRestError as exc:
                        if exc.error_code != "RESOURCE_ALREADY_EXISTS":
                            raise
                        continue  # created by someone else (or by our own unanswered try): look it up
                    return Binding(self.target.tracking_uri, name, experiment_id)
                if experiment.lifecycle_stage != "active":
                    raise MlflowRestError(
                        f"the experiment {name!r} was deleted on the MLflow server; restore it there or "
                        f"choose another experiment name",
                        kind=ErrorKind.SETUP,
                    )
                return Binding(self.target.tracking_uri, name, experiment.experiment_id)
            except MlflowRestError as exc:
                if exc.kind is not ErrorKind.TRANSIENT or not self._wait_out(exc):
                    raise
                if self.stop.is_set():
                    return None

    def _enroll_and_mirror(self) -> None:
        """Add new observations to the outbox and make every row's shown sync state match the outbox."""
        observations = {o.id: o for o in self.store.list(include_deleted=True)}
        known = {e.observation_id for e in self.outbox.entries()}
        self.outbox.enroll(oid for oid in observations if oid not in known)
        for entry in self.outbox.entries():
            obs = observations.get(entry.observation_id)
            if obs is None:
                continue
            state, reason = entry.display_state()
            if (obs.sync_state, obs.sync_error) != (state, reason):
                # A crash between an outbox commit and this mirror leaves it stale; heal it here.
                self.store.set_sync_state(obs.id, state, reason)

    def _plan(self) -> WorkPlan:
        observations = {o.id: o for o in self.store.list(include_deleted=True)}
        entries = self.outbox.entries()
        known = {e.observation_id for e in entries}
        fresh = [oid for oid in observations if oid not in known]
        if fresh:  # saved while this pass ran
            self.outbox.enroll(fresh)
            entries = self.outbox.entries()
        return plan_work(entries, observations, self.target.tracking_uri, self.target.experiment_name)

    # ------------------------------------------------------------------ the work loop
    def _work(self) -> SyncReport:
        assert self.binding is not None
        plan = self._plan()
        queued: collections.deque[str] = collections.deque(plan.due)
        self.total = len(queued)
        # How often each observation was queued from a plan in this pass: a guard against going round in
        # circles should a plan and a push ever disagree about what is due.
        rounds: collections.Counter[str] = collections.Counter(queued)
        not_due: dict[str, float] = {}
        in_flight: set[str] = set()
        read_back: list[tuple[str, str]] = []
        paused_until = 0.0
        fatal: MlflowRestError | None = None
        ending: str = ""  # why no new work is handed out: "stopped" | "fatal" | "patience"
        last_transient: MlflowRestError | None = None
        lanes = [
            _Lane(self.worker, self.client, self.binding, self.outbox.lease.holder, self.results)
            for _ in range(self.options.concurrency)
        ]
        idle_lanes = list(lanes)
        lane_of: dict[str, _Lane] = {}
        for lane in lanes:
            lane.start()
        self._progress(Phase.SYNCING)
        try:
            while True:
                self._renew_lease()
                now = time.time()
                if self.stop.is_set() and not ending:
                    ending = "stopped"
                for oid, due in list(not_due.items()):
                    if due <= now:
                        del not_due[oid]
                        queued.append(oid)
                # Hand out work: all lanes normally, a single probe after a transient failure.
                if not ending and now >= paused_until:
                    capacity = len(lanes) if self.worker._failures == 0 else 1  # noqa: SLF001
                    while queued and idle_lanes and len(in_flight) < capacity:
                        oid = queued.popleft()
                        lane = idle_lanes.pop()
                        lane_of[oid] = lane
                        in_flight.add(oid)
                        lane.tasks.put(oid)
                if (
                    read_back
                    and not ending
                    and (len(read_back) >= self.options.read_back_batch or (not in_flight and not queued))
                ):
                    batch, read_back = read_back, []
                    try:
                        queued.extend(self._read_back(batch))
                    except MlflowRestError as exc:
                        read_back = batch + read_back
                        if exc.kind is not ErrorKind.TRANSIENT:
                            fatal, ending = exc, "fatal"
                        else:
                            last_transient = exc
                            paused_until, ending = self._transient(exc, ending)
                    continue
                if not in_flight:
                    if ending:
                        break
                    if not queued and not not_due and not read_back:
                        plan = self._plan()  # anything saved or edited meanwhile?
                        fresh = [oid for oid in plan.due if rounds[oid] < 3]
                        if not fresh:
                            break
                        queued.extend(fresh)
                        rounds.update(fresh)
                        self.total = self.synced_now + self.updated_now + self.failed_now + len(queued)
                        continue
                    wake_at = min([paused_until] + list(not_due.values()))
                    self.stop.wait(min(_IDLE_POLL_SECONDS, max(0.0, wake_at - time.time())))
                    continue
                try:
                    done = self.results.get(timeout=_IDLE_POLL_SECONDS)
                except queue.Empty:
                    continue
                if done.observation_id in in_flight:
                    in_flight.discard(done.observation_id)
                    idle_lanes.append(lane_of.pop(done.observation_id))
                if done.error is None:
                    assert done.result is not None
                    self._settled(done.result, read_back, not_due)
                    continue
                exc = done.error
                if isinstance(exc, MlflowRestError) and exc.kind is ErrorKind.TRANSIENT:
                    last_transient = exc
                    queued.append(done.observation_id)
                    paused_until, ending = self._transient(exc, ending)
                elif isinstance(exc, MlflowRestError):
                    fatal, ending = exc, "fatal"
                    queued.appendleft(done.observation_id)
                elif isinstance(exc, LeaseLost):
                    raise exc
                elif isinstance(exc, SyncError | StoreError):
                    fatal = MlflowRestError(str(exc), kind=ErrorKind.SETUP)
                    ending = "fatal"
                else:
                    log.error("sync of %s failed unexpectedly", done.observation_id, exc_info=exc)
                    fatal = MlflowRestError(
                        f"an unexpected error stopped the sync: {exc}", kind=ErrorKind.SETUP
                    )
                    ending = "fatal"
        finally:
            for lane in lanes:
                lane.tasks.put(None)
            for lane in lanes:
                lane.join(timeout=self.client.timeout_seconds + 5.0)
        if fatal is not None:
            return self._stopped_by(fatal)
        if ending == "stopped":
            return self._report(error="stopped", error_kind="stopped")
        if ending == "patience" and last_transient is not None:
            return self._report_transient(last_transient, paused_until)
        return self._report()

    def _settled(
        self, result: PushResult, read_back: list[tuple[str, str]], not_due: dict[str, float]
    ) -> None:
        if result.outcome is Outcome.AWAITING_READ_BACK:
            read_back.append((result.observation_id, result.run_id))
            self._made_progress()
        elif result.outcome is Outcome.UPDATED:
            self.updated_now += 1
            self._made_progress()
            self._progress(Phase.SYNCING)
        elif result.outcome is Outcome.FAILED:
            self.failed_now += 1
            self._progress(Phase.SYNCING)
        elif result.outcome is Outcome.NOT_DUE:
            not_due[result.observation_id] = result.due_at

    def _made_progress(self) -> None:
        self.worker._failures = 0  # noqa: SLF001
        self.last_progress = time.monotonic()

    def _transient(self, exc: MlflowRestError, ending: str) -> tuple[float, str]:
        """Back off after a transient failure; end the pass once failures outlast the patience."""
        delay = self.worker._transient_delay(exc)  # noqa: SLF001
        phase = Phase.OFFLINE if exc.unreachable else Phase.RETRYING
        if self.worker._failures == 1:  # noqa: SLF001 - say it once, not on every retry
            log.warning("sync paused: %s", exc)
        self._progress(phase, message=str(exc), retry_in=delay)
        if not ending and time.monotonic() + delay - self.last_progress > self.patience:
            ending = "patience"
        return time.time() + delay, ending

    def _wait_out(self, exc: MlflowRestError) -> bool:
        """Back off before the next try of a pass-level call; ``False`` when patience has run out."""
        delay = self.worker._transient_delay(exc)  # noqa: SLF001
        if time.monotonic() + delay - self.last_progress > self.patience:
            return False
        phase = Phase.OFFLINE if exc.unreachable else Phase.RETRYING
        self._progress(phase, message=str(exc), retry_in=delay)
        deadline = time.monotonic() + delay
        while not self.stop.is_set() and time.monotonic() < deadline:
            self._renew_lease()
            self.stop.wait(min(_IDLE_POLL_SECONDS * 4, max(0.0, deadline - time.monotonic())))
        return True

    def _renew_lease(self) -> None:
        if time.monotonic() - self.renewed_at >= self.options.lease_seconds / 4:
            self.outbox.lease.renew(self.options.lease_seconds)
            self.renewed_at = time.monotonic()

    # ------------------------------------------------------------------ read-back
    def _read_back(self, batch: list[tuple[str, str]]) -> list[str]:
        """Confirm finished runs on the server; mark them synced; return the ids that need another push."""
        assert self.binding is not None
        runs = self.client.get_runs(self.binding.experiment_id, [run_id for _, run_id in batch])
        confirmed: list[str] = []
        again: list[str] = []
        for oid, run_id in batch:
            run = runs.get(run_id)
            obs = self.store.get(oid)
            if obs is None:
                continue
            expected = build_run_record(obs, device=self.target.device)
            if run is None or run.info.lifecycle_stage != "active":
                self._fail(oid, DELETED_ON_SERVER, FAILURE_DELETED_ON_SERVER)
            elif run.info.status != FINISHED:
                self.outbox.reopen(oid)
                again.append(oid)
            elif run.tags.get(OBSERVATION_ID_TAG) != oid or any(
                run.params.get(k) != v for k, v in expected.params
            ):
                self._fail(
                    oid, f"the run {run_id} on the server holds other measurements than this observation"
                )
            else:
                confirmed.append(oid)
        self.outbox.synced(confirmed)
        for oid in confirmed:
            self.store.set_sync_state(oid, "synced")
        self.synced_now += len(confirmed)
        if confirmed:
            self._progress(Phase.SYNCING)
        return again

    def _fail(self, oid: str, reason: str, kind: str = FAILURE_PERMANENT) -> None:
        self.outbox.fail(oid, reason, kind)
        self.store.set_sync_state(oid, "failed", reason)
        self.failed_now += 1
        log.warning("observation %s not synced: %s", oid, reason)

    # ------------------------------------------------------------------ reporting
    def _progress(self, phase: Phase, message: str = "", retry_in: float | None = None) -> None:
        done = self.synced_now + self.updated_now + self.failed_now
        self.worker._emit(  # noqa: SLF001
            SyncProgress(
                phase,
                done=done,
                total=max(self.total, done),
                message=message,
                retry_in=retry_in,
                last_synced_at=self.outbox.last_synced_at(),
            )
        )

    def _report(self, error: str = "", error_kind: str = "", retry_in: float | None = None) -> SyncReport:
        plan = self._plan()
        report = SyncReport(
            synced_now=self.synced_now,
            updated_now=self.updated_now,
            failed_now=self.failed_now,
            total_synced=plan.synced,
            unsynced=plan.unsynced,
            failed=plan.failed,
            elsewhere=plan.elsewhere,
            error="" if error == "stopped" else error,
            error_kind=error_kind,
            retry_in=retry_in,
        )
        if not error_kind:
            self.worker._emit(  # noqa: SLF001
                SyncProgress(
                    Phase.DONE,
                    done=self.synced_now + self.updated_now + self.failed_now,
                    total=self.total,
                    last_synced_at=self.outbox.last_synced_at(),
                    unsynced=plan.unsynced,
                    failed=len(plan.failed),
                    elsewhere=plan.elsewhere,
                )
            )
        return report

    def _report_transient(self, exc: MlflowRestError, paused_until: float) -> SyncReport:
        retry_in = max(0.0, paused_until - time.time())
        kind = "offline" if exc.unreachable else "transient"
        return self._report(error=str(exc), error_kind=kind, retry_in=retry_in)

    def _stopped_by(self, exc: MlflowRestError) -> SyncReport:
        if exc.kind is ErrorKind.TRANSIENT:
            self.worker._emit(  # noqa: SLF001
                SyncProgress(Phase.OFFLINE if exc.unreachable else Phase.RETRYING, message=str(exc))
            )
            kind = "offline" if exc.unreachable else "transient"
            retry_in = self.options.policy.delay(max(1, self.worker._failures))  # noqa: SLF001
            return self._report(error=str(exc), error_kind=kind, retry_in=retry_in)
        kind = "credentials" if exc.kind is ErrorKind.CREDENTIALS else "setup"
        log.warning("sync stopped: %s", exc)
        self.worker._emit(SyncProgress(Phase.ERROR, message=str(exc)))  # noqa: SLF001
        return self._report(error=str(exc), error_kind=kind)
