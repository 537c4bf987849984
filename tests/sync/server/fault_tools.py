"""Tools for fault tests: a misbehaving HTTP server process, a progress recorder, a background worker."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

from desktop.store import ObservationStore
from desktop.sync.lease import Lease, new_holder_token
from desktop.sync.outbox import Binding, Outbox
from desktop.sync.worker import Phase, SyncProgress, SyncWorker
from tests.mlflow_test_server import MlflowServer, experiment_id, free_port, rest
from tests.waiting import wait_for  # the fault tests import it from here too

FAULT_SERVER = Path(__file__).resolve().parents[1] / "fault_http_server.py"


@contextlib.contextmanager
def fault_server(
    fault: str, count: int, upstream: str = "", path_part: str = ""
) -> Iterator[tuple[str, list]]:
    """Run fault_http_server.py as a real process; yield its URL and (after exit) the faults it served."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(FAULT_SERVER), str(port), fault, str(count), upstream, path_part],
        stdout=subprocess.PIPE,
        text=True,
    )
    served: list[str] = []
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"
        yield f"http://127.0.0.1:{port}", served
    finally:
        process.terminate()
        out, _ = process.communicate(timeout=30)
        served.extend(line for line in out.splitlines() if line.startswith("fault"))


class Recorder:
    """Collect progress snapshots from the worker thread."""

    def __init__(self) -> None:
        self.seen: list[SyncProgress] = []
        self._lock = threading.Lock()

    def __call__(self, progress: SyncProgress) -> None:
        with self._lock:
            self.seen.append(progress)

    def count(self, phase: Phase) -> int:
        with self._lock:
            return sum(p.phase is phase for p in self.seen)

    def phases(self) -> set[Phase]:
        with self._lock:
            return {p.phase for p in self.seen}


def synced_count(db_path: Path) -> int:
    with ObservationStore.open(db_path) as store:
        return store.counts()["synced"]


@contextlib.contextmanager
def background_worker(worker: SyncWorker) -> Iterator[threading.Event]:
    """Run the app's loop (``run_forever``) in a thread, as the window does; yield its wake event."""
    stop, wake = threading.Event(), threading.Event()
    thread = threading.Thread(target=worker.run_forever, args=(stop, wake), daemon=True)
    thread.start()
    try:
        yield wake
    finally:
        stop.set()
        wake.set()
        wait_for(lambda: not thread.is_alive(), "the sync worker stops")  # a request in flight ends first


def leave_in_creating(db_path: Path, server: MlflowServer, experiment: str, oid: str) -> str:
    """Put an observation where a crash right after sending its create leaves it; return the experiment id."""
    exp_id = (
        experiment_id(server.url, experiment)
        or rest(server.url, "experiments/create", {"name": experiment})["experiment_id"]
    )
    with ObservationStore.open(db_path) as store:
        db = store.connect()
    try:
        lease = Lease(db, new_holder_token(), "crashed worker")
        lease.acquire(60)
        outbox = Outbox(db, lease)
        outbox.enroll_new()
        outbox.begin_create(oid, Binding(server.url, experiment, exp_id), "")
        lease.release()
    finally:
        db.close()
    return exp_id
