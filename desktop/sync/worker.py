"""The sync worker: one pass (command line) or a loop (the app's background thread), Qt-free."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.errors import StoreError, StoreProblem, SyncError
from desktop.signing import device_key
from desktop.signing.device_key import DeviceKey
from desktop.store import ObservationStore
from desktop.sync.clock import Clock
from desktop.sync.coordinator import Coordinator, PassEnd
from desktop.sync.lease import Lease, LeaseBusy, LeaseLost, new_holder_token
from desktop.sync.outbox import Outbox
from desktop.sync.plan import plan_work
from desktop.sync.problems import SyncProblem
from desktop.sync.report import EndReason, Phase, SyncProgress, SyncReport
from desktop.sync.rest_client import MlflowRestClient, MlflowRestError
from desktop.sync.retry import Backoff
from desktop.sync.run_record import OBSERVATION_ID_TAG
from desktop.sync.states import FailureKind
from desktop.sync.target import SyncOptions, SyncTarget
from desktop.sync.tracking import TrackingServer

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

__all__ = ["EndReason", "Phase", "SyncProgress", "SyncReport", "SyncWorker"]

log = logging.getLogger(__name__)

_BUSY_RETRY_SECONDS = 15.0  # how soon the app looks again when another worker holds the lease
_LEASE_LOST_RETRY_SECONDS = 5.0


class SyncWorker:
    """Sync one history file to one server and experiment; ``run_pass`` once, or ``run_forever``."""

    def __init__(
        self,
        db_path: Path,
        target: SyncTarget,
        options: SyncOptions | None = None,
        on_progress: Callable[[SyncProgress], None] | None = None,
        description: str = "Iris Field",
        *,
        client_factory: Callable[[SyncTarget, SyncOptions], TrackingServer] | None = None,
        clock: Clock | None = None,
        history_open: bool = False,
        device_key: DeviceKey | None = None,
    ):
        """Prepare a worker; nothing touches the network or the file until a pass runs.

        ``history_open``: the app holds the history open (migrated, checked in the background), so a
        pass takes another handle on it rather than opening it anew, which checks a long file in full.
        ``device_key``: what runs are signed with; by default this laptop's, made at the first pass.
        """
        self.db_path = Path(db_path)
        self._history_open = history_open
        self.target = target
        self.options = options or SyncOptions()
        self.description = description
        self._on_progress = on_progress
        self._client_factory = client_factory or _rest_client
        self._clock = clock or Clock()
        self._backoff = Backoff(self.options.policy)  # consecutive transient failures, across passes
        self._requests_lock = threading.Lock()
        self._retry_failed_requested = False
        self._release_requested: bool | None = None
        self._device_key = device_key

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
            self._retry_failed_requested, self._release_requested = False, None
            return taken

    # ------------------------------------------------------------------ the app's loop
    def run_forever(self, stop: threading.Event, wake: threading.Event) -> None:
        """Sync whenever there is something to sync; back off while offline; return when ``stop`` is set."""
        while not stop.is_set():
            wake.clear()
            report = self.run_pass(stop, patience=0.0)
            if stop.is_set():
                return
            # Done, or waiting for the user (credentials): no polling, a save or "Sync now" wakes us.
            self._clock.wait(wake, report.retry_in if report.error_kind.retried_soon else None)

    # ------------------------------------------------------------------ one pass
    def run_pass(
        self,
        stop: threading.Event | None = None,
        *,
        retry_failed: bool = False,
        release_bindings: bool | None = None,
        patience: float = 0.0,
        count_experiment: bool = False,
    ) -> SyncReport:
        """Push everything due until done, ``stop`` is set, or transient errors outlast ``patience`` seconds.

        ``retry_failed`` retries observations that failed permanently (not runs deleted on the server);
        ``release_bindings`` (False: unsynced ones, True: all) re-targets observations bound elsewhere;
        ``count_experiment``: one more search at the end counts the experiment's runs (all devices).
        """
        stop = stop or threading.Event()
        requested_retry, requested_release = self._take_requests()
        retry_failed = retry_failed or requested_retry
        release_bindings = requested_release if release_bindings is None else release_bindings
        self._emit(SyncProgress(Phase.CONNECTING))
        try:
            store = self._open_history()
        except StoreError as exc:
            return self._report(None, PassEnd(EndReason.STORE, self._backoff, _history_problem(exc)))
        db = store.connect()
        lease = Lease(db, new_holder_token(), self.description, self._clock)
        client = self._client_factory(self.target, self.options)
        try:
            lease.acquire(self.options.lease_seconds)
        except LeaseBusy as exc:
            end = PassEnd(EndReason.BUSY, self._backoff, exc, _BUSY_RETRY_SECONDS)
            return self._report(None, end)
        except sqlite3.Error as exc:  # e.g. a damaged file the app has open: it is salvaged at the next start
            return self._report(None, self._unreadable(exc))
        try:
            outbox = Outbox(db, lease)
            if release_bindings is not None:
                count = outbox.release_bindings(include_synced=release_bindings)
                log.info("%d observations released for %s", count, self.target.tracking_uri)
            if retry_failed:
                outbox.clear_failures((FailureKind.PERMANENT,))
            return self._push(
                client, store, outbox, stop, patience=patience, count_experiment=count_experiment
            )
        except LeaseLost as exc:
            return self._report(
                None, PassEnd(EndReason.LEASE_LOST, self._backoff, exc, _LEASE_LOST_RETRY_SECONDS)
            )
        except StoreError as exc:
            return self._report(None, PassEnd(EndReason.STORE, self._backoff, _history_problem(exc)))
        except sqlite3.Error as exc:
            return self._report(None, self._unreadable(exc))
        finally:
            with contextlib.suppress(Exception):
                lease.release()
            client.close()
            db.close()
            store.close()

    def _open_history(self) -> ObservationStore:
        """Open the history: as a reader when the app holds it open, else on its own."""
        if self._history_open:
            return ObservationStore.reader(self.db_path)
        return ObservationStore.open(self.db_path)

    def _push(
        self,
        client: MlflowRestClient,
        store: ObservationStore,
        outbox: Outbox,
        stop: threading.Event,
        *,
        patience: float,
        count_experiment: bool,
    ) -> SyncReport:
        """Push the outbox with the lease held; report how it ended (with the experiment's total if asked)."""
        coordinator = Coordinator(
            client, store, outbox, self.target, self.options, signer=self._signer(),
            backoff=self._backoff, emit=self._emit, clock=self._clock, patience=patience,
        )  # fmt: skip
        end = coordinator.run(stop)
        self._backoff = end.backoff
        report = self._report((store, outbox), end)
        if count_experiment and coordinator.binding is not None and end.reason is EndReason.COMPLETE:
            report = _with_experiment_total(report, client, coordinator.binding.experiment_id)
        return report

    def _signer(self) -> Ed25519PrivateKey | None:
        """Return the device key's private half (made on the first pass); None when it cannot be kept."""
        if self._device_key is None:
            try:
                self._device_key = device_key.load_or_create()
            except OSError as exc:  # the data folder is not writable: send unsigned, the lab will see it
                log.warning("runs are sent unsigned: the device key cannot be kept (%s)", exc)
                return None
        return self._device_key.private

    def _unreadable(self, exc: sqlite3.Error) -> PassEnd:
        message = f"the observation history {self.db_path} cannot be read ({exc})"
        unreadable = StoreError(message, StoreProblem.NOT_READ, path=self.db_path, detail=str(exc))
        return PassEnd(EndReason.STORE, self._backoff, _history_problem(unreadable))

    # ------------------------------------------------------------------ reporting
    def _emit(self, progress: SyncProgress) -> None:
        if self._on_progress is not None:
            try:
                self._on_progress(progress)
            except Exception:  # a broken progress display must never stop the sync
                log.exception("sync progress callback failed")

    def _report(self, history: tuple[ObservationStore, Outbox] | None, end: PassEnd) -> SyncReport:
        """Sum up a pass: what it did, and (when the history could be read) what is left."""
        report = SyncReport(
            synced_now=end.synced_now,
            updated_now=end.updated_now,
            failed_now=end.failed_now,
            error="" if end.reason is EndReason.STOPPED or end.cause is None else str(end.cause),
            error_kind=end.reason,
            retry_in=end.retry_in,
            duplicates_deleted=end.duplicates_deleted,
        )
        if end.reason in (EndReason.BUSY, EndReason.LEASE_LOST):
            self._emit(SyncProgress.of(Phase.BUSY, end.cause, retry_in=end.retry_in))
        elif end.reason in (EndReason.STORE, EndReason.SETUP, EndReason.CREDENTIALS) and history is None:
            self._emit(SyncProgress.of(Phase.ERROR, end.cause))
        if history is None:
            return report
        _, outbox = history
        rows, target = outbox.planning_rows(), self.target
        plan = plan_work(
            rows.entries, rows.stamps, target.tracking_uri, target.experiment_name,
            rows.settled, rows.pending, rows.pending_total,
        )  # fmt: skip
        if end.reason is EndReason.COMPLETE:
            done = end.synced_now + end.updated_now + end.failed_now
            self._emit(
                SyncProgress(
                    Phase.DONE, done, done, last_synced_at=outbox.last_synced_at(), unsynced=plan.unsynced,
                    failed=len(plan.failed), elsewhere=plan.elsewhere,
                )
            )  # fmt: skip
        return replace(
            report,
            total_synced=plan.synced,
            unsynced=plan.unsynced,
            failed=plan.failed,
            elsewhere=plan.elsewhere,
        )


def _history_problem(exc: StoreError) -> SyncError:
    """Return why the history stops the sync: the store's own problem and facts, inside a sync problem."""
    return SyncError(str(exc), SyncProblem.HISTORY, {"store_problem": exc.problem, **exc.facts})


def _rest_client(target: SyncTarget, options: SyncOptions) -> MlflowRestClient:
    return MlflowRestClient(
        target.tracking_uri,
        target.auth,
        connect_timeout=options.connect_timeout,
        read_timeout=options.read_timeout,
        max_connections=options.concurrency + 1,
        tls=target.tls,
    )


def _with_experiment_total(report: SyncReport, client: TrackingServer, experiment_id: str) -> SyncReport:
    """Add the experiment's count of observation runs (all devices), or leave it out if the server fails."""
    try:
        total, more = client.count_runs(experiment_id, f"tags.`{OBSERVATION_ID_TAG}` != ''")
    except MlflowRestError as exc:
        log.info("the experiment's runs could not be counted: %s", exc)
        return report
    return replace(report, experiment_total=total, experiment_total_more=more)
