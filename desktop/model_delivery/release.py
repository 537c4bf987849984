"""The ``release`` block of a signed model card: where the model came from and how to recognise it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from desktop.model_delivery.errors import Refusal, ReleaseRefused

RELEASE_FIELD = "release"
# How long a laptop predicts without a word after the lab last confirmed its model (a card may set another).
DEFAULT_CONFIRM_WITHIN_DAYS = 90


@dataclass(frozen=True)
class ReferenceRow:
    """One flower with the probabilities the lab's export computed for it."""

    measurements: tuple[float, ...]
    probabilities: tuple[float, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return the row as JSON-ready data."""
        return {"measurements": list(self.measurements), "probabilities": list(self.probabilities)}


@dataclass(frozen=True)
class Release:
    """Which registered model version this is, in which registry, and its place in the release order."""

    registry: str
    model_name: str
    version: str
    alias: str
    sequence: int
    released_at: str
    signer: str
    reference_rows: tuple[ReferenceRow, ...] = ()
    data_fingerprint: str = ""  # of the labelled data the model was trained on ("" if not recorded)
    signed_at: str = ""  # when the lab signed the card (cards signed before it existed: released_at)
    confirm_within_days: int = DEFAULT_CONFIRM_WITHIN_DAYS  # warn when the lab's confirmation is older

    def to_dict(self) -> dict[str, Any]:
        """Return the block as JSON-ready data, as it is written into the card."""
        return {
            "registry": self.registry,
            "model_name": self.model_name,
            "version": self.version,
            "alias": self.alias,
            "sequence": self.sequence,
            "released_at": self.released_at,
            "signer": self.signer,
            "reference_rows": [r.to_dict() for r in self.reference_rows],
            "data_fingerprint": self.data_fingerprint,
            "signed_at": self.signed_at or self.released_at,
            "confirm_within_days": self.confirm_within_days,
        }

    @classmethod
    def from_card(cls, card: Mapping[str, Any]) -> Release | None:
        """Return the card's release block, None if it has none; raise ``ReleaseRefused`` if malformed."""
        block = card.get(RELEASE_FIELD)
        if block is None:
            return None
        try:
            sequence = block["sequence"]
            if not isinstance(sequence, int) or isinstance(sequence, bool) or sequence < 1:
                raise ValueError(f"sequence {sequence!r} is not a positive whole number")
            period = block.get("confirm_within_days", DEFAULT_CONFIRM_WITHIN_DAYS)
            if not isinstance(period, int) or isinstance(period, bool) or period < 1:
                raise ValueError(f"confirm_within_days {period!r} is not a positive whole number")
            return cls(
                registry=str(block["registry"]),
                model_name=str(block["model_name"]),
                version=str(block["version"]),
                alias=str(block["alias"]),
                sequence=sequence,
                released_at=str(block["released_at"]),
                signer=str(block["signer"]),
                reference_rows=tuple(
                    ReferenceRow(
                        tuple(float(v) for v in row["measurements"]),
                        tuple(float(p) for p in row["probabilities"]),
                    )
                    for row in block.get("reference_rows", [])
                ),
                data_fingerprint=str(block.get("data_fingerprint", "")),
                signed_at=str(block.get("signed_at") or block["released_at"]),
                confirm_within_days=period,
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ReleaseRefused(
                Refusal.WRONG_SCHEMA, f"the model card's release block is malformed ({exc})"
            ) from exc


@dataclass(frozen=True)
class ModelStamp:
    """What each observation records about the model that predicted it."""

    registry: str
    name: str
    version: str
    sha256: str
    sequence: int | None

    def to_dict(self) -> dict[str, Any]:
        """Return the stamp as JSON-ready data."""
        return {
            "registry": self.registry,
            "name": self.name,
            "version": self.version,
            "sha256": self.sha256,
            "sequence": self.sequence,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ModelStamp:
        """Rebuild a stamp saved with ``to_dict``."""
        sequence = data.get("sequence")
        return cls(
            registry=str(data.get("registry", "")),
            name=str(data.get("name", "")),
            version=str(data.get("version", "")),
            sha256=str(data.get("sha256", "")),
            sequence=None if sequence is None else int(sequence),
        )


@dataclass(frozen=True)
class ShadowPrediction:
    """What the challenger, running in shadow, said about a flower the champion predicted."""

    stamp: ModelStamp
    species: str
    probabilities: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        """Return the shadow prediction as JSON-ready data."""
        return {
            "model": self.stamp.to_dict(),
            "species": self.species,
            "probabilities": dict(self.probabilities),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ShadowPrediction:
        """Rebuild a shadow prediction saved with ``to_dict``."""
        return cls(
            ModelStamp.from_dict(data.get("model", {})),
            str(data.get("species", "")),
            {str(k): float(v) for k, v in dict(data.get("probabilities", {})).items()},
        )
