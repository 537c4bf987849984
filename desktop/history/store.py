"""The durable history of saved observations: one SQLite file, WAL, fsync on every commit.

``ObservationStore`` is the history's one door: it opens a file (checking, migrating and, if it is damaged,
salvaging it), saves, edits and reads observations. The parts it puts together are the package's modules:
``schema`` and ``migrations`` (the tables), ``observation`` and ``codec`` (what a row holds), ``opening``
(checks, migrates, salvages), ``files``, ``connection`` and ``integrity`` (the file on disk), ``bulk``
(large saves), ``queries`` (the pane's pages), ``merging`` (imports), ``salvage`` and ``refill``.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol, TypeVar

from desktop.errors import StoreError, StoreProblem
from desktop.history.bulk import BULK_SAVE_ROWS, BulkInsert, EarlierKeys, saved_keys_sql
from desktop.history.codec import (
    COLUMNS,
    INSERT_SQL,
    REPLACE_SQL,
    ObservationRows,
    replacing_params,
    row_to_observation,
    rows_to_observations,
)
from desktop.history.connection import SNAPSHOTS, connect, open_error
from desktop.history.files import (
    ReadOnlyCause,
    check_marker,
    mark_damaged_on_read,
)
from desktop.history.integrity import check_integrity, check_records, is_damage, is_unreadable_text
from desktop.history.merging import ImportOutcome, same_content
from desktop.history.observation import SYNC_STATES, DeletedObservation, Observation, iso_utc, utc_now
from desktop.history.opening import open_history
from desktop.history.queries import (
    SEARCH_TABLE,
    SHORTEST_SEARCHED_WORD,
    Cursor,
    HistoryQuery,
    count_statement,
    match_expression,
    page_statements,
)
from desktop.history.salvage import (
    SalvageReport,
)

# How many deleted observations the "Recently deleted" view lists, the last deleted first.
RECENTLY_DELETED_SHOWN = 200
# Saving the very same measurements again within this time asks first (a second Ctrl+S by mistake).
DUPLICATE_WITHIN = timedelta(minutes=10)


class RowToImport(Protocol):
    """A row of an export to import: the observation it holds (the CSV's rows carry more)."""

    @property
    def observation(self) -> Observation:
        """Return the observation the row holds."""
        ...


Row = TypeVar("Row", bound=RowToImport)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class ObservationStore:
    """Saved observations in one SQLite file; use one instance per thread."""

    def __init__(self, path: Path, connection: sqlite3.Connection):
        """Wrap an open, migrated connection; use ``ObservationStore.open`` to get one."""
        self.path = path
        self._db = connection
        # Set when this history was just rebuilt from a damaged file: say its sentence to the user once.
        self.salvaged: SalvageReport | None = None
        # Why this history cannot be written ("" when it can): browsing and export work, saving does not.
        self.read_only_reason = ""
        self.read_only_cause: ReadOnlyCause | None = None

    # ----------------------------------------------------------------- opening
    @classmethod
    def open(cls, path: Path | None = None, *, check_later: bool = False) -> ObservationStore:
        """Open (creating and migrating if needed) the history; raise ``StoreError`` in plain words.

        SQLite's check reads every page: for a history over ``CHECK_AT_OPEN_BYTES`` a caller that can check
        in the background (the window, by ``check_integrity``) passes ``check_later`` to open at once. A file
        found damaged that way is marked, and its next opening checks it first and moves it aside
        (desktop/history/opening.py).
        """
        return open_history(cls, path, check_later)

    def check_integrity(self) -> str:
        """Return what SQLite's check finds wrong with the file ("" if nothing); mark a damaged file.

        Meant for a second handle (``reader``) in a background thread; the damaged file stays in use
        until the app closes, and is moved aside when it is next opened.
        """
        try:
            check_integrity(self._db)
            check_records(self._db)
        except sqlite3.Error as exc:
            if not is_damage(exc):
                raise self._read_error(exc) from exc
            check_marker(self.path).touch()
            return str(exc)
        return ""

    @classmethod
    def reader(cls, path: Path) -> ObservationStore:
        """Return another handle on a history already opened (no check, no migration), e.g. for a thread."""
        try:
            return cls(Path(path), connect(Path(path)))
        except sqlite3.Error as exc:
            raise open_error(Path(path), exc) from exc

    def connect(self) -> sqlite3.Connection:
        """Return a new connection to the same file with the store's pragmas (for the sync module)."""
        try:
            return connect(self.path)
        except sqlite3.Error as exc:
            raise open_error(self.path, exc) from exc

    def close(self) -> None:
        """Close the connection; the store cannot be used afterwards."""
        self._db.close()
        if self.read_only_reason:
            snapshot = SNAPSHOTS.pop(self.path, None)
            if snapshot is not None:
                shutil.rmtree(snapshot.parent, ignore_errors=True)

    def __enter__(self) -> ObservationStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ----------------------------------------------------------------- writing
    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run several writes as one all-or-nothing transaction, committed (fsync'd) on exit."""
        if self.read_only_reason:
            folder = self.read_only_cause is ReadOnlyCause.FOLDER
            problem = StoreProblem.READ_ONLY_FOLDER if folder else StoreProblem.READ_ONLY_FILE
            raise StoreError(f"nothing can be saved: {self.read_only_reason}", problem, path=self.path)
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise self._write_error(exc) from exc
        try:
            yield self._db
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
            raise
        try:
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
            raise self._write_error(exc) from exc

    def add(self, obs: Observation) -> None:
        """Save one observation; it is on disk when this returns."""
        self.add_many([obs])

    def add_many(self, observations: list[Observation]) -> None:
        """Save several observations in one transaction: all of them or none."""
        self.add_all([observations])

    def add_all(self, batches: Iterable[list[Observation]]) -> int:
        """Save batches of observations, read lazily, in ONE transaction: all of them or none.

        An exception raised while the batches are produced (a bad row further down a file) rolls back
        everything saved so far. Returns how many were saved.
        """
        return self.add_rows(ObservationRows.of(batch) for batch in batches)

    def add_rows(self, batches: Iterable[ObservationRows]) -> int:
        """Save batches of ready rows as ``add_all`` saves observations: one transaction, all or none."""
        cache_size = int(self._db.execute("PRAGMA cache_size").fetchone()[0])
        try:
            return self._add_batches(batches)
        finally:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute(f"PRAGMA cache_size = {cache_size}")  # a large save raises it

    def _add_batches(self, batches: Iterable[ObservationRows]) -> int:
        saved = 0
        with self.transaction() as db:
            bulk: BulkInsert | None = None
            for batch in batches:
                try:
                    if bulk is None and len(batch) >= BULK_SAVE_ROWS:
                        bulk = BulkInsert.begin(db)
                    db.executemany(INSERT_SQL, batch.rows)
                except sqlite3.IntegrityError as exc:
                    raise StoreError(
                        f"an observation with the same id is already saved ({exc})",
                        StoreProblem.ALREADY_SAVED,
                    ) from exc
                except sqlite3.Error as exc:
                    raise self._write_error(exc) from exc
                saved += len(batch)
            if bulk is not None:
                try:
                    bulk.finish(db)
                except sqlite3.Error as exc:
                    raise self._write_error(exc) from exc
        return saved

    def add_missing(self, observations: list[Observation]) -> int:
        """Save in one transaction the observations whose id the history lacks; return how many."""
        ids = [o.id for o in observations]
        present: set[str] = set()
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            sql = f"SELECT id FROM observations WHERE id IN ({', '.join('?' * len(chunk))})"
            present.update(r[0] for r in self._read_all(sql, tuple(chunk)))
        missing = [o for o in observations if o.id not in present]
        if missing:
            self.add_many(missing)
        return len(missing)

    def import_rows(
        self,
        rows: Sequence[Row],
        *,
        update: bool = False,
        with_new: Callable[[sqlite3.Connection, Sequence[Row]], None] | None = None,
    ) -> ImportOutcome:
        """Save an export's rows in one transaction: new ids added, same rows skipped, differing ones told.

        A row whose id is here with other content is left as it is, unless ``update``: then the one edited
        last (the newer ``updated_at``) is kept. ``with_new`` writes what else the new rows bring into the
        same transaction (the sync enters how far a row had begun to sync: stage, failure, run;
        desktop/sync/imported_runs.py).
        """
        stored = self._stored(row.observation.id for row in rows)
        outcome = ImportOutcome()
        new: list[Row] = []
        replaced: list[Observation] = []
        for row in rows:
            obs = row.observation
            here = stored.get(obs.id)
            if here is None:
                new.append(row)
            elif same_content(here, obs):
                outcome.same += 1
            elif update and obs.updated_at > here.updated_at:
                replaced.append(obs)
            else:
                outcome.differing.append((obs.id, here.updated_at >= obs.updated_at))

        def batches() -> Iterator[ObservationRows]:
            """Yield the new rows; then, in the same transaction, their sync and the replacements."""
            for start in range(0, len(new), BULK_SAVE_ROWS):
                yield ObservationRows.of(row.observation for row in new[start : start + BULK_SAVE_ROWS])
            if with_new is not None:
                try:
                    with_new(self._db, new)
                except sqlite3.Error as exc:
                    raise self._write_error(exc) from exc
            for obs in replaced:
                self._run(self._db, REPLACE_SQL, replacing_params(obs))

        outcome.added = self.add_rows(batches())  # one transaction: all of it or nothing
        outcome.updated = [obs.id for obs in replaced]
        return outcome

    def _stored(self, ids: Iterable[str]) -> dict[str, Observation]:
        wanted = list(ids)
        found: dict[str, Observation] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            sql = f"SELECT {COLUMNS} FROM observations WHERE id IN ({', '.join('?' * len(chunk))})"
            found.update((o.id, o) for o in rows_to_observations(self._read_all(sql, tuple(chunk))))
        return found

    def read_one(self, sql: str, params: tuple[Any, ...]) -> sqlite3.Row | None:
        """Return the first row of a read (for the packages that keep tables in the file: sync, export)."""
        return self._read_one(sql, params)

    def confirm_species(self, id: str, species: str | None) -> None:
        """Record the species the user confirmed or corrected (``None`` or "" clears it)."""
        value = species.strip() if species else None
        self._edit(id, "confirmed_species = ?", (value or None,))

    def set_note(self, id: str, note: str) -> None:
        """Replace the note of an observation."""
        self._edit(id, "note = ?", (note.strip(),))

    def delete(self, id: str) -> None:
        """Hide an observation from the history (soft delete: the row stays, nothing leaves the server)."""
        self._update(id, "deleted = 1, deleted_at = ?", (utc_now(),))

    def undelete(self, id: str) -> None:
        """Bring a deleted observation back into the history, exactly as it was."""
        self._update(id, "deleted = 0, deleted_at = NULL", ())

    def undelete_many(self, ids: Iterable[str]) -> int:
        """Bring deleted observations back, all in one transaction; return how many came back.

        Each comes back exactly as it was (id, times, confirmation, note); its sync progress was never
        touched by the delete. An id that is not deleted (or not there) is passed over.
        """
        wanted = list(dict.fromkeys(ids))
        restored = 0
        with self.transaction() as db:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                sql = (
                    "UPDATE observations SET deleted = 0, deleted_at = NULL "
                    f"WHERE deleted = 1 AND id IN ({', '.join('?' * len(chunk))})"
                )
                restored += self._run(db, sql, tuple(chunk)).rowcount
        return restored

    def recently_deleted(self, limit: int = RECENTLY_DELETED_SHOWN) -> list[DeletedObservation]:
        """Return the observations deleted most recently with when each was, the last deleted first."""
        sql = (
            f"SELECT {COLUMNS}, deleted_at FROM observations WHERE deleted = 1 "
            "ORDER BY deleted_at IS NULL, deleted_at DESC, rowid DESC LIMIT ?"
        )
        return [
            DeletedObservation(row_to_observation(r), r["deleted_at"])
            for r in self._read_all(sql, (int(limit),))
        ]

    def count_deleted(self) -> int:
        """Return how many observations are deleted (kept hidden, each can be brought back)."""
        return int(self._read_one("SELECT COUNT(*) FROM observations WHERE deleted = 1", ())[0])

    def _edit(self, id: str, assignment: str, params: tuple[Any, ...]) -> None:
        """Apply a user edit and move ``updated_at`` strictly forward, even if the clock went back."""
        with self.transaction() as db:
            row = db.execute("SELECT updated_at FROM observations WHERE id = ?", (id,)).fetchone()
            if row is None:
                raise _no_such_observation(id)
            now = utc_now()
            with contextlib.suppress(ValueError, TypeError, OverflowError):  # a stored text that is no time
                previous = datetime.fromisoformat(row["updated_at"])
                if datetime.fromisoformat(now) <= previous:
                    now = iso_utc(previous + timedelta(microseconds=1))
            self._run(
                db, f"UPDATE observations SET {assignment}, updated_at = ? WHERE id = ?", (*params, now, id)
            )

    def _update(self, id: str, assignment: str, params: tuple[Any, ...]) -> None:
        with self.transaction() as db:
            cursor = self._run(db, f"UPDATE observations SET {assignment} WHERE id = ?", (*params, id))
            if cursor.rowcount == 0:
                raise _no_such_observation(id)

    def _run(self, db: sqlite3.Connection, sql: str, params: tuple[Any, ...]) -> sqlite3.Cursor:
        try:
            return db.execute(sql, params)
        except sqlite3.Error as exc:
            raise self._write_error(exc) from exc

    def _write_error(self, exc: sqlite3.Error) -> StoreError:
        return StoreError(
            f"the observation history {self.path} cannot be written ({exc})",
            StoreProblem.NOT_WRITTEN,
            path=self.path,
            detail=str(exc),
        )

    def _read_error(self, exc: sqlite3.Error) -> StoreError:
        """Return the words for a read that failed; damage it found is marked, salvaged at the next start.

        Such damage (a stored text that is not UTF-8, a record that does not decode) passes SQLite's
        checks, so an opening would not find it again by itself.
        """
        if is_damage(exc) or is_unreadable_text(exc):
            mark_damaged_on_read(self.path, str(exc))
            return StoreError(
                f"the observation history {self.path} is damaged: a saved observation cannot be read; "
                f"start Iris Field again to recover every observation still readable",
                StoreProblem.DAMAGED_ON_READ,
                path=self.path,
            )
        return StoreError(
            f"the observation history {self.path} cannot be read ({exc})",
            StoreProblem.NOT_READ,
            path=self.path,
            detail=str(exc),
        )

    # ----------------------------------------------------------------- reading
    def get(self, id: str) -> Observation | None:
        """Return one observation (deleted ones too), or ``None`` if there is none with that id."""
        row = self._read_one(f"SELECT {COLUMNS} FROM observations WHERE id = ?", (id,))
        return None if row is None else row_to_observation(row)

    def list(
        self, search: str = "", include_deleted: bool = False, *, limit: int | None = None
    ) -> list[Observation]:
        """Return observations newest first; ``search`` matches species, note, location and observer.

        Every word must appear (``LIKE``, case folded for ASCII). The full-text index narrows the rows
        first for words of three letters or more: it finds every row ``LIKE`` finds and maybe more, which
        ``LIKE`` then leaves out (a word over no row: 0.4 s, not 2.3 s, at 1,600,000 observations).
        """
        where = [] if include_deleted else ["deleted = 0"]
        params: list[Any] = []
        indexed = [word for word in search.split() if len(word) >= SHORTEST_SEARCHED_WORD]
        if indexed:
            where.append(f"rowid IN (SELECT rowid FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH ?)")
            params.append(match_expression(indexed))
        for word in search.split():
            pattern = f"%{_escape_like(word)}%"
            where.append(
                "(predicted_species LIKE ? ESCAPE '\\' OR IFNULL(confirmed_species, '') LIKE ? ESCAPE '\\'"
                " OR note LIKE ? ESCAPE '\\' OR location LIKE ? ESCAPE '\\' OR observer LIKE ? ESCAPE '\\')"
            )
            params.extend([pattern] * 5)
        sql = f"SELECT {COLUMNS} FROM observations"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY created_at DESC, rowid DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(int(limit))
        return rows_to_observations(self._read_all(sql, tuple(params)))

    def page(
        self, query: HistoryQuery, after: Cursor | None = None, size: int = 200
    ) -> tuple[list[Observation], Cursor | None]:
        """Return up to ``size`` observations ``query`` lists after ``after``, and the next page's cursor.

        The cursor is ``None`` when there is nothing after this page.
        """
        columns = ", ".join("o." + c.strip() for c in COLUMNS.split(","))
        rows: list[sqlite3.Row] = []
        for sql, params in page_statements(query, columns, after, size):
            rows.extend(self._read_all(sql, (*params[:-1], size - len(rows))))
            if len(rows) >= size:
                break
        cursor = Cursor(rows[-1]["sort_key"], rows[-1]["saved_position"]) if len(rows) == size else None
        return rows_to_observations(rows), cursor

    def iterate(self, query: HistoryQuery, page_size: int = 1000) -> Iterator[Observation]:
        """Yield every observation ``query`` lists, in its order, reading a page at a time."""
        cursor: Cursor | None = None
        while True:
            observations, cursor = self.page(query, cursor, page_size)
            yield from observations
            if cursor is None:
                return

    def iterate_pages(self, query: HistoryQuery, select: str, page_size: int = 5000) -> Iterator[list[tuple]]:
        """Yield pages of what ``query`` lists, in its order, as plain tuples of ``select`` (of ``o``).

        For exports: a page is a list of value tuples, never decoded into observations.
        """
        after: Cursor | None = None
        while True:
            rows: list[tuple] = []
            for sql, params in page_statements(query, select, after, page_size):
                rows.extend(self._read_all(sql, (*params[:-1], page_size - len(rows)), plain=True))
                if len(rows) >= page_size:
                    break
            if rows:
                yield [row[:-2] for row in rows]  # without the sort value and save position
            if len(rows) < page_size:
                return
            after = Cursor(rows[-1][-2], rows[-1][-1])

    def measured_names(self) -> tuple[list[str], list[str]]:
        """Return the measurement and class names the saved observations use, first model first.

        Every observation of one model has its card's names: one row per model is read, not the history.
        """
        features: dict[str, None] = {}
        classes: dict[str, None] = {}
        sql = (
            "SELECT measurements, probabilities FROM observations WHERE rowid IN "
            "(SELECT MIN(rowid) FROM observations GROUP BY model_sha256) ORDER BY rowid"
        )
        for measurements, probabilities in self._read_all(sql, ()):
            features.update(dict.fromkeys(json.loads(measurements)))
            classes.update(dict.fromkeys(json.loads(probabilities)))
        return list(features), list(classes)

    def count_matching(self, query: HistoryQuery) -> int:
        """Return how many observations ``query`` lists."""
        sql, params = count_statement(query)
        return int(self._read_one(sql, tuple(params))[0])

    def data_version(self) -> int:
        """Return a number that changes whenever another connection (a process, a window) commits."""
        return int(self._read_one("PRAGMA data_version", ())[0])

    def recent_duplicate(
        self, measurements: dict[str, float], within: timedelta, now: datetime | None = None
    ) -> Observation | None:
        """Return the newest observation saved less than ``within`` ago with exactly these measurements."""
        since = iso_utc((now or datetime.now(UTC)) - within)
        sql = (
            f"SELECT {COLUMNS} FROM observations WHERE deleted = 0 AND created_at >= ? "
            "ORDER BY created_at DESC"
        )
        for row in self._read_all(sql, (since,)):
            if json.loads(row["measurements"]) == measurements:
                return row_to_observation(row)
        return None

    def last_rowid(self) -> int:
        """Return the row number of the newest saved observation (0 when there is none)."""
        return int(self._read_one("SELECT IFNULL(MAX(rowid), 0) FROM observations", ())[0])

    def earlier_keys(self, up_to_rowid: int) -> EarlierKeys:
        """Return what the history holds up to row ``up_to_rowid``, to tell rows already saved (one scan).

        Use it inside the save's transaction, where nothing else writes (see ``EarlierKeys``).
        """
        import numpy as np

        sql = "SELECT measurements, note FROM observations WHERE +deleted = 0 AND rowid <= ?"
        cursor = self._query(sql, (up_to_rowid,), plain=True)
        parts = []
        while rows := cursor.fetchmany(50_000):
            parts.append(np.fromiter(map(hash, rows), dtype=np.int64, count=len(rows)))
        hashes = np.sort(np.concatenate(parts)) if parts else np.empty(0, dtype=np.int64)
        return EarlierKeys(self, up_to_rowid, hashes)

    def _saved_among(self, keys: set[tuple[str, str]], up_to_rowid: int) -> set[tuple[str, str]]:
        """Return which of ``keys`` (measurements JSON, note) rows up to ``up_to_rowid`` have, exactly."""
        found: set[tuple[str, str]] = set()
        texts = sorted({m for m, _ in keys})
        for start in range(0, len(texts), 500):
            chunk = texts[start : start + 500]
            rows = self._read_all(saved_keys_sql(len(chunk)), (up_to_rowid, *chunk))
            found.update((measurements, note) for measurements, note in rows)
        return found & keys

    def counts(self) -> dict[str, int]:
        """Return how many non-deleted observations are in each sync state (every state listed).

        One range of the sync-state index per state: half the work of grouping the whole index.
        """
        sql = (
            "SELECT COUNT(*) FROM observations INDEXED BY observations_by_sync_state "
            "WHERE deleted = 0 AND sync_state = ?"
        )
        return {state: int(self._read_one(sql, (state,))[0]) for state in SYNC_STATES}

    def _query(self, sql: str, params: tuple[Any, ...], *, plain: bool = False) -> sqlite3.Cursor:
        """Run a read whose rows the caller reads; ``plain`` rows are tuples instead of ``sqlite3.Row``."""
        try:
            if plain:
                cursor = self._db.cursor()
                cursor.row_factory = None
                return cursor.execute(sql, params)
            return self._db.execute(sql, params)
        except sqlite3.Error as exc:
            raise self._read_error(exc) from exc

    def _read_all(self, sql: str, params: tuple[Any, ...], *, plain: bool = False) -> list[Any]:
        """Run a read and return its rows; a row that cannot be read raises ``StoreError`` too."""
        try:
            return self._query(sql, params, plain=plain).fetchall()
        except sqlite3.Error as exc:
            raise self._read_error(exc) from exc

    def _read_one(self, sql: str, params: tuple[Any, ...]) -> Any:
        """Run a read and return its first row (None if there is none)."""
        try:
            return self._query(sql, params).fetchone()
        except sqlite3.Error as exc:
            raise self._read_error(exc) from exc


def _no_such_observation(id: str) -> StoreError:
    return StoreError(f"there is no saved observation with id {id}", StoreProblem.NO_SUCH_OBSERVATION, id=id)
