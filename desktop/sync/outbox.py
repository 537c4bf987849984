"""The durable sync outbox: one row per observation and the stage it has reached on its way to MLflow.

    pending ──► creating ──► created(run id) ──► logged ──► finished ──► synced
                  │  ▲
                  └──┘ answer to the create lost: search by observation_id at once, adopt or create again

``creating`` is committed before the create goes out, and it alone waits for the disk (fsync): losing
any later stage to a power cut only means redoing a step that is safe to redo. A *failed* row keeps its
stage, so a retry resumes where it stopped. Every write checks that this worker still holds the lease.
A create in doubt may have left a second run: ``reconcile_after`` says when to look for it and delete it.
The sync state a history row shows is derived from this table by the database (store migration 7).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import astuple, dataclass

from desktop.errors import SyncError
from desktop.store import utc_now
from desktop.sync.lease import Lease, LeaseLost, immediate_transaction, read_holder
from desktop.sync.states import FailureKind, Stage

_COLUMNS = (
    "observation_id, stage, tracking_uri, experiment_name, experiment_id, run_id, artifact_uri,"
    " pushed_updated_at, failure, failure_kind, attempts, last_error, changed_at, reconcile_after"
)
# Never-sent observations one plan lists by id; a pass plans again when it has sent them.
PENDING_LISTED = 10_000
# A released row may be searched for at once: nothing of ours is in flight to the next server.
_LONG_AGO = "1970-01-01T00:00:00.000000+00:00"


class OutboxConflict(SyncError):
    """A transition found the row in another stage than expected (a bug, or someone else's write)."""


@dataclass(frozen=True)
class Binding:
    """The server and experiment an observation was (or is being) sent to."""

    tracking_uri: str
    experiment_name: str
    experiment_id: str

    def same_target(self, tracking_uri: str, experiment_name: str) -> bool:
        """Tell whether this binding points at the given server and experiment."""
        return self.tracking_uri == tracking_uri and self.experiment_name == experiment_name


@dataclass(frozen=True)
class OutboxEntry:
    """One observation's sync progress."""

    observation_id: str
    stage: Stage
    binding: Binding | None
    run_id: str = ""
    artifact_uri: str = ""
    pushed_updated_at: str = ""
    failure: str = ""
    failure_kind: FailureKind = FailureKind.NONE
    attempts: int = 0
    last_error: str = ""
    changed_at: str = ""
    reconcile_after: float = 0.0  # time.time() after which duplicates are looked for; 0: no doubt

    @property
    def failed(self) -> bool:
        """Tell whether this observation stopped on a permanent problem."""
        return bool(self.failure)


@dataclass(frozen=True)
class ObservationStamp:
    """What planning needs of an observation: whether it was deleted, when it was saved and last edited."""

    deleted: bool
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class PlanningRows:
    """The outbox as planning needs it (``Outbox.planning_rows``)."""

    entries: list[OutboxEntry]  # rows in flight, failed, edited since sent, or bound elsewhere
    stamps: dict[str, ObservationStamp]  # their observations
    settled: int  # synced and untouched since: counted only
    pending: list[str]  # never sent, due: the first ids, least-tried and oldest first
    pending_total: int  # never sent, due: all of them (the rest are listed by a later plan)


def _entry(row: sqlite3.Row | tuple) -> OutboxEntry:
    (oid, stage, uri, name, exp_id, run_id, art, pushed, failure, kind, attempts, error, changed, doubt) = row
    binding = Binding(uri, name, exp_id) if uri else None
    return OutboxEntry(
        oid, Stage(stage), binding, run_id, art, pushed, failure, FailureKind(kind), int(attempts), error,
        changed, float(doubt),
    )  # fmt: skip


class Outbox:
    """Read and advance the outbox rows of one history file, fenced by a ``Lease``."""

    def __init__(self, db: sqlite3.Connection, lease: Lease):
        """Work on ``db`` (a connection owned by the calling thread) under ``lease``."""
        self._db = db
        self.lease = lease
        # Committed, not fsync'd, by default; the one transition that must reach the disk asks for it.
        db.execute("PRAGMA synchronous = NORMAL")

    # ------------------------------------------------------------------ reading
    def entry(self, observation_id: str) -> OutboxEntry | None:
        """Return one row, or ``None`` if the observation is not enrolled yet."""
        sql = f"SELECT {_COLUMNS} FROM sync_outbox WHERE observation_id = ?"
        row = self._db.execute(sql, (observation_id,)).fetchone()
        return None if row is None else _entry(tuple(row))

    def entries(self) -> list[OutboxEntry]:
        """Return every row."""
        return [_entry(tuple(r)) for r in self._db.execute(f"SELECT {_COLUMNS} FROM sync_outbox")]

    def planning_rows(self, listed: int = PENDING_LISTED) -> PlanningRows:
        """Return what planning must look at; settled and plain pending rows only counted or listed by id.

        Settled: synced, not failed, and not edited since (or deleted): never due. Plain pending: never
        sent, not failed, not deleted: always due. So a history of a million observations, synced or not,
        is planned without building a million rows in Python.
        """
        columns = ", ".join(f"s.{c.strip()}" for c in _COLUMNS.split(","))
        join = "FROM sync_outbox s JOIN observations o ON o.id = s.observation_id"
        settled = (
            f"s.stage = '{Stage.SYNCED}' AND s.failure = '' "
            "AND (o.deleted = 1 OR o.updated_at <= s.pushed_updated_at)"
        )
        plain = f"s.stage = '{Stage.PENDING}' AND s.failure = '' AND s.tracking_uri = '' AND o.deleted = 0"
        entries, stamps = [], {}
        sql = (
            f"SELECT {columns}, o.deleted, o.created_at, o.updated_at {join} WHERE NOT ({settled} OR {plain})"
        )
        for row in self._db.execute(sql):
            entries.append(_entry(tuple(row[:-3])))
            stamps[row[0]] = ObservationStamp(bool(row[-3]), row[-2], row[-1])
        (count,) = self._db.execute(f"SELECT COUNT(*) {join} WHERE {settled}").fetchone()
        order = "s.attempts, o.created_at, s.observation_id"
        listing = f"SELECT s.observation_id {join} WHERE {plain} ORDER BY {order} LIMIT ?"
        pending = [r[0] for r in self._db.execute(listing, (listed,))]
        (waiting,) = self._db.execute(f"SELECT COUNT(*) {join} WHERE {plain}").fetchone()
        return PlanningRows(entries, stamps, int(count), pending, int(waiting))

    def lease_seconds_left(self) -> float:
        """Return how long this worker's lease still runs (-inf when it is not ours)."""
        holder = read_holder(self._db)
        if holder is None or holder.holder != self.lease.holder:
            return float("-inf")
        return holder.expires_at - self.lease.clock.now()

    def last_synced_at(self) -> str:
        """Return when the most recent observation became synced (UTC ISO), or ""."""
        sql = "SELECT MAX(changed_at) FROM sync_outbox WHERE stage = ?"
        return str(self._db.execute(sql, (Stage.SYNCED,)).fetchone()[0] or "")

    # ------------------------------------------------------------------ writing
    def enroll_new(self) -> int:
        """Add a pending row for every observation saved since the outbox last looked; return how many."""
        with self._fenced() as db:
            return db.execute(
                "INSERT INTO sync_outbox (observation_id, stage, changed_at) SELECT o.id, ?, ? "
                "FROM observations o WHERE NOT EXISTS "
                "(SELECT 1 FROM sync_outbox s WHERE s.observation_id = o.id)",
                (Stage.PENDING, utc_now()),
            ).rowcount  # the rows added, not what the triggers changed besides

    def begin_create(self, observation_id: str, binding: Binding, pushed_updated_at: str) -> None:
        """Record on disk, before sending it, that a create request for this observation goes out."""
        sql = "stage = ?, tracking_uri = ?, experiment_name = ?, experiment_id = ?, pushed_updated_at = ?"
        params = (Stage.CREATING, *astuple(binding), pushed_updated_at)
        self._transition(observation_id, (Stage.PENDING,), sql, params, durable=True)

    def create_unsent(self, observation_id: str) -> None:
        """Go back to pending: the create request never reached the server (no connection at all)."""
        sql = "stage = ?, tracking_uri = '', experiment_name = '', experiment_id = ''"
        self._transition(observation_id, (Stage.CREATING,), sql, (Stage.PENDING,))

    def bind(self, observation_id: str, binding: Binding) -> None:
        """Bind a released row (``creating`` without a target) to the server it is searched on now."""
        sql = "tracking_uri = ?, experiment_name = ?, experiment_id = ?"
        self._transition(observation_id, (Stage.CREATING,), sql, astuple(binding), keep_changed_at=True)

    def created(
        self, observation_id: str, run_id: str, artifact_uri: str, reconcile_after: float = 0
    ) -> None:
        """Record the run the server created (or a search found); ``reconcile_after`` if in doubt."""
        sql = "stage = ?, run_id = ?, artifact_uri = ?, reconcile_after = ?"
        self._transition(
            observation_id, (Stage.CREATING,), sql, (Stage.CREATED, run_id, artifact_uri, reconcile_after)
        )

    def logged(self, observation_id: str) -> None:
        """Record that params, metrics and (if needed) observation.json are on the server."""
        self._transition(observation_id, (Stage.CREATED,), "stage = ?", (Stage.LOGGED,))

    def finished(self, observation_id: str) -> None:
        """Record that the run's terminating update (status FINISHED) was acknowledged."""
        self._transition(observation_id, (Stage.LOGGED,), "stage = ?", (Stage.FINISHED,))

    def reopen(self, observation_id: str) -> None:
        """Send the terminating update again: the read-back found the run not finished."""
        self._transition(observation_id, (Stage.FINISHED,), "stage = ?", (Stage.LOGGED,))

    def reconciled(self, observation_id: str) -> None:
        """Record that no second run carries this observation any more."""
        self._transition(observation_id, tuple(Stage), "reconcile_after = 0", (), keep_changed_at=True)

    def synced(self, observation_ids: Iterable[str]) -> None:
        """Record that these finished runs were read back intact: the observations are synced."""
        sql = "stage = ?, attempts = 0, last_error = ''"
        self._transition(observation_ids, (Stage.FINISHED,), sql, (Stage.SYNCED,))

    def pushed(self, observation_id: str, updated_at: str) -> None:
        """Record that the run's tags now reflect the observation as edited at ``updated_at``."""
        sql = "pushed_updated_at = ?, attempts = 0, last_error = ''"
        self._transition(observation_id, (Stage.SYNCED,), sql, (updated_at,), keep_changed_at=True)

    def note_transient(self, observation_id: str, message: str) -> None:
        """Count a failed try that may succeed later (the stage stays)."""
        sql = "attempts = attempts + 1, last_error = ?"
        self._transition(observation_id, tuple(Stage), sql, (message,), keep_changed_at=True)

    def fail(self, observation_id: str, reason: str, kind: FailureKind = FailureKind.PERMANENT) -> None:
        """Stop this observation with a reason in plain words (the stage stays for a later retry)."""
        sql = "failure = ?, failure_kind = ?"
        self._transition(observation_id, tuple(Stage), sql, (reason, kind), keep_changed_at=True)

    def clear_failures(self, kinds: Iterable[FailureKind] = (FailureKind.PERMANENT,)) -> int:
        """Make failed rows of these kinds eligible again (the user asked to retry); return how many."""
        kinds = tuple(kinds)
        with self._fenced() as db:
            cursor = db.execute(
                f"UPDATE sync_outbox SET failure = '', failure_kind = '', attempts = 0"
                f" WHERE failure != '' AND failure_kind IN ({', '.join('?' * len(kinds))})",
                kinds,
            )
            return cursor.rowcount

    def release_bindings(self, include_synced: bool = False) -> int:
        """Let rows bound to a server go to whichever server syncs next (an explicit user decision).

        Rows that may already have a run somewhere restart at ``creating`` with no target, so the next
        server is first searched for their observation_id: a run that is already there is adopted, never
        duplicated. Returns how many rows were released.
        """
        stages = (Stage.CREATING, Stage.CREATED, Stage.LOGGED, Stage.FINISHED)
        stages += (Stage.SYNCED,) if include_synced else ()
        with self._fenced(durable=True) as db:
            cursor = db.execute(
                f"UPDATE sync_outbox SET stage = ?, tracking_uri = '', experiment_name = '',"
                f" experiment_id = '', run_id = '', artifact_uri = '', failure = '', failure_kind = '',"
                f" attempts = 0, last_error = '', pushed_updated_at = '', changed_at = ?, reconcile_after = 0"
                f" WHERE stage IN ({', '.join('?' * len(stages))})",
                (Stage.CREATING, _LONG_AGO, *stages),
            )
            db.execute(
                "UPDATE sync_outbox SET tracking_uri = '', experiment_name = '', experiment_id = '',"
                " failure = '', failure_kind = '' WHERE stage = ?",
                (Stage.PENDING,),
            )
            return cursor.rowcount

    # ------------------------------------------------------------------ internals
    @contextlib.contextmanager
    def _fenced(self, durable: bool = False) -> Iterator[sqlite3.Connection]:
        """Open a write transaction that first proves this worker still holds the lease (a fencing token).

        ``durable``: the commit also waits until the disk has it (fsync), not only the operating system.
        """
        if durable:
            self._db.execute("PRAGMA synchronous = FULL")
        try:
            with immediate_transaction(self._db) as db:
                current = read_holder(db)
                if current is None or current.holder != self.lease.holder:
                    raise LeaseLost("another sync worker took over this history; this one stops")
                yield db
        finally:
            if durable:
                self._db.execute("PRAGMA synchronous = NORMAL")

    def _transition(
        self,
        observation_ids: str | Iterable[str],
        from_stages: tuple[Stage, ...],
        assignments: str,
        params: tuple,
        *,
        keep_changed_at: bool = False,
        durable: bool = False,
    ) -> None:
        """Move one row (or each of several, in one transaction) on from one of ``from_stages``."""
        ids = (observation_ids,) if isinstance(observation_ids, str) else tuple(observation_ids)
        stamp = "" if keep_changed_at else ", changed_at = ?"
        stamp_params = () if keep_changed_at else (utc_now(),)
        with self._fenced(durable) as db:
            for oid in ids:
                cursor = db.execute(
                    f"UPDATE sync_outbox SET {assignments}{stamp}"
                    f" WHERE observation_id = ? AND stage IN ({', '.join('?' * len(from_stages))})",
                    (*params, *stamp_params, oid, *from_stages),
                )
                if cursor.rowcount != 1:
                    raise OutboxConflict(f"observation {oid} is not in stage {' or '.join(from_stages)}")
