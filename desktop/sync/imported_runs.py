"""An imported export's rows that had begun to sync enter the outbox as they were: stage, failure, run."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import TYPE_CHECKING

from desktop.history.observation import utc_now

if TYPE_CHECKING:
    from desktop.tables.history_import import ImportedRow

_ENTER = (
    "INSERT INTO sync_outbox (observation_id, stage, tracking_uri, experiment_name, experiment_id,"
    " run_id, pushed_updated_at, failure, failure_kind, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def enter_synced_runs(db: sqlite3.Connection, rows: Sequence[ImportedRow]) -> None:
    """Record, in the import's transaction, how far each new row that came with its sync progress got.

    A row that was syncing, failed or synced is saved so (its stage, failure and run), never as pending:
    the sync neither sends a synced row again nor forgets why one failed.
    """
    now = utc_now()
    db.executemany(
        _ENTER,
        [
            (row.observation.id, run.stage, run.tracking_uri, run.experiment_name, run.experiment_id,
             run.run_id, run.pushed_updated_at, run.failure, run.failure_kind, now)
            for row in rows
            if (run := row.synced_run) is not None
        ],
    )  # fmt: skip
