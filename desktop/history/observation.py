"""One saved observation: what was measured, what the model said, what the user added, and its sync state."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from desktop.errors import InputError
from desktop.history.ids import new_observation_id
from desktop.model_delivery.release import ModelStamp, ShadowPrediction

if TYPE_CHECKING:  # only for type hints: the history itself never needs the model
    from desktop.prediction.engine import Prediction
    from desktop.prediction.model_card import ModelCard


class SyncState(enum.StrEnum):
    """What the history row shows about its observation's sync (the sync derives it in the file)."""

    PENDING = "pending"
    SYNCING = "syncing"
    SYNCED = "synced"
    FAILED = "failed"


SYNC_STATES = tuple(SyncState)


def utc_now() -> str:
    """Return the current UTC time as ISO-8601 with microseconds and offset."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def iso_utc(moment: datetime) -> str:
    """Return an aware time as the history writes times: UTC, ISO-8601 with microseconds."""
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
        created = utc_now() if now is None else iso_utc(now)
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
