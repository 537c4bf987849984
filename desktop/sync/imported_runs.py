"""An imported export's synced rows enter the outbox as synced, so the sync never sends them again."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import TYPE_CHECKING

from desktop.history.observation import utc_now
from desktop.sync.states import Stage

if TYPE_CHECKING:
    from desktop.tables.history_import import ImportedRow

_ENTER = (
    "INSERT INTO sync_outbox (observation_id, stage, tracking_uri, experiment_name, experiment_id,"
    " run_id, pushed_updated_at, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


def enter_synced_runs(db: sqlite3.Connection, rows: Sequence[ImportedRow]) -> None:
    """Record, in the import's transaction, that each new row that came with its run is on the server."""
    now = utc_now()
    db.executemany(
        _ENTER,
        [
            (row.observation.id, Stage.SYNCED, run.tracking_uri, run.experiment_name, run.experiment_id,
             run.run_id, run.pushed_updated_at, now)
            for row in rows
            if (run := row.synced_run) is not None
        ],
    )  # fmt: skip
