"""Connections to a history file: write-ahead logged, every commit synced to disk."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from desktop.errors import StoreError, StoreProblem

# Read-only histories (original path -> private copy being read); see ``ObservationStore._open_read_only``.
SNAPSHOTS: dict[Path, Path] = {}


def connect(path: Path) -> sqlite3.Connection:
    """Open a connection in autocommit mode (transactions are explicit) with durable pragmas."""
    path = SNAPSHOTS.get(Path(path), path)
    # isolation_level=None: Python's implicit transactions are off; every write says BEGIN/COMMIT.
    db = sqlite3.connect(path, isolation_level=None, timeout=10.0, check_same_thread=True)
    try:
        db.row_factory = sqlite3.Row
        mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise sqlite3.OperationalError(f"the file system refuses write-ahead logging (mode {mode})")
        # FULL: in WAL mode every commit fsyncs the log, so "saved" survives a kill or power loss.
        db.execute("PRAGMA synchronous = FULL")
        db.execute("PRAGMA foreign_keys = ON")
    except BaseException:
        db.close()
        raise
    return db


def open_error(path: Path, exc: sqlite3.Error) -> StoreError:
    """Return the named error for a history that SQLite cannot open."""
    return StoreError(
        f"the observation history {path} cannot be opened ({exc})",
        StoreProblem.NOT_OPENED,
        path=path,
        detail=str(exc),
    )
