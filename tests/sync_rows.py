"""Put an observation's sync outbox row where a sync would have left it, so its row shows a sync state."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from desktop.sync.states import FailureKind, Stage, SyncState

_STAGE_SHOWING = {
    SyncState.PENDING: Stage.PENDING,
    SyncState.SYNCING: Stage.LOGGED,
    SyncState.SYNCED: Stage.SYNCED,
    SyncState.FAILED: Stage.CREATED,
}


def show_sync_state(db_path: Path, observation_id: str, state: str, error: str = "") -> None:
    """Write the outbox row that makes ``observation_id`` show ``state`` (``error``: why it failed)."""
    failure, kind = (error or "failed", FailureKind.PERMANENT) if state == SyncState.FAILED else ("", "")
    stage = _STAGE_SHOWING[SyncState(state)]
    run_id = "" if stage == Stage.PENDING else f"run-{observation_id[:8]}"  # every later stage names its run
    with sqlite3.connect(db_path) as db:
        db.execute(
            "INSERT OR REPLACE INTO sync_outbox"
            " (observation_id, stage, run_id, failure, failure_kind, changed_at)"
            " VALUES (?, ?, ?, ?, ?, '2026-05-01T09:00:00+00:00')",
            (observation_id, stage, run_id, failure, kind),
        )
    db.close()
