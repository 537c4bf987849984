"""Observations to and from the history's ``observations`` rows: the column list and its codecs."""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from contract import observation as fields
from desktop.history.observation import SYNC_STATES, Observation, SyncState
from desktop.model_delivery.release import ShadowPrediction
from desktop.observation_extras import EXTRA_FIELDS, extras_json, extras_of

_F = fields


def _csv(field: fields.ObservationField) -> str:
    """Return the CSV header of a field the export carries."""
    assert field.csv_header is not None, field.name
    return field.csv_header


# The columns of ``observations``, in the order every query selects them (and ``ObservationRows`` holds
# them): never reordered. A column that holds one contract field (contract/observation.py) as it is, is
# named by the contract: as the field, or, for the id and the time, as the history's CSV export heads it
# (the export writes the columns as they are). tests/desktop/history/test_codec.py checks that each one
# exists in the file and that every contract field is stored or said below where it goes.
UPDATED_AT, SYNC_STATE, SYNC_ERROR, DELETED = "updated_at", "sync_state", "sync_error", "deleted"
MEASUREMENTS, PROBABILITIES, CHALLENGER = "measurements", "probabilities", "challenger"  # JSON objects
EXTRAS_COLUMN = "extras"  # step 9's JSON object of the observation's extras (desktop/observation_extras.py)
STORED_FIELDS: dict[str, fields.ObservationField] = {
    _csv(_F.OBSERVATION_ID): _F.OBSERVATION_ID,
    _csv(_F.OBSERVED_AT): _F.OBSERVED_AT,
    **{
        f.name: f
        for f in (
            _F.PREDICTED_SPECIES, _F.CONFIDENCE, _F.UNUSUAL, _F.MODEL_NAME, _F.MODEL_VERSION, _F.MODEL_SHA256,
            _F.OBSERVER, _F.NOTE, _F.LOCATION, _F.LATITUDE, _F.LONGITUDE, _F.CONFIRMED_SPECIES, _F.OUTLIER,
            _F.OUTLIER_SCORE, _F.MODEL_REGISTRY, _F.MODEL_SEQUENCE,
        )
    },
}  # fmt: skip
_S = {f.name: column for column, f in STORED_FIELDS.items()}
STORE_COLUMNS: tuple[str, ...] = (
    _S[_F.OBSERVATION_ID.name], _S[_F.OBSERVED_AT.name], UPDATED_AT, MEASUREMENTS, PROBABILITIES,
    *(_S[f.name] for f in (_F.PREDICTED_SPECIES, _F.CONFIDENCE, _F.UNUSUAL, _F.MODEL_NAME, _F.MODEL_VERSION,
                           _F.MODEL_SHA256, _F.OBSERVER, _F.NOTE, _F.LOCATION, _F.LATITUDE, _F.LONGITUDE,
                           _F.CONFIRMED_SPECIES)),
    SYNC_STATE, SYNC_ERROR, DELETED,
    *(_S[f.name] for f in (_F.OUTLIER, _F.OUTLIER_SCORE, _F.MODEL_REGISTRY, _F.MODEL_SEQUENCE)),
    CHALLENGER, EXTRAS_COLUMN,
)  # fmt: skip
# The families and the challenger's answer, one JSON column each (keyed by measurement, species or field).
IN_JSON: dict[str, tuple[fields.ObservationField, ...]] = {
    MEASUREMENTS: (_F.MEASUREMENT,),
    PROBABILITIES: (_F.PROBABILITY,),
    CHALLENGER: (
        _F.CHALLENGER_SPECIES, _F.CHALLENGER_REGISTRY, _F.CHALLENGER_NAME, _F.CHALLENGER_VERSION,
        _F.CHALLENGER_SHA256, _F.CHALLENGER_SEQUENCE, _F.CHALLENGER_AGREES, _F.CHALLENGER_PROBABILITY,
    ),
    EXTRAS_COLUMN: EXTRA_FIELDS,  # every other field of the contract, by name
}  # fmt: skip
# Contract fields the history does not keep: derived on the way out (species), or added by the sync.
NOT_STORED = (_F.SPECIES, _F.DEVICE, _F.APP_VERSION, _F.SYNCED_AT, _F.SIGNATURE)
COLUMNS = ", ".join(STORE_COLUMNS)
COLUMN_COUNT = len(STORE_COLUMNS)


def row_to_observation(row: sqlite3.Row) -> Observation:
    """Decode a row that has the store's columns, whatever it selected besides and in which order."""
    return observation_of(tuple(row[name] for name in STORE_COLUMNS))


def rows_to_observations(rows: list[sqlite3.Row]) -> list[Observation]:
    """Decode rows of one query; when it selected the store's columns first, by position (a page is fast)."""
    if rows and tuple(rows[0].keys()[:COLUMN_COUNT]) == STORE_COLUMNS:
        return [observation_of(row[:COLUMN_COUNT]) for row in rows]
    return [row_to_observation(row) for row in rows]


@functools.lru_cache(maxsize=1024)
def _unusual(text: str) -> tuple[str, ...]:
    """Return the unusual measurements stored as JSON (a handful of texts: each decoded once)."""
    return tuple(json.loads(text))


def observation_of(values: tuple[Any, ...]) -> Observation:
    """Decode the store's columns, in ``COLUMNS`` order."""
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


def observation_params(obs: Observation) -> tuple[Any, ...]:
    """Return the row that saves ``obs``, in ``STORE_COLUMNS`` order."""
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
        return cls([observation_params(o) for o in observations])

    def __len__(self) -> int:
        return len(self.rows)

    def ids(self) -> list[str]:
        """Return each row's observation id."""
        return [row[_ID_AT] for row in self.rows]

    def duplicate_keys(self) -> list[tuple[str, str]]:
        """Return each row's (measurements JSON, note): what makes it a duplicate of a saved row."""
        return [(row[_MEASUREMENTS_AT], row[_NOTE_AT]) for row in self.rows]


# Replaces what an import brings of an observation (never the sync state, which its outbox row gives).
ID = _S[_F.OBSERVATION_ID.name]
_REPLACED = tuple(c for c in STORE_COLUMNS if c not in (ID, SYNC_STATE, SYNC_ERROR))
REPLACE_SQL = f"UPDATE observations SET {', '.join(f'{c} = ?' for c in _REPLACED)} WHERE id = ?"


def replacing_params(obs: Observation) -> tuple[Any, ...]:
    """Return the ``REPLACE_SQL`` parameters that make the stored row ``obs``."""
    by_name = dict(zip(STORE_COLUMNS, observation_params(obs), strict=True))
    return (*(by_name[c] for c in _REPLACED), obs.id)


_ID_AT, _MEASUREMENTS_AT, _NOTE_AT = (STORE_COLUMNS.index(c) for c in (ID, MEASUREMENTS, _S[_F.NOTE.name]))
INSERT_SQL = f"INSERT INTO observations ({COLUMNS}) VALUES ({', '.join('?' * COLUMN_COUNT)})"


def decoded_observation(row: sqlite3.Row) -> Observation:
    """Decode a row strictly (as a salvage must): raise ``ValueError`` unless every field makes sense."""
    obs = row_to_observation(row)
    numbers = (*obs.measurements.values(), *obs.probabilities.values(), obs.confidence)
    if not obs.measurements or not all(isinstance(v, int | float) for v in numbers):
        raise ValueError("measurements or probabilities are not numbers")
    if not all(isinstance(u, str) for u in obs.unusual) or obs.sync_state not in SYNC_STATES:
        raise ValueError("a field holds something the app never writes")
    return obs
