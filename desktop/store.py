"""The durable history of saved observations: one SQLite file, WAL, fsync on every commit."""

from __future__ import annotations

import contextlib
import functools
import json
import math
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.errors import InputError, IrisFieldError, StoreError, StoreProblem
from desktop.history_query import SEARCH_TABLE, Cursor, HistoryQuery, count_statement, page_statements
from desktop.history_salvage import (
    SOUND_OBSERVATION,
    DamagedHistory,
    ImageRefused,
    SalvageReport,
    begin_record,
    copy_history,
    copy_readable,
    finish_record,
    move_aside,
    rescue_schema,
    standing_salvage,
)
from desktop.model_delivery.release import ModelStamp, ShadowPrediction
from desktop.observation_extras import extras_json, extras_of
from desktop.observation_ids import new_observation_id
from desktop.paths import HOME_ENV, default_db_path
from desktop.sync.states import Stage, SyncState, sql_list, sync_state_sql

if TYPE_CHECKING:  # only for type hints: the store itself never needs the model
    from desktop.prediction.engine import Prediction
    from desktop.prediction.model_card import ModelCard
    from desktop.tables.history_import import ImportedRow, SyncedRun

SYNC_STATES = tuple(SyncState)
# How many deleted observations the "Recently deleted" view lists, the last deleted first.
RECENTLY_DELETED_SHOWN = 200
# Saving the very same measurements again within this time asks first (a second Ctrl+S by mistake).
DUPLICATE_WITHIN = timedelta(minutes=10)

# Schema steps, applied in order; PRAGMA user_version holds how many have run. Never edit or reorder a
# step that has shipped: append a new one. The sync module may append steps for its own tables.
MIGRATIONS: list[str] = [
    # 1: the observations themselves. Measurements and probabilities are JSON objects keyed by the
    # model card's feature and class names, so a model with other features needs no schema change.
    """
    CREATE TABLE observations (
        id                TEXT PRIMARY KEY,
        created_at        TEXT NOT NULL,
        updated_at        TEXT NOT NULL,
        measurements      TEXT NOT NULL,
        probabilities     TEXT NOT NULL,
        predicted_species TEXT NOT NULL,
        confidence        REAL NOT NULL,
        unusual           TEXT NOT NULL DEFAULT '[]',
        model_name        TEXT NOT NULL,
        model_version     TEXT NOT NULL,
        model_sha256      TEXT NOT NULL,
        observer          TEXT NOT NULL DEFAULT '',
        note              TEXT NOT NULL DEFAULT '',
        location          TEXT NOT NULL DEFAULT '',
        latitude          REAL,
        longitude         REAL,
        confirmed_species TEXT,
        sync_state        TEXT NOT NULL DEFAULT 'pending',
        sync_error        TEXT NOT NULL DEFAULT '',
        deleted           INTEGER NOT NULL DEFAULT 0
    );
    """,
    # 2: the history pane lists newest first and the status bar counts by sync state.
    """
    CREATE INDEX observations_by_created ON observations (deleted, created_at);
    CREATE INDEX observations_by_sync_state ON observations (deleted, sync_state);
    """,
    # 3 (owned by desktop/sync/outbox.py): the sync outbox, one row per observation with its stage on the
    # way to the MLflow server, and the lease that lets one sync worker at a time work on this file.
    f"""
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
    """,
    # 4: the joint unusual-flower check (desktop/prediction/unusual.py): its distance, and whether it
    # flagged the flower.
    """
    ALTER TABLE observations ADD COLUMN outlier INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE observations ADD COLUMN outlier_score REAL;
    """,
    # 5: a million observations. A trigram full-text index finds any part of a word (as LIKE did) without
    # reading every row; it holds no copy of the text (content='') and triggers keep it in step. The species
    # a row shows is indexed so the history pane filters and sorts by it in one index range. The words and
    # the species expression must stay as desktop/history_query.py writes them.
    """
    CREATE VIRTUAL TABLE observations_search USING fts5(words, content='', tokenize='trigram');
    INSERT INTO observations_search (rowid, words) SELECT rowid,
            o.predicted_species || ' ' || IFNULL(o.confirmed_species, '') || ' ' || o.note
            || ' ' || o.location || ' ' || o.observer
        FROM observations o;
    CREATE TRIGGER observations_search_insert AFTER INSERT ON observations BEGIN
        INSERT INTO observations_search (rowid, words) VALUES (new.rowid,
            new.predicted_species || ' ' || IFNULL(new.confirmed_species, '') || ' ' || new.note
            || ' ' || new.location || ' ' || new.observer);
    END;
    CREATE TRIGGER observations_search_update
    AFTER UPDATE OF predicted_species, confirmed_species, note, location, observer ON observations BEGIN
        INSERT INTO observations_search (observations_search, rowid, words) VALUES ('delete', old.rowid,
            old.predicted_species || ' ' || IFNULL(old.confirmed_species, '') || ' ' || old.note
            || ' ' || old.location || ' ' || old.observer);
        INSERT INTO observations_search (rowid, words) VALUES (new.rowid,
            new.predicted_species || ' ' || IFNULL(new.confirmed_species, '') || ' ' || new.note
            || ' ' || new.location || ' ' || new.observer);
    END;
    CREATE TRIGGER observations_search_delete AFTER DELETE ON observations BEGIN
        INSERT INTO observations_search (observations_search, rowid, words) VALUES ('delete', old.rowid,
            old.predicted_species || ' ' || IFNULL(old.confirmed_species, '') || ' ' || old.note
            || ' ' || old.location || ' ' || old.observer);
    END;
    CREATE INDEX observations_by_species
        ON observations (deleted, IFNULL(confirmed_species, predicted_species));
    """,
    # 6 (model delivery): the release that predicted (registry and sequence beside name, version and
    # sha256), and the challenger's shadow prediction as JSON (NULL when no challenger ran).
    """
    ALTER TABLE observations ADD COLUMN model_registry TEXT NOT NULL DEFAULT '';
    ALTER TABLE observations ADD COLUMN model_sequence INTEGER;
    ALTER TABLE observations ADD COLUMN challenger TEXT;
    """,
    # 7 (desktop/sync): the sync state a row shows is derived from its outbox row by the database itself:
    # no code writes observations.sync_state/sync_error any more; triggers set them in the same transaction
    # as every outbox write, so they can never drift (the column stays for migration 2's index, which the
    # history pane pages a million rows by). A row whose create was in doubt says when to look for a
    # second run (reconcile_after).
    f"""
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
    """,
    # 8: when an observation was deleted, so the window can list the recently deleted and undo a delete.
    """
    ALTER TABLE observations ADD COLUMN deleted_at TEXT;
    """,
    # 9: the contract's fields without a column of their own (desktop/observation_extras.py), as one JSON
    # object by field name: a field added to contract/observation.py needs no migration.
    """
    ALTER TABLE observations ADD COLUMN extras TEXT NOT NULL DEFAULT '{}';
    """,
]

_COLUMNS = (
    "id, created_at, updated_at, measurements, probabilities, predicted_species, confidence, unusual, "
    "model_name, model_version, model_sha256, observer, note, location, latitude, longitude, "
    "confirmed_species, sync_state, sync_error, deleted, outlier, outlier_score, "
    "model_registry, model_sequence, challenger, extras"
)
_COLUMN_NAMES = tuple(c.strip() for c in _COLUMNS.split(","))
_COLUMN_COUNT = len(_COLUMN_NAMES)

# Histories up to this size are checked before they are used (about 6,000 observations, ~10 ms: the
# check reads every page, ~2 ms per MB here); the window checks longer ones in the background.
CHECK_AT_OPEN_BYTES = 4 * 1024 * 1024

# SQLite's primary result codes for "this is not (or no longer) a database".
_SQLITE_CORRUPT = 11
_SQLITE_NOTADB = 26


def utc_now() -> str:
    """Return the current UTC time as ISO-8601 with microseconds and offset."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("a naive datetime has no time zone; pass an aware one")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class Observation:
    """One saved flower: what was measured, what the model said, and what the user added."""

    id: str
    created_at: str
    measurements: dict[str, float]
    probabilities: dict[str, float]
    predicted_species: str
    confidence: float
    unusual: tuple[str, ...]
    model_name: str
    model_version: str
    model_sha256: str
    observer: str = ""
    note: str = ""
    location: str = ""
    latitude: float | None = None
    longitude: float | None = None
    confirmed_species: str | None = None
    updated_at: str = ""
    sync_state: str = SyncState.PENDING  # derived from the sync outbox by the database; never written
    sync_error: str = ""
    deleted: bool = False
    outlier: bool = False  # unlike any flower the model was trained on (the joint check flagged it)
    outlier_score: float | None = None  # its distance to the nearest species; None before the check
    model_registry: str = ""  # the lab registry of the release that predicted ("" for an unsigned model)
    model_sequence: int | None = None  # that release's sequence number in its registry
    challenger: ShadowPrediction | None = None  # the challenger's answer, when one ran in shadow
    # The contract's fields without an attribute here, by name (desktop/observation_extras.py).
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def model_stamp(self) -> ModelStamp:
        """Return the release that predicted this observation."""
        return ModelStamp(
            self.model_registry, self.model_name, self.model_version, self.model_sha256, self.model_sequence
        )

    @property
    def species(self) -> str:
        """Return the confirmed species if the user gave one, else the predicted one."""
        return self.confirmed_species or self.predicted_species

    @classmethod
    def from_prediction(
        cls,
        prediction: Prediction,
        card: ModelCard,
        *,
        observer: str = "",
        note: str = "",
        location: str = "",
        latitude: float | None = None,
        longitude: float | None = None,
        now: datetime | None = None,
        stamp: ModelStamp | None = None,
        challenger: ShadowPrediction | None = None,
    ) -> Observation:
        """Build a new observation (new time-ordered id, UTC time) from a prediction of the model on ``card``.

        ``stamp`` names the signed release that predicted (registry, sequence); ``challenger`` is the
        shadow model's answer for the same flower.
        """
        _check_coordinate("latitude", latitude, 90.0)
        _check_coordinate("longitude", longitude, 180.0)
        created = utc_now() if now is None else _iso(now)
        return cls(
            id=new_observation_id(),
            created_at=created,
            measurements={n: float(v) for n, v in zip(card.feature_names, prediction.values, strict=True)},
            probabilities={str(k): float(v) for k, v in prediction.probabilities.items()},
            predicted_species=prediction.species,
            confidence=float(prediction.confidence),
            unusual=tuple(prediction.unusual),
            model_name=card.model_name,
            model_version=card.model_version,
            model_sha256=card.sha256,
            observer=observer.strip(),
            note=note.strip(),
            location=location.strip(),
            latitude=None if latitude is None else float(latitude),
            longitude=None if longitude is None else float(longitude),
            updated_at=created,
            outlier=prediction.unlike_training,
            outlier_score=None if prediction.outlier is None else float(prediction.outlier.score),
            model_registry=stamp.registry if stamp else "",
            model_sequence=stamp.sequence if stamp else None,
            challenger=challenger,
        )


@dataclass(frozen=True)
class DeletedObservation:
    """An observation hidden by a delete, and when it was deleted (None if a salvage lost that time)."""

    observation: Observation
    deleted_at: str | None


def _check_coordinate(name: str, value: float | None, limit: float) -> None:
    if value is None:
        return
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a number, not {value!r}") from None
    if not math.isfinite(number) or not -limit <= number <= limit:
        raise InputError(f"{name} must lie between -{limit:g} and {limit:g}, not {value!r}")


def _row_to_observation(row: sqlite3.Row) -> Observation:
    """Decode a row that has the store's columns, whatever it selected besides and in which order."""
    return _observation_of(tuple(row[name] for name in _COLUMN_NAMES))


def _rows_to_observations(rows: list[sqlite3.Row]) -> list[Observation]:
    """Decode rows of one query; when it selected the store's columns first, by position (a page is fast)."""
    if rows and tuple(rows[0].keys()[:_COLUMN_COUNT]) == _COLUMN_NAMES:
        return [_observation_of(row[:_COLUMN_COUNT]) for row in rows]
    return [_row_to_observation(row) for row in rows]


@functools.lru_cache(maxsize=1024)
def _unusual(text: str) -> tuple[str, ...]:
    """Return the unusual measurements stored as JSON (a handful of texts: each decoded once)."""
    return tuple(json.loads(text))


def _observation_of(values: tuple[Any, ...]) -> Observation:
    """Decode the store's columns, in ``_COLUMNS`` order."""
    (
        id, created_at, updated_at, measurements, probabilities, predicted_species, confidence, unusual,
        model_name, model_version, model_sha256, observer, note, location, latitude, longitude,
        confirmed_species, sync_state, sync_error, deleted, outlier, outlier_score,
        model_registry, model_sequence, challenger, extras,
    ) = values  # fmt: skip
    return Observation(
        id=id,
        created_at=created_at,
        updated_at=updated_at,
        measurements=json.loads(measurements),
        probabilities=json.loads(probabilities),
        predicted_species=predicted_species,
        confidence=confidence,
        unusual=_unusual(unusual),
        model_name=model_name,
        model_version=model_version,
        model_sha256=model_sha256,
        observer=observer,
        note=note,
        location=location,
        latitude=latitude,
        longitude=longitude,
        confirmed_species=confirmed_species,
        sync_state=sync_state,
        sync_error=sync_error,
        deleted=bool(deleted),
        outlier=bool(outlier),
        outlier_score=outlier_score,
        model_registry=model_registry,
        model_sequence=model_sequence,
        challenger=_shadow(challenger),
        extras=extras_of(extras),
    )


def _shadow(text: str | None) -> ShadowPrediction | None:
    """Return the stored shadow prediction; an unreadable one reads as none (it never hides the row)."""
    if not text:
        return None
    try:
        return ShadowPrediction.from_dict(json.loads(text))
    except (ValueError, TypeError, AttributeError):
        return None


def _observation_params(obs: Observation) -> tuple[Any, ...]:
    return (
        obs.id,
        obs.created_at,
        obs.updated_at or obs.created_at,
        json.dumps(obs.measurements),
        json.dumps(obs.probabilities),
        obs.predicted_species,
        float(obs.confidence),
        json.dumps(list(obs.unusual)),
        obs.model_name,
        obs.model_version,
        obs.model_sha256,
        obs.observer,
        obs.note,
        obs.location,
        obs.latitude,
        obs.longitude,
        obs.confirmed_species,
        SyncState.PENDING,  # what a row shows of its sync comes from the sync outbox (migration 7)
        "",
        int(obs.deleted),
        int(obs.outlier),
        obs.outlier_score,
        obs.model_registry,
        obs.model_sequence,
        json.dumps(obs.challenger.to_dict()) if obs.challenger else None,
        extras_json(obs.extras),
    )


@dataclass(frozen=True)
class ObservationRows:
    """Observations ready to insert: one tuple of the store's columns (``STORE_COLUMNS`` order) each.

    A CSV batch builds these straight from its arrays (``desktop/tables/predicted_rows.py``): a million rows
    never become a million ``Observation`` objects on the way in.
    """

    rows: list[tuple[Any, ...]]

    @classmethod
    def of(cls, observations: Iterable[Observation]) -> ObservationRows:
        """Return the rows that save ``observations``."""
        return cls([_observation_params(o) for o in observations])

    def __len__(self) -> int:
        return len(self.rows)

    def ids(self) -> list[str]:
        """Return each row's observation id."""
        return [row[_ID_AT] for row in self.rows]

    def duplicate_keys(self) -> list[tuple[str, str]]:
        """Return each row's (measurements JSON, note): what makes it a duplicate of a saved row."""
        return [(row[_MEASUREMENTS_AT], row[_NOTE_AT]) for row in self.rows]


@dataclass(frozen=True)
class EarlierKeys:
    """What a history held when a save began, to tell which new rows it already has: 8 bytes a row.

    The hash of each earlier row's (measurements JSON, note), sorted; a new row whose hash is among
    them is looked up exactly. One scan of the history per save instead of one per chunk and 500
    measurements (100,000 rows into a history of a million took 55 s). Valid in the save's transaction.
    """

    store: ObservationStore
    up_to_rowid: int
    hashes: Any  # numpy int64 array, sorted

    def positions(self, batch: ObservationRows) -> list[int]:
        """Return the positions (from 1) of rows whose measurements and note are already saved."""
        import numpy as np

        if self.up_to_rowid == 0 or not len(batch):
            return []  # the history was empty: nothing can be there already
        keys = batch.duplicate_keys()
        hashes = np.fromiter(map(hash, keys), dtype=np.int64, count=len(keys))
        at = np.searchsorted(self.hashes, hashes).clip(max=max(len(self.hashes) - 1, 0))
        maybe = self.hashes[at] == hashes if len(self.hashes) else np.zeros(len(keys), dtype=bool)
        if not maybe.any():
            return []
        candidates = {keys[i] for i in np.flatnonzero(maybe).tolist()}
        found = self.store._saved_among(candidates, self.up_to_rowid)
        return [i for i, key in enumerate(keys, 1) if key in found]


STORE_COLUMNS = _COLUMN_NAMES
EXTRAS_COLUMN = "extras"  # migration 9's JSON object of the observation's extras
# Replaces what an import brings of an observation (never the sync state, which its outbox row gives).
_REPLACED = tuple(c for c in _COLUMN_NAMES if c not in ("id", "sync_state", "sync_error"))
_REPLACE = f"UPDATE observations SET {', '.join(f'{c} = ?' for c in _REPLACED)} WHERE id = ?"


def _replacing_params(obs: Observation) -> tuple[Any, ...]:
    """Return the ``_REPLACE`` parameters that make the stored row ``obs``."""
    by_name = dict(zip(_COLUMN_NAMES, _observation_params(obs), strict=True))
    return (*(by_name[c] for c in _REPLACED), obs.id)


@dataclass
class ImportOutcome:
    """What an import did: rows added, rows already here as they are, rows updated, rows that differ."""

    added: int = 0
    same: int = 0
    updated: list[str] = field(default_factory=list)
    differing: list[tuple[str, bool]] = field(default_factory=list)  # (id, the history's is newer)


# What makes an imported observation the one already here: every field but the derived sync state.
_COMPARED = tuple(f.name for f in fields(Observation) if f.name not in ("sync_state", "sync_error"))


def _same_content(here: Observation, imported: Observation) -> bool:
    """Tell whether an imported observation is the one already here (its sync state aside)."""
    return all(getattr(here, name) == getattr(imported, name) for name in _COMPARED)


_ID_AT, _MEASUREMENTS_AT, _NOTE_AT = (_COLUMN_NAMES.index(c) for c in ("id", "measurements", "note"))
_INSERT = f"INSERT INTO observations ({_COLUMNS}) VALUES ({', '.join('?' * _COLUMN_COUNT)})"

# A save of this many rows at once (a CSV) does the work of two row-by-row insert triggers in one
# statement each at the end of its transaction: filling the search index (about half the cost of the
# insert) and copying an outbox row's sync state (a trigger run per row, ~9 µs, twice the insert itself).
BULK_SAVE_ROWS = 1000
BULK_SAVE_CACHE_KB = 32 * 1024  # within the 300 MB a million-row save may take
SEARCH_INSERT_TRIGGER = "observations_search_insert"
SYNC_STATE_INSERT_TRIGGER = "sync_state_on_save"
# The words migration 5 indexes of row ``{row}`` (its trigger says the same of ``new``; a test compares).
SEARCH_WORDS = (
    "{row}.predicted_species || ' ' || IFNULL({row}.confirmed_species, '') || ' ' || {row}.note\n"
    "            || ' ' || {row}.location || ' ' || {row}.observer"
)
# What migration 7's sync_state_on_save does for each new row, for all rows after ``?`` at once.
_SYNC_STATE_OF_NEW_ROWS = f"""
    UPDATE observations SET
        sync_state = (SELECT {sync_state_sql()} FROM sync_outbox WHERE observation_id = observations.id),
        sync_error = (SELECT failure FROM sync_outbox WHERE observation_id = observations.id)
    WHERE rowid > ? AND EXISTS (SELECT 1 FROM sync_outbox WHERE observation_id = observations.id)
"""


@dataclass(frozen=True)
class _BulkInsert:
    """The insert triggers' work for a large save, done once the rows are in, inside the save's transaction.

    The row-by-row triggers are dropped and put back (as the file had them) before the commit, so another
    connection never sees them missing, and a rollback or a killed process brings them back too.
    """

    trigger_sql: dict[str, str]  # name -> CREATE statement, of the triggers the file has
    after_rowid: int  # rows saved from here on are indexed at the end

    @classmethod
    def begin(cls, db: sqlite3.Connection) -> _BulkInsert:
        """Take the triggers out of the open transaction and note where the new rows start.

        The page cache grows for the save (the caller puts it back): SQLite's default 2 MB cache
        spills and rereads the pages of five indexes again and again (1.5x slower at 400,000 rows).
        """
        db.execute(f"PRAGMA cache_size = -{BULK_SAVE_CACHE_KB}")
        names = (SEARCH_INSERT_TRIGGER, SYNC_STATE_INSERT_TRIGGER)
        found = db.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN (?, ?)", names
        ).fetchall()
        after = int(db.execute("SELECT IFNULL(MAX(rowid), 0) FROM observations").fetchone()[0])
        for name, _sql in found:  # a file without one does none of its work on insert: nor does this
            db.execute(f"DROP TRIGGER {name}")
        return cls({name: sql for name, sql in found}, after)

    def finish(self, db: sqlite3.Connection) -> None:
        """Do the dropped triggers' work for every row saved since ``begin`` and put them back."""
        if SEARCH_INSERT_TRIGGER in self.trigger_sql:
            db.execute(
                f"INSERT INTO {SEARCH_TABLE} (rowid, words) SELECT o.rowid, {SEARCH_WORDS.format(row='o')}"
                " FROM observations o WHERE o.rowid > ?",
                (self.after_rowid,),
            )
        if SYNC_STATE_INSERT_TRIGGER in self.trigger_sql:
            db.execute(_SYNC_STATE_OF_NEW_ROWS, (self.after_rowid,))
        for sql in self.trigger_sql.values():
            db.execute(sql)


def _is_damage(exc: sqlite3.Error) -> bool:
    """Tell whether SQLite says the file itself is damaged (as opposed to locked, read-only, full…)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (_SQLITE_CORRUPT, _SQLITE_NOTADB)
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class StoreDamagedError(StoreError):
    """The history file was damaged and has been renamed aside; ``moved_to`` says where."""

    def __init__(self, message: str, moved_to: Path | None, problem: StoreProblem, **facts: object):
        super().__init__(message, problem, **facts)
        self.moved_to = moved_to


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
        _refuse_non_file(path)
        cause = read_only_cause(path)
        if cause is not None and path.exists():
            return cls._open_read_only(path, cause)
        standing = standing_salvage(path)
        if standing is not None and standing[1] is None:
            return cls._salvage_from(path, standing[0])  # a salvage that did not finish: take it up again
        store = cls._open_writable(path, check_later)
        if standing is not None and store.salvaged is None:
            store.salvaged = standing[1]  # it found nothing: said at every start until the file is moved
        return store

    @classmethod
    def _open_writable(cls, path: Path, check_later: bool) -> ObservationStore:
        """Open a history that may be written: check, migrate, salvage it if it is damaged."""
        _repair_companions(path)
        connection: sqlite3.Connection | None = None
        try:
            connection = _connect(path)
            marker = _check_marker(path)
            checking = not check_later or marker.exists() or _size(path) <= CHECK_AT_OPEN_BYTES
            if checking:
                _check_integrity(connection)
            _migrate(connection, path)
            if checking:
                _check_records(connection)
                marker.unlink(missing_ok=True)
        except UnicodeDecodeError as exc:  # text SQLite hands back from a damaged page
            if connection is not None:
                connection.close()
            return cls._salvage(path, sqlite3.DatabaseError(f"database disk image is malformed ({exc})"))
        except sqlite3.Error as exc:
            if connection is not None:
                connection.close()
            if _is_damage(exc):
                return cls._salvage(path, exc)
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

    def check_integrity(self) -> str:
        """Return what SQLite's check finds wrong with the file ("" if nothing); mark a damaged file.

        Meant for a second handle (``reader``) in a background thread; the damaged file stays in use
        until the app closes, and is moved aside when it is next opened.
        """
        try:
            _check_integrity(self._db)
            _check_records(self._db)
        except sqlite3.Error as exc:
            if not _is_damage(exc):
                raise self._read_error(exc) from exc
            _check_marker(self.path).touch()
            return str(exc)
        return ""

    @classmethod
    def reader(cls, path: Path) -> ObservationStore:
        """Return another handle on a history already opened (no check, no migration), e.g. for a thread."""
        try:
            return cls(Path(path), _connect(Path(path)))
        except sqlite3.Error as exc:
            raise _open_error(Path(path), exc) from exc

    @classmethod
    def _open_read_only(cls, path: Path, cause: ReadOnlyCause) -> ObservationStore:
        """Open a history that may not be written: browse and export a private snapshot, refuse saving.

        SQLite cannot read a write-ahead-logged file in a read-only folder without creating its -shm
        index there, so the file and its log are copied to a private folder, opened (and migrated) there.
        """
        reason = read_only_reason(path, cause)
        snapshot = Path(tempfile.mkdtemp(prefix="iris-field-read-only-"))
        try:
            copy = copy_history(path, snapshot)
            connection = _connect(copy)
            _migrate(connection, path)
        except (OSError, sqlite3.Error) as exc:
            shutil.rmtree(snapshot, ignore_errors=True)
            detail = exc.strerror if isinstance(exc, OSError) else str(exc)
            raise StoreError(
                f"the observation history {path} cannot be read ({detail}); {reason}",
                StoreProblem.NOT_READ,
                path=path,
                detail=detail,
            ) from exc
        _SNAPSHOTS[path] = copy
        store = cls(path, connection)
        store.read_only_cause = cause
        store.read_only_reason = reason
        return store

    @classmethod
    def _salvage(cls, path: Path, damage: sqlite3.Error) -> ObservationStore:
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
        _check_marker(path).unlink(missing_ok=True)
        return cls._salvage_from(path, aside)

    @classmethod
    def _salvage_from(cls, path: Path, aside: Path) -> ObservationStore:
        """Copy every readable observation of the damaged file ``aside`` into the history at ``path``."""
        store: ObservationStore | None = None
        try:
            store = cls._open_writable(path, check_later=False)
            with DamagedHistory(aside, _schema_of(store._db)) as damaged:
                report = SalvageReport(*_refill(store, damaged), aside)
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

    def connect(self) -> sqlite3.Connection:
        """Return a new connection to the same file with the store's pragmas (for the sync module)."""
        try:
            return _connect(self.path)
        except sqlite3.Error as exc:
            raise _open_error(self.path, exc) from exc

    def close(self) -> None:
        """Close the connection; the store cannot be used afterwards."""
        self._db.close()
        if self.read_only_reason:
            snapshot = _SNAPSHOTS.pop(self.path, None)
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
            bulk: _BulkInsert | None = None
            for batch in batches:
                try:
                    if bulk is None and len(batch) >= BULK_SAVE_ROWS:
                        bulk = _BulkInsert.begin(db)
                    db.executemany(_INSERT, batch.rows)
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
            present.update(r[0] for r in self._query(sql, tuple(chunk)).fetchall())
        missing = [o for o in observations if o.id not in present]
        if missing:
            self.add_many(missing)
        return len(missing)

    def import_rows(self, rows: Sequence[ImportedRow], *, update: bool = False) -> ImportOutcome:
        """Save an export's rows in one transaction: new ids added, same rows skipped, differing ones told.

        A row whose id is here with other content is left as it is, unless ``update``: then the one edited
        last (the newer ``updated_at``) is kept. A row that had begun to sync comes with its progress (stage,
        failure, run): it is saved syncing, failed or synced as it was.
        """
        stored = self._stored(row.observation.id for row in rows)
        outcome = ImportOutcome()
        new: list[ImportedRow] = []
        replaced: list[Observation] = []
        for row in rows:
            obs = row.observation
            here = stored.get(obs.id)
            if here is None:
                new.append(row)
            elif _same_content(here, obs):
                outcome.same += 1
            elif update and obs.updated_at > here.updated_at:
                replaced.append(obs)
            else:
                outcome.differing.append((obs.id, here.updated_at >= obs.updated_at))

        def batches() -> Iterator[ObservationRows]:
            """Yield the new rows; then, in the same transaction, their sync and the replacements."""
            for start in range(0, len(new), BULK_SAVE_ROWS):
                yield ObservationRows.of(row.observation for row in new[start : start + BULK_SAVE_ROWS])
            for row in new:
                self._enter_synced(self._db, row.observation.id, row.synced_run)
            for obs in replaced:
                self._run(self._db, _REPLACE, _replacing_params(obs))

        outcome.added = self.add_rows(batches())  # one transaction: all of it or nothing
        outcome.updated = [obs.id for obs in replaced]
        return outcome

    def _stored(self, ids: Iterable[str]) -> dict[str, Observation]:
        wanted = list(ids)
        found: dict[str, Observation] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            sql = f"SELECT {_COLUMNS} FROM observations WHERE id IN ({', '.join('?' * len(chunk))})"
            found.update((o.id, o) for o in _rows_to_observations(self._query(sql, tuple(chunk)).fetchall()))
        return found

    def _enter_synced(self, db: sqlite3.Connection, id: str, run: SyncedRun | None) -> None:
        """Record how far an imported observation got (its outbox row: stage, failure, run) if it started."""
        if run is None:
            return
        self._run(
            db,
            "INSERT INTO sync_outbox (observation_id, stage, tracking_uri, experiment_name, experiment_id,"
            " run_id, pushed_updated_at, failure, failure_kind, changed_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (id, run.stage, run.tracking_uri, run.experiment_name, run.experiment_id, run.run_id,
             run.pushed_updated_at, run.failure, run.failure_kind, utc_now()),
        )  # fmt: skip

    def synced_run_cell(self, id: str) -> str:
        """Return the ``sync_run`` export cell of an observation (blank while pending, nothing failed)."""
        from desktop.tables.export_cells import SYNC_RUN_SQL, sync_run_cell

        row = self._query(f"SELECT {SYNC_RUN_SQL} FROM observations o WHERE o.id = ?", (id,)).fetchone()
        return sync_run_cell(row[0] if row is not None else None)

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
            f"SELECT {_COLUMNS}, deleted_at FROM observations WHERE deleted = 1 "
            "ORDER BY deleted_at IS NULL, deleted_at DESC, rowid DESC LIMIT ?"
        )
        return [
            DeletedObservation(_row_to_observation(r), r["deleted_at"])
            for r in self._query(sql, (int(limit),)).fetchall()
        ]

    def count_deleted(self) -> int:
        """Return how many observations are deleted (kept hidden, each can be brought back)."""
        return int(self._query("SELECT COUNT(*) FROM observations WHERE deleted = 1", ()).fetchone()[0])

    def _edit(self, id: str, assignment: str, params: tuple[Any, ...]) -> None:
        """Apply a user edit and move ``updated_at`` strictly forward, even if the clock went back."""
        with self.transaction() as db:
            row = db.execute("SELECT updated_at FROM observations WHERE id = ?", (id,)).fetchone()
            if row is None:
                raise _no_such_observation(id)
            now = utc_now()
            previous = datetime.fromisoformat(row["updated_at"])
            if datetime.fromisoformat(now) <= previous:
                now = _iso(previous + timedelta(microseconds=1))
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
        return StoreError(
            f"the observation history {self.path} cannot be read ({exc})",
            StoreProblem.NOT_READ,
            path=self.path,
            detail=str(exc),
        )

    # ----------------------------------------------------------------- reading
    def get(self, id: str) -> Observation | None:
        """Return one observation (deleted ones too), or ``None`` if there is none with that id."""
        row = self._query(f"SELECT {_COLUMNS} FROM observations WHERE id = ?", (id,)).fetchone()
        return None if row is None else _row_to_observation(row)

    def list(
        self, search: str = "", include_deleted: bool = False, *, limit: int | None = None
    ) -> list[Observation]:
        """Return observations newest first; ``search`` matches species, note, location and observer."""
        where = [] if include_deleted else ["deleted = 0"]
        params: list[Any] = []
        for word in search.split():
            pattern = f"%{_escape_like(word)}%"
            where.append(
                "(predicted_species LIKE ? ESCAPE '\\' OR IFNULL(confirmed_species, '') LIKE ? ESCAPE '\\'"
                " OR note LIKE ? ESCAPE '\\' OR location LIKE ? ESCAPE '\\' OR observer LIKE ? ESCAPE '\\')"
            )
            params.extend([pattern] * 5)
        sql = f"SELECT {_COLUMNS} FROM observations"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY created_at DESC, rowid DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(int(limit))
        return _rows_to_observations(self._query(sql, tuple(params)).fetchall())

    def page(
        self, query: HistoryQuery, after: Cursor | None = None, size: int = 200
    ) -> tuple[list[Observation], Cursor | None]:
        """Return up to ``size`` observations ``query`` lists after ``after``, and the next page's cursor.

        The cursor is ``None`` when there is nothing after this page.
        """
        columns = ", ".join("o." + c.strip() for c in _COLUMNS.split(","))
        rows: list[sqlite3.Row] = []
        for sql, params in page_statements(query, columns, after, size):
            rows.extend(self._query(sql, (*params[:-1], size - len(rows))).fetchall())
            if len(rows) >= size:
                break
        cursor = Cursor(rows[-1]["sort_key"], rows[-1]["saved_position"]) if len(rows) == size else None
        return _rows_to_observations(rows), cursor

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
                rows.extend(self._query(sql, (*params[:-1], page_size - len(rows)), plain=True).fetchall())
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
        for measurements, probabilities in self._query(sql, ()).fetchall():
            features.update(dict.fromkeys(json.loads(measurements)))
            classes.update(dict.fromkeys(json.loads(probabilities)))
        return list(features), list(classes)

    def count_matching(self, query: HistoryQuery) -> int:
        """Return how many observations ``query`` lists."""
        sql, params = count_statement(query)
        return int(self._query(sql, tuple(params)).fetchone()[0])

    def data_version(self) -> int:
        """Return a number that changes whenever another connection (a process, a window) commits."""
        return int(self._query("PRAGMA data_version", ()).fetchone()[0])

    def recent_duplicate(
        self, measurements: dict[str, float], within: timedelta, now: datetime | None = None
    ) -> Observation | None:
        """Return the newest observation saved less than ``within`` ago with exactly these measurements."""
        since = _iso((now or datetime.now(UTC)) - within)
        sql = (
            f"SELECT {_COLUMNS} FROM observations WHERE deleted = 0 AND created_at >= ? "
            "ORDER BY created_at DESC"
        )
        for row in self._query(sql, (since,)).fetchall():
            if json.loads(row["measurements"]) == measurements:
                return _row_to_observation(row)
        return None

    def last_rowid(self) -> int:
        """Return the row number of the newest saved observation (0 when there is none)."""
        return int(self._query("SELECT IFNULL(MAX(rowid), 0) FROM observations", ()).fetchone()[0])

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
            rows = self._query(saved_keys_sql(len(chunk)), (up_to_rowid, *chunk)).fetchall()
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
        return {state: int(self._query(sql, (state,)).fetchone()[0]) for state in SYNC_STATES}

    def _query(self, sql: str, params: tuple[Any, ...], *, plain: bool = False) -> sqlite3.Cursor:
        """Run a read; ``plain`` rows are tuples instead of ``sqlite3.Row``."""
        try:
            if plain:
                cursor = self._db.cursor()
                cursor.row_factory = None
                return cursor.execute(sql, params)
            return self._db.execute(sql, params)
        except sqlite3.Error as exc:
            raise self._read_error(exc) from exc


def _no_such_observation(id: str) -> StoreError:
    return StoreError(f"there is no saved observation with id {id}", StoreProblem.NO_SUCH_OBSERVATION, id=id)


def _open_error(path: Path, exc: sqlite3.Error) -> StoreError:
    return StoreError(
        f"the observation history {path} cannot be opened ({exc})",
        StoreProblem.NOT_OPENED,
        path=path,
        detail=str(exc),
    )


def saved_keys_sql(count: int) -> str:
    """Return the query for (measurements, note) of rows up to a row number, among ``count`` measurements.

    "+deleted" keeps it off the indexes on deleted, which would also walk the rows the very save that
    asks has just written: it reads only the rows before, by row number.
    """
    return (
        "SELECT measurements, note FROM observations WHERE +deleted = 0 AND rowid <= ? "
        f"AND measurements IN ({', '.join('?' * count)})"
    )


# Read-only histories (original path -> private copy being read); see ``ObservationStore._open_read_only``.
_SNAPSHOTS: dict[Path, Path] = {}


def _refuse_non_file(path: Path) -> None:
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


def _writable(path: Path) -> bool:
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
    if path.exists() and not _writable(path):
        return ReadOnlyCause.FILE
    if not _writable(path.parent):
        return ReadOnlyCause.FOLDER
    return None


def read_only_reason(path: Path, cause: ReadOnlyCause | None) -> str:
    """Return the sentence part saying why the history cannot be written ("" if it can)."""
    if cause is ReadOnlyCause.FILE:
        return f"the history file {path} is read-only"
    if cause is ReadOnlyCause.FOLDER:
        return f"the folder {path.parent} is read-only"
    return ""


def _repair_companions(path: Path) -> None:
    """Make a stale read-only -shm/-wal beside a writable history writable again, keeping the log's data."""
    shm = path.with_name(path.name + "-shm")
    if shm.exists() and not _writable(shm):
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
    if wal.exists() and not _writable(wal):
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


def _connect(path: Path) -> sqlite3.Connection:
    """Open a connection in autocommit mode (transactions are explicit) with durable pragmas."""
    path = _SNAPSHOTS.get(Path(path), path)
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


def steps_behind(path: Path) -> int:
    """Return how many schema steps an existing history still has to run (0 for none or a new file)."""
    if not Path(path).is_file():
        return 0
    try:
        db = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
        try:
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
        finally:
            db.close()
    except sqlite3.Error:
        return 0  # opening it says what is wrong, in words
    return max(len(MIGRATIONS) - version, 0)


def marked_damaged(path: Path) -> bool:
    """Tell whether a background check found this history damaged: its next opening salvages it."""
    return _check_marker(Path(path)).exists()


def _check_marker(path: Path) -> Path:
    """Return the file whose presence says "check this history before using it"."""
    return path.with_name(path.name + ".check")


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def inspect_history(path: Path) -> tuple[int, list[str]]:
    """Check a history without changing it: return (observations, problems found); no problems = sound.

    Runs SQLite's full ``integrity_check`` and decodes every record, as a salvage would.
    """
    if read_only_cause(Path(path)) is not None:
        # SQLite cannot open a logged file read-only where it may not create the -shm index: look at a copy.
        with tempfile.TemporaryDirectory(prefix="iris-field-inspect-") as folder:
            try:
                copy = copy_history(Path(path), Path(folder))
            except OSError as exc:
                return 0, [f"the history {path} cannot be read ({exc.strerror or exc})"]
            return inspect_history(copy)
    try:
        db = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
    except sqlite3.Error as exc:
        return 0, [f"the history {path} cannot be opened ({exc})"]
    try:
        db.row_factory = sqlite3.Row
        problems = [r[0] for r in db.execute("PRAGMA integrity_check").fetchall() if r[0] != "ok"]
        rows = db.execute(f"SELECT {_COLUMNS} FROM observations").fetchall()
        undecodable = 0
        for row in rows:
            try:
                _decoded_observation(row)
            except (ValueError, TypeError, KeyError):
                undecodable += 1
        if undecodable:
            problems.append(f"{undecodable} record(s) cannot be decoded")
        return len(rows), problems
    except sqlite3.Error as exc:
        return 0, [f"the history {path} cannot be read ({exc})"]
    finally:
        db.close()


# A record is sound when its JSON columns hold what the app wrote: objects of numbers, a list of names.
_UNSOUND_RECORDS = """
    SELECT COUNT(*) FROM observations WHERE NOT (
        json_valid(measurements) AND json_type(measurements) = 'object'
        AND json_valid(probabilities) AND json_type(probabilities) = 'object'
        AND json_valid(unusual) AND json_type(unusual) = 'array'
    )
"""


def _check_records(db: sqlite3.Connection) -> None:
    """Raise a "corrupt" ``sqlite3.DatabaseError`` if any stored observation cannot be decoded."""
    bad = db.execute(_UNSOUND_RECORDS).fetchone()[0]
    if bad:
        error = sqlite3.DatabaseError(f"database disk image is malformed: {bad} undecodable observation(s)")
        error.sqlite_errorcode = _SQLITE_CORRUPT  # type: ignore[attr-defined]
        raise error


def _decoded_observation(row: sqlite3.Row) -> Observation:
    """Decode a row strictly (as a salvage must): raise ``ValueError`` unless every field makes sense."""
    obs = _row_to_observation(row)
    numbers = (*obs.measurements.values(), *obs.probabilities.values(), obs.confidence)
    if not obs.measurements or not all(isinstance(v, int | float) for v in numbers):
        raise ValueError("measurements or probabilities are not numbers")
    if not all(isinstance(u, str) for u in obs.unusual) or obs.sync_state not in SYNC_STATES:
        raise ValueError("a field holds something the app never writes")
    return obs


def _check_integrity(db: sqlite3.Connection) -> None:
    """Raise a "corrupt" ``sqlite3.DatabaseError`` unless SQLite's quick check finds the file sound."""
    problems = [row[0] for row in db.execute("PRAGMA quick_check").fetchall()]
    if problems != ["ok"]:
        error = sqlite3.DatabaseError(f"database disk image is malformed: {problems[0]}")
        error.sqlite_errorcode = _SQLITE_CORRUPT  # type: ignore[attr-defined]
        raise error


def _migrate(db: sqlite3.Connection, path: Path) -> None:
    """Bring the schema up to ``len(MIGRATIONS)``, one transaction per step."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > len(MIGRATIONS):
        raise StoreError(
            f"the observation history {path} was written by a newer version of Iris Field "
            f"(schema {version}, this version knows {len(MIGRATIONS)}); please update the app",
            StoreProblem.NEWER_SCHEMA,
            path=path,
            version=version,
            known=len(MIGRATIONS),
        )
    for number in range(version + 1, len(MIGRATIONS) + 1):
        # executescript commits anything pending first, then runs the whole step; the step and its
        # version bump commit together, so a crash mid-migration leaves the previous version intact.
        try:
            db.executescript(
                f"BEGIN IMMEDIATE;\n{MIGRATIONS[number - 1]}\nPRAGMA user_version = {number};\nCOMMIT;"
            )
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise


# ----------------------------------------------------------------- refilling a history from a damaged one
def _schema_of(db: sqlite3.Connection) -> list[tuple[str, str, str, int | None, str]]:
    """Return this app's schema (type, name, table, no root, sql): the tables a damaged file should hold."""
    rows = db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL").fetchall()
    return [(kind, name, table, None, sql) for kind, name, table, sql in rows]


def _refill(store: ObservationStore, damaged: DamagedHistory) -> tuple[int, int | None]:
    """Save every readable observation and other row of ``damaged`` into ``store``; return (saved, lost).

    One transaction, SQLite copying whole pages (``history_salvage.copy_readable``); foreign keys are off
    meanwhile, so rows are saved in the order the pages give them, and rows left pointing at an
    observation that was lost are removed at the end. The insert triggers' work is done once at the end.
    """
    db = store._db
    cache_size = int(db.execute("PRAGMA cache_size").fetchone()[0])
    db.execute("PRAGMA foreign_keys = OFF")
    try:
        try:
            saved = _copy_in_one_transaction(store, damaged, images=True)
        except ImageRefused:  # SQLite found damage in an image after all: again, every page read here
            damaged.restart()
            saved = _copy_in_one_transaction(store, damaged, images=False)
    except sqlite3.Error as exc:
        raise store._write_error(exc) from exc
    finally:
        db.execute("PRAGMA foreign_keys = ON")
        db.execute(f"PRAGMA cache_size = {cache_size}")
    return saved, damaged.lost("observations", saved)


def _copy_in_one_transaction(store: ObservationStore, damaged: DamagedHistory, *, images: bool) -> int:
    """Copy the readable rows in one transaction, the insert triggers' work done once; return observations."""
    with rescue_schema(store._db), store.transaction() as tx:
        bulk = _BulkInsert.begin(tx)
        counts = copy_readable(tx, damaged, {"observations": SOUND_OBSERVATION}, images=images)
        bulk.finish(tx)
        for table, rowid, _parent, _key in tx.execute("PRAGMA foreign_key_check").fetchall():
            tx.execute(f'DELETE FROM "{table}" WHERE rowid = ?', (rowid,))
    return counts.get("observations", 0)
