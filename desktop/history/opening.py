"""Opening a history: created and migrated, checked, salvaged when damaged, or read from a private copy."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.errors import IrisFieldError, StoreError, StoreProblem
from desktop.history.connection import SNAPSHOTS, connect
from desktop.history.damaged_pages import PagesWhole
from desktop.history.files import (
    ReadOnlyCause,
    check_marker,
    damaged_on_read,
    put_in_place,
    read_only_cause,
    read_only_reason,
    refuse_non_file,
    remove_with_companions,
    repair_companions,
    size_of,
)
from desktop.history.header_repair import repair_header
from desktop.history.integrity import check_integrity, check_records, damage_error, is_damage
from desktop.history.migrations import check_columns, migrate
from desktop.history.page_repair import repair_pages
from desktop.history.record_repair import repair_records
from desktop.history.refill import refill, schema_of
from desktop.history.salvage import (
    DamagedHistory,
    SalvageReport,
    begin_record,
    copy_history,
    finish_record,
    move_aside,
    standing_salvage,
)
from desktop.history.sqlite_pages import PageFile
from desktop.paths import default_db_path

if TYPE_CHECKING:
    from desktop.history.store import ObservationStore

# Histories up to this size are checked before they are used (about 6,000 observations, ~10 ms: the
# check reads every page, ~2 ms per MB here); the window checks longer ones in the background.
CHECK_AT_OPEN_BYTES = 4 * 1024 * 1024
REFILLING_SUFFIX = ".refilling"  # a salvage's new history, beside the damaged one's path until finished


class StoreDamagedError(StoreError):
    """The history file was damaged and has been renamed aside; ``moved_to`` says where."""

    def __init__(self, message: str, moved_to: Path | None, problem: StoreProblem, **facts: object):
        super().__init__(message, problem, **facts)
        self.moved_to = moved_to


def open_history(cls: type[ObservationStore], path: Path | None, check_later: bool) -> ObservationStore:
    """Open (creating and migrating if needed) the history; raise ``StoreError`` in plain words.

    SQLite's check reads every page: for a history over ``CHECK_AT_OPEN_BYTES`` a caller that can check
    in the background (the window, by ``check_integrity``) passes ``check_later`` to open at once. A file
    found damaged that way is marked, and its next opening checks it first and moves it aside.
    """
    try:
        path = default_db_path() if path is None else Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        folder = path.parent if path is not None else exc.filename
        detail = exc.strerror or str(exc)
        raise StoreError(
            f"the folder {folder} for the observation history cannot be created: {detail}",
            StoreProblem.FOLDER_NOT_CREATED,
            folder=folder,
            detail=detail,
        ) from exc
    refuse_non_file(path)
    cause = read_only_cause(path)
    if cause is not None and path.exists():
        return _open_read_only(cls, path, cause)
    standing = standing_salvage(path)
    if standing is not None and standing[1] is None:
        return _salvage_from(cls, path, standing[0])  # a salvage that did not finish: take it up again
    store = _open_writable(cls, path, check_later)
    if standing is not None and store.salvaged is None:
        store.salvaged = standing[1]  # it found nothing: said at every start until the file is moved
    return store


def _open_writable(cls: type[ObservationStore], path: Path, check_later: bool) -> ObservationStore:
    """Open a history that may be written: check, migrate, salvage it if it is damaged."""
    repair_companions(path)
    connection: sqlite3.Connection | None = None
    try:
        connection = connect(path)
        marker = check_marker(path)
        if damaged_on_read(path):
            raise damage_error("a read found damage SQLite's checks do not see")
        checking = not check_later or marker.exists() or size_of(path) <= CHECK_AT_OPEN_BYTES
        if checking:
            check_integrity(connection)
        migrate(connection, path)
        check_columns(connection)
        if checking:
            check_records(connection)
            marker.unlink(missing_ok=True)
    except UnicodeDecodeError as exc:  # text SQLite hands back from a damaged page
        if connection is not None:
            connection.close()
        return _salvage(cls, path, sqlite3.DatabaseError(f"database disk image is malformed ({exc})"))
    except sqlite3.Error as exc:
        if connection is not None:
            connection.close()
        if is_damage(exc):
            return _salvage(cls, path, exc)
        raise StoreError(
            f"the observation history {path} cannot be opened ({exc}); "
            f"check that its folder exists and is writable",
            StoreProblem.NOT_OPENED,
            path=path,
            detail=str(exc),
        ) from exc
    except BaseException:
        if connection is not None:
            connection.close()
        raise
    return cls(path, connection)


def _open_read_only(cls: type[ObservationStore], path: Path, cause: ReadOnlyCause) -> ObservationStore:
    """Open a history that may not be written: browse and export a private snapshot, refuse saving.

    SQLite cannot read a write-ahead-logged file in a read-only folder without creating its -shm
    index there, so the file and its log are copied to a private folder, opened (and migrated) there.
    """
    reason = read_only_reason(path, cause)
    snapshot = Path(tempfile.mkdtemp(prefix="iris-field-read-only-"))
    try:
        copy = copy_history(path, snapshot)
        connection = connect(copy)
        migrate(connection, path)
    except (OSError, sqlite3.Error) as exc:
        shutil.rmtree(snapshot, ignore_errors=True)
        detail = exc.strerror if isinstance(exc, OSError) else str(exc)
        raise StoreError(
            f"the observation history {path} cannot be read ({detail}); {reason}",
            StoreProblem.NOT_READ,
            path=path,
            detail=detail,
        ) from exc
    SNAPSHOTS[path] = copy
    store = cls(path, connection)
    store.read_only_cause = cause
    store.read_only_reason = reason
    return store


def _salvage(cls: type[ObservationStore], path: Path, damage: sqlite3.Error) -> ObservationStore:
    """Move a damaged history aside and open a fresh one holding every observation still readable."""
    try:
        aside = move_aside(path)
        begin_record(path, aside)
    except OSError as exc:
        raise StoreDamagedError(
            f"the observation history {path} is damaged and could not be moved aside ({exc.strerror}); "
            f"move or copy it away yourself before Iris Field can start a new history",
            None,
            StoreProblem.DAMAGED_NOT_MOVED,
            path=path,
            detail=exc.strerror or str(exc),
        ) from damage
    check_marker(path).unlink(missing_ok=True)
    return _salvage_from(cls, path, aside)


def _salvage_from(cls: type[ObservationStore], path: Path, aside: Path) -> ObservationStore:
    """Copy every readable observation of the damaged file ``aside`` into the history at ``path``."""
    store: ObservationStore | None = None
    try:
        report = _header_repaired(path, aside) or _pages_repaired(path, aside) or _refilled(cls, path, aside)
        store = _open_writable(cls, path, check_later=True)  # it was just built, or repaired and checked
        finish_record(path, report)
    except (OSError, IrisFieldError) as exc:  # e.g. no room: the damaged file is safe aside, retried
        if store is not None:
            store.close()
        detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise StoreDamagedError(
            f"the observation history {path} is damaged; it was moved aside to {aside.name}, but its "
            f"observations could not be copied into a new history ({detail}); "
            f"free some space and start Iris Field again to recover them from it",
            aside,
            StoreProblem.DAMAGED_NOT_COPIED,
            path=path,
            aside=aside.name,
            detail=detail,
        ) from exc
    except BaseException:
        if store is not None:
            store.close()
        raise
    store.salvaged = report
    return store


def _refilled(cls: type[ObservationStore], path: Path, aside: Path) -> SalvageReport:
    """Build a new history beside ``path`` from every readable row of ``aside``, then put it in place.

    Beside, under its own name until it is finished: a process killed meanwhile leaves no half-built
    history at ``path``, and the next start begins the salvage again (the record beside says so).
    """
    built = path.with_name(path.name + REFILLING_SUFFIX)
    remove_with_companions(built)
    try:
        with (
            _open_writable(cls, built, check_later=True) as store,
            DamagedHistory(aside, schema_of(store._db)) as damaged,
        ):
            counts = refill(store, damaged)
        put_in_place(built, path)
    except BaseException:
        remove_with_companions(built)
        raise
    return SalvageReport(*counts, aside)


def _header_repaired(path: Path, aside: Path) -> SalvageReport | None:
    """Repair a damaged file whose header alone was wiped into ``path``; None if that is not its damage."""
    with PageFile(aside) as pages:
        shape = pages.shape
    if not shape.header_rebuilt:
        return None
    counts = repair_header(aside, path, shape.page_size)
    return None if counts is None else SalvageReport(*counts, aside)


def _pages_repaired(path: Path, aside: Path) -> SalvageReport | None:
    """Repair a damaged file that lost a few pages, or a few records, into ``path``; None if neither.

    Records are looked into only when every page is as SQLite expects it: reading them all would find
    the damage of a page, but only after the time a salvage row by row then still takes.
    """
    try:
        counts = repair_pages(aside, path)
    except PagesWhole:
        counts = repair_records(aside, path)
    return None if counts is None else SalvageReport(*counts, aside)
