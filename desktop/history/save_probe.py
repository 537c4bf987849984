"""Prove that an observation could be saved to the real history now, without changing what it holds."""

from __future__ import annotations

import errno
import os
import sqlite3
import tempfile
from pathlib import Path

from desktop.errors import StoreError, StoreProblem
from desktop.history.connection import connect
from desktop.history.files import ReadOnlyCause, read_only_cause, read_only_reason, repair_companions

# What one save writes at most before its commit returns: a few pages of the log, and its index.
ROOM_FOR_A_SAVE = 64 * 1024
_FULL = (errno.ENOSPC, errno.EFBIG, errno.EDQUOT)
_PROBE_ID = "00000000-0000-4000-8000-00000000self"


def try_saving(path: Path) -> str:
    """Try a save to the history at ``path`` and undo it; return what was proven, raise ``StoreError`` if not.

    The checks are those a save meets: a writable file and folder, a stale index file that can be removed,
    room on the disk (a real write of a save's size, synced and removed) and, for an existing history, an
    observation written in a transaction that is rolled back.
    """
    path = Path(path)
    cause = read_only_cause(path)
    if cause is not None:
        folder = cause is ReadOnlyCause.FOLDER
        raise StoreError(
            f"nothing can be saved: {read_only_reason(path, cause)}",
            StoreProblem.READ_ONLY_FOLDER if folder else StoreProblem.READ_ONLY_FILE,
            path=path,
        )
    repair_companions(path)
    _write_room(path)
    if not path.exists():
        return f"the first observation can be saved in {path.parent}"
    _rolled_back_write(path)
    return "a trial save was written and rolled back"


def _write_room(path: Path) -> None:
    """Write, sync and remove a file of a save's size beside the history (a full disk refuses it)."""
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent  # the app creates the history's folder with its first save
    probe: Path | None = None
    try:
        handle, name = tempfile.mkstemp(prefix=".iris-save-probe-", dir=folder)
        probe = Path(name)
        with os.fdopen(handle, "wb") as out:
            out.write(b"\0" * ROOM_FOR_A_SAVE)
            out.flush()
            os.fsync(out.fileno())
    except OSError as exc:
        detail = exc.strerror or str(exc)
        full = exc.errno in _FULL
        raise StoreError(
            f"nothing can be saved: the disk holding {folder} has no room for an observation ({detail})"
            if full
            else f"nothing can be saved: {folder} cannot be written ({detail})",
            StoreProblem.NOT_WRITTEN,
            path=path,
            detail=detail,
        ) from exc
    finally:
        if probe is not None:
            probe.unlink(missing_ok=True)


def _rolled_back_write(path: Path) -> None:
    """Write one observation row in a transaction and roll it back (locks, triggers and all)."""
    try:
        db = connect(path)
    except sqlite3.Error as exc:
        raise _not_written(path, exc) from exc
    try:
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute(
                "INSERT INTO observations (id, created_at, updated_at, measurements, probabilities, "
                "predicted_species, confidence, model_name, model_version, model_sha256) "
                "VALUES (?, '2000-01-01T00:00:00+00:00', '2000-01-01T00:00:00+00:00', '{}', '{}', "
                "'self-test', 1.0, 'self-test', '0', '')",
                (_PROBE_ID,),
            )
        finally:
            db.execute("ROLLBACK")
    except sqlite3.Error as exc:
        raise _not_written(path, exc) from exc
    finally:
        db.close()


def _not_written(path: Path, exc: sqlite3.Error) -> StoreError:
    return StoreError(
        f"nothing can be saved: the observation history {path} cannot be written ({exc})",
        StoreProblem.NOT_WRITTEN,
        path=path,
        detail=str(exc),
    )
