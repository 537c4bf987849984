"""What a sync pass tells the outside while it runs (``SyncProgress``) and when it ends (``SyncReport``)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from desktop.errors import SyncError
from desktop.mlflow_http.problems import ServerProblem
from desktop.sync.problems import SyncProblem


class Phase(enum.Enum):
    """What the worker is doing, for the status bar and the command line."""

    CONNECTING = "connecting"
    SYNCING = "syncing"
    OFFLINE = "offline"  # the server cannot be reached: backing off
    RETRYING = "retrying"  # the server answered with a transient error: backing off
    BUSY = "busy"  # another worker holds the lease
    ERROR = "error"  # credentials, certificate, address: waits for the user
    DONE = "done"  # nothing left that can be sent now


class EndReason(enum.StrEnum):
    """Why a pass ended; ``COMPLETE`` when it ran out of work, whatever is left for later."""

    COMPLETE = ""
    STOPPED = "stopped"  # asked to stop
    OFFLINE = "offline"  # the server could not be reached for longer than the patience
    TRANSIENT = "transient"  # the server kept failing for longer than the patience
    CREDENTIALS = "credentials"  # 401/403: waits for the user
    SETUP = "setup"  # certificate, address, experiment deleted, a bug: waits for the user
    BUSY = "busy"  # another worker holds the lease
    LEASE_LOST = "lease_lost"  # another worker took the lease over mid-pass
    STORE = "store"  # the history file cannot be read or written

    @property
    def retried_soon(self) -> bool:
        """Tell whether the app should try again by itself after ``retry_in``."""
        return self in (EndReason.OFFLINE, EndReason.TRANSIENT, EndReason.LEASE_LOST)


@dataclass(frozen=True)
class SyncProgress:
    """A snapshot for whoever shows progress; ``message`` is plain words, empty when all is well.

    ``problem`` and ``facts`` say the same as data, for words in another language (``None``: none of ours).
    """

    phase: Phase
    done: int = 0  # observations settled (synced, updated or failed) in this pass
    total: int = 0  # observations this pass set out to settle
    message: str = ""
    retry_in: float | None = None
    last_synced_at: str = ""  # UTC ISO time the last observation became synced
    unsynced: int | None = None  # at the end of a pass: observations still not on a server, of which
    failed: int = 0  # stopped on a permanent problem (the row says why)
    elsewhere: int = 0  # bound to another server or experiment (waiting for the user's decision)
    problem: SyncProblem | ServerProblem | None = None
    facts: Mapping[str, object] = field(default_factory=dict)

    @classmethod
    def of(cls, phase: Phase, cause: SyncError | None, **more: Any) -> SyncProgress:
        """Return a snapshot that says ``cause`` (in English and as data); ``more``: its other fields."""
        if cause is not None:
            more.update(message=str(cause), problem=cause.problem, facts=cause.facts)
        return cls(phase, **more)


@dataclass(frozen=True)
class SyncReport:
    """What one pass achieved and what is left."""

    synced_now: int = 0
    updated_now: int = 0
    failed_now: int = 0
    total_synced: int = 0  # this history's observations on the server
    unsynced: int = 0  # observations that should reach a server and have not (includes failed, elsewhere)
    failed: tuple[tuple[str, str], ...] = ()  # (observation id, its stored failure: see row_failure)
    elsewhere: int = 0
    error: str = ""  # why the pass ended early, in plain words
    error_kind: EndReason = EndReason.COMPLETE
    retry_in: float | None = None
    duplicates_deleted: int = 0  # second runs of one observation (late creates) deleted on the server
    experiment_total: int | None = None  # active runs in the experiment, all devices (when counted)
    experiment_total_more: bool = False  # the count stopped at MLflow's search limit

    @property
    def complete(self) -> bool:
        """Tell whether nothing is left unsynced."""
        return self.unsynced == 0 and not self.error

    @property
    def server_answered(self) -> bool:
        """Tell whether the pass talked with the server to its end (observations may still have failed)."""
        return self.error_kind in (EndReason.COMPLETE, EndReason.LEASE_LOST)
