"""The names sync writes into the history file: outbox stages and the sync state shown on each row."""

from __future__ import annotations

import enum


class Stage(enum.StrEnum):
    """How far one observation got on its way to MLflow (a row of ``sync_outbox``)."""

    PENDING = "pending"  # nothing sent yet
    CREATING = "creating"  # a create was (maybe) sent; its answer is not known
    CREATED = "created"  # the run exists; its id is on the row
    LOGGED = "logged"  # params, metrics (and observation.json, if needed) are on the server
    FINISHED = "finished"  # the run was set FINISHED; waiting for the read-back
    SYNCED = "synced"  # read back intact


class SyncState(enum.StrEnum):
    """What the history row shows about its observation's sync."""

    PENDING = "pending"
    SYNCING = "syncing"
    SYNCED = "synced"
    FAILED = "failed"


class FailureKind(enum.StrEnum):
    """Why a row stopped: a refused request is retried on request, a deleted run never again."""

    NONE = ""
    PERMANENT = "permanent"
    DELETED_ON_SERVER = "deleted_on_server"


def sql_list(values: type[enum.StrEnum]) -> str:
    """Return the enum's values as an SQL list, e.g. for a CHECK constraint: ``('a', 'b')``."""
    return "(" + ", ".join(f"'{v.value}'" for v in values) + ")"


def sync_state_sql(outbox: str = "sync_outbox") -> str:
    """Return the SQL expression that derives a row's ``SyncState`` from its outbox row (or none)."""
    return (
        f"CASE WHEN IFNULL({outbox}.failure, '') != '' THEN '{SyncState.FAILED}'"
        f" WHEN {outbox}.stage IS NULL OR {outbox}.stage = '{Stage.PENDING}' THEN '{SyncState.PENDING}'"
        f" WHEN {outbox}.stage = '{Stage.SYNCED}' THEN '{SyncState.SYNCED}'"
        f" ELSE '{SyncState.SYNCING}' END"
    )
