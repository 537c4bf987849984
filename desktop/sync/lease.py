"""Who may sync a history file right now: a lease row in the file itself, taken over when its holder died."""

from __future__ import annotations

import contextlib
import os
import socket
import sqlite3
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from desktop.errors import SyncError
from desktop.sync.clock import Clock
from desktop.sync.problems import SyncProblem, english


class LeaseBusy(SyncError):
    """Another sync worker holds the lease on this history."""

    def __init__(self, holder: LeaseHolder):
        facts: dict[str, object] = {"holder": holder.description, "pid": holder.pid}
        super().__init__(english(SyncProblem.BUSY, facts), SyncProblem.BUSY, facts)
        self.holder = holder


class LeaseLost(SyncError):
    """This worker's lease was taken over (it stalled past the expiry); it must stop touching the outbox."""


@dataclass(frozen=True)
class LeaseHolder:
    """The worker that holds (or last held) the lease."""

    holder: str
    pid: int
    host: str
    description: str
    expires_at: float


def new_holder_token() -> str:
    """Return a token that names one worker (one sync pass) uniquely."""
    return uuid.uuid4().hex


def process_alive(pid: int) -> bool:
    """Tell whether a process with this id runs on this machine (errs on "alive" when unsure)."""
    if pid <= 0:
        return False
    if sys.platform == "win32":
        return _windows_process_alive(pid)
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, but belongs to someone else
    return True


def _windows_process_alive(pid: int) -> bool:
    import ctypes  # Windows only; os.kill(pid, 0) would terminate the process there

    process_query_limited_information = 0x1000
    still_active = 259
    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(process_query_limited_information, False, pid)
    if not handle:
        return False
    try:
        code = ctypes.c_ulong()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return True
        return code.value == still_active
    finally:
        kernel32.CloseHandle(handle)


@contextlib.contextmanager
def immediate_transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Run a write transaction that holds SQLite's write lock from the start; commit on success."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def read_holder(db: sqlite3.Connection) -> LeaseHolder | None:
    """Return the current lease row, if any."""
    sql = "SELECT holder, pid, host, description, expires_at FROM sync_lease WHERE id = 1"
    row = db.execute(sql).fetchone()
    if row is None:
        return None
    return LeaseHolder(str(row[0]), int(row[1]), str(row[2]), str(row[3]), float(row[4]))


class Lease:
    """One worker's claim on one history file; every outbox write checks it (a fencing token)."""

    def __init__(self, db: sqlite3.Connection, holder: str, description: str, clock: Clock | None = None):
        """Use ``db`` (a connection of the calling thread) to claim the lease as ``holder``."""
        self._db = db
        self.clock = clock or Clock()
        self.holder = holder
        self.description = description

    def acquire(self, seconds: float) -> None:
        """Take the lease if it is free, expired, ours, or held by a process that died; else ``LeaseBusy``."""
        now = self.clock.now()
        host = socket.gethostname()
        with immediate_transaction(self._db) as db:
            current = read_holder(db)
            if current is not None and not self._may_take(current, now, host):
                raise LeaseBusy(current)
            db.execute(
                "INSERT OR REPLACE INTO sync_lease (id, holder, pid, host, description, expires_at)"
                " VALUES (1, ?, ?, ?, ?, ?)",
                (self.holder, os.getpid(), host, self.description, now + seconds),
            )

    def _may_take(self, current: LeaseHolder, now: float, host: str) -> bool:
        if current.holder == self.holder or current.expires_at <= now:
            return True
        # A worker killed with SIGKILL cannot release its lease; on the same machine we can see it is gone.
        # (A create it sent may still land: the row stays ``creating``, so the successor searches first.)
        return current.host == host and current.pid != os.getpid() and not process_alive(current.pid)

    def renew(self, seconds: float) -> None:
        """Push the expiry out; raise ``LeaseLost`` if another worker has taken the lease meanwhile."""
        with immediate_transaction(self._db) as db:
            cursor = db.execute(
                "UPDATE sync_lease SET expires_at = ? WHERE id = 1 AND holder = ?",
                (self.clock.now() + seconds, self.holder),
            )
            if cursor.rowcount != 1:
                raise LeaseLost(english(SyncProblem.LEASE_LOST, {}), SyncProblem.LEASE_LOST)

    def release(self) -> None:
        """Give the lease up (only if it is still ours)."""
        with immediate_transaction(self._db) as db:
            db.execute("DELETE FROM sync_lease WHERE id = 1 AND holder = ?", (self.holder,))
