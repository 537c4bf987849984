"""The sync's tables in the history file (outbox, lease) and the triggers that derive each row's sync state.

The history runs these steps with its own (desktop/history/migrations.py), by their numbers in the one
schema sequence the file has always had: importing ``desktop.sync`` registers them. Nothing here is ever
edited once shipped: a change of the sync's tables is a new step with the next free number.
"""

from __future__ import annotations

from desktop.history.bulk import register_insert_stand_in
from desktop.history.migrations import register_steps
from desktop.sync.failure_sentences import FAILURES_AS_KINDS
from desktop.sync.states import Stage, sql_list, sync_state_sql

SYNC = "the sync"

# Step 3: the sync outbox, one row per observation with its stage on the
# way to the MLflow server, and the lease that lets one sync worker at a time work on this file.
OUTBOX_AND_LEASE = f"""
    CREATE TABLE sync_outbox (
        observation_id    TEXT PRIMARY KEY REFERENCES observations (id),
        stage             TEXT NOT NULL DEFAULT 'pending'
                          CHECK (stage IN {sql_list(Stage)}),
        tracking_uri      TEXT NOT NULL DEFAULT '',
        experiment_name   TEXT NOT NULL DEFAULT '',
        experiment_id     TEXT NOT NULL DEFAULT '',
        run_id            TEXT NOT NULL DEFAULT '',
        artifact_uri      TEXT NOT NULL DEFAULT '',
        pushed_updated_at TEXT NOT NULL DEFAULT '',
        failure           TEXT NOT NULL DEFAULT '',
        failure_kind      TEXT NOT NULL DEFAULT '',
        attempts          INTEGER NOT NULL DEFAULT 0,
        last_error        TEXT NOT NULL DEFAULT '',
        changed_at        TEXT NOT NULL
    );
    CREATE INDEX sync_outbox_by_stage ON sync_outbox (stage, failure_kind);
    CREATE TABLE sync_lease (
        id          INTEGER PRIMARY KEY CHECK (id = 1),
        holder      TEXT NOT NULL,
        pid         INTEGER NOT NULL,
        host        TEXT NOT NULL,
        description TEXT NOT NULL,
        expires_at  REAL NOT NULL
    );
    """
# Step 7: the sync state a row shows is derived from its outbox row by the database itself:
# no code writes observations.sync_state/sync_error any more; triggers set them in the same transaction
# as every outbox write, so they can never drift (the column stays for migration 2's index, which the
# history pane pages a million rows by). A row whose create was in doubt says when to look for a
# second run (reconcile_after).
SYNC_STATE_FROM_OUTBOX = f"""
    ALTER TABLE sync_outbox ADD COLUMN reconcile_after REAL NOT NULL DEFAULT 0;
    UPDATE observations SET
        sync_state = (SELECT {sync_state_sql()} FROM sync_outbox WHERE observation_id = observations.id),
        sync_error = (SELECT failure FROM sync_outbox WHERE observation_id = observations.id)
        WHERE id IN (SELECT observation_id FROM sync_outbox);
    CREATE TRIGGER sync_state_on_enrol AFTER INSERT ON sync_outbox BEGIN
        UPDATE observations SET sync_state = {sync_state_sql("new")}, sync_error = new.failure
            WHERE id = new.observation_id;
    END;
    CREATE TRIGGER sync_state_on_stage AFTER UPDATE OF stage, failure ON sync_outbox BEGIN
        UPDATE observations SET sync_state = {sync_state_sql("new")}, sync_error = new.failure
            WHERE id = new.observation_id;
    END;
    CREATE TRIGGER sync_state_on_save AFTER INSERT ON observations
        WHEN EXISTS (SELECT 1 FROM sync_outbox WHERE observation_id = new.id) BEGIN
        UPDATE observations SET
            sync_state = (SELECT {sync_state_sql()} FROM sync_outbox WHERE observation_id = new.id),
            sync_error = (SELECT failure FROM sync_outbox WHERE observation_id = new.id)
            WHERE id = new.id;
    END;
    """
# Step 10: failures stored as English sentences by earlier versions become kind and facts
# (desktop/sync/failure_sentences.py); the trigger of step 7 carries each into its row's sync_error.
SYNC_STEPS: dict[int, str] = {3: OUTBOX_AND_LEASE, 7: SYNC_STATE_FROM_OUTBOX, 10: FAILURES_AS_KINDS}

# A large save does the work of step 7's sync_state_on_save once for all its rows (desktop/history/bulk.py):
# for every row after ``?`` at once.
SYNC_STATE_INSERT_TRIGGER = "sync_state_on_save"
SYNC_STATE_OF_NEW_ROWS = f"""
    UPDATE observations SET
        sync_state = (SELECT {sync_state_sql()} FROM sync_outbox WHERE observation_id = observations.id),
        sync_error = (SELECT failure FROM sync_outbox WHERE observation_id = observations.id)
    WHERE rowid > ? AND EXISTS (SELECT 1 FROM sync_outbox WHERE observation_id = observations.id)
"""


def register() -> None:
    """Register the sync's steps and its trigger's stand-in with the history (again: no change)."""
    register_steps(SYNC, SYNC_STEPS)
    register_insert_stand_in(SYNC_STATE_INSERT_TRIGGER, SYNC_STATE_OF_NEW_ROWS)


register()
