"""The history file on disk: what sits at its path, whether it may be written, its -shm/-wal companions."""

from __future__ import annotations

import contextlib
import os
import shutil
from enum import StrEnum
from pathlib import Path

from desktop.errors import StoreError, StoreProblem
from desktop.paths import HOME_ENV


def refuse_non_file(path: Path) -> None:
    """Raise ``StoreError`` naming it when a folder, a device or a pipe sits where the history should be."""
    from desktop.file_kinds import kind_of

    kind = kind_of(path)
    if kind is not None and kind != "file":
        raise StoreError(
            f"the observation history {path} is {kind}, not a history file; "
            f"move it away (or set {HOME_ENV} to another folder)",
            StoreProblem.NOT_A_FILE,
            path=path,
            kind=kind,
        )


def writable(path: Path) -> bool:
    """Tell whether a file or folder may be written: marked writable and writable by this user."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return True  # not there (yet): whether it can be created is the folder's question
    return bool(mode & 0o222) and os.access(path, os.W_OK)


class ReadOnlyCause(StrEnum):
    """What makes a history read-only."""

    FILE = "file"
    FOLDER = "folder"


def read_only_cause(path: Path) -> ReadOnlyCause | None:
    """Return what keeps the history at ``path`` from being written (None if it can be)."""
    if path.exists() and not writable(path):
        return ReadOnlyCause.FILE
    if not writable(path.parent):
        return ReadOnlyCause.FOLDER
    return None


def read_only_reason(path: Path, cause: ReadOnlyCause | None) -> str:
    """Return the sentence part saying why the history cannot be written ("" if it can)."""
    if cause is ReadOnlyCause.FILE:
        return f"the history file {path} is read-only"
    if cause is ReadOnlyCause.FOLDER:
        return f"the folder {path.parent} is read-only"
    return ""


def repair_companions(path: Path) -> None:
    """Make a stale read-only -shm/-wal beside a writable history writable again, keeping the log's data."""
    shm = path.with_name(path.name + "-shm")
    if shm.exists() and not writable(shm):
        try:
            shm.unlink(missing_ok=True)  # only an index into the log; SQLite rebuilds it
        except OSError as exc:
            detail = exc.strerror or str(exc)
            raise StoreError(
                f"the history's index file {shm} is left over from an earlier run and cannot be removed "
                f"({detail}); remove it (it holds no observations) and start Iris Field again",
                StoreProblem.INDEX_NOT_REMOVED,
                path=shm,
                detail=detail,
            ) from exc
    wal = path.with_name(path.name + "-wal")
    if wal.exists() and not writable(wal):
        # The log holds committed observations: replace it by a writable copy of itself.
        fresh = wal.with_name(wal.name + ".writable")
        try:
            shutil.copyfile(wal, fresh)
            os.chmod(fresh, 0o600)
            os.replace(fresh, wal)
        except OSError as exc:
            fresh.unlink(missing_ok=True)
            detail = exc.strerror or str(exc)
            raise StoreError(
                f"the observation history {path} cannot be opened ({detail}); "
                f"check that its folder exists and is writable",
                StoreProblem.NOT_OPENED,
                path=path,
                detail=detail,
            ) from exc


COMPANION_SUFFIXES = ("-wal", "-shm")  # SQLite's log and its index, beside a history
REPAIRING_SUFFIX = ".repairing"  # a repair's copy of a damaged history, beside it until it is sound


def remove_with_companions(path: Path) -> None:
    """Remove a history file and its -wal/-shm, whichever exist."""
    for suffix in ("", *COMPANION_SUFFIXES):
        with contextlib.suppress(FileNotFoundError):
            path.with_name(path.name + suffix).unlink()


def put_in_place(built: Path, target: Path) -> None:
    """Make the finished, closed history ``built`` the one at ``target``: on the disk first, then renamed.

    The -wal/-shm of the file it replaces go first: a log replayed into another file would damage it.
    """
    with open(built, "r+b") as handle:
        os.fsync(handle.fileno())
    for suffix in COMPANION_SUFFIXES:
        with contextlib.suppress(FileNotFoundError):
            target.with_name(target.name + suffix).unlink()
    os.replace(built, target)
    with contextlib.suppress(OSError):  # a folder cannot be opened on Windows: its rename is durable there
        folder = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def marked_damaged(path: Path) -> bool:
    """Tell whether a background check found this history damaged: its next opening salvages it."""
    return check_marker(Path(path)).exists()


_DAMAGED = "damaged"  # the marker's first word when a read found damage: salvage, do not check first


def mark_damaged_on_read(path: Path, detail: str) -> None:
    """Mark a history a read found damaged (a text that is not UTF-8): its next opening salvages it.

    SQLite's checks do not see such damage, so the mark says to salvage rather than to check first.
    """
    with contextlib.suppress(OSError):  # the read's own error is said anyway
        check_marker(path).write_text(f"{_DAMAGED}\n{detail}\n", encoding="utf-8")


def damaged_on_read(path: Path) -> bool:
    """Tell whether a read found this history damaged (``mark_damaged_on_read``): salvage, no check first."""
    try:
        return check_marker(path).read_text(encoding="utf-8", errors="replace").startswith(_DAMAGED)
    except OSError:
        return False


def check_marker(path: Path) -> Path:
    """Return the file whose presence says "check this history before using it"."""
    return path.with_name(path.name + ".check")


def size_of(path: Path) -> int:
    """Return the size of a file in bytes (0 if it cannot be read)."""
    try:
        return path.stat().st_size
    except OSError:
        return 0
