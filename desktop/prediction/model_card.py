"""The model card: one source of truth for features, units, classes and training statistics."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from contract import registry as contract_registry
from contract.card import CardField, GateVerdict
from desktop.errors import ModelError, ModelProblem

SCHEMA_VERSION = 1
CARD_FILENAME = contract_registry.CARD_FILENAME
GATE_PASSED = GateVerdict.PASSED.value  # the lab's quality gate let this version through
GATE_REFUSED = GateVerdict.REFUSED.value


@dataclass(frozen=True)
class FeatureStats:
    """Summary statistics of one feature over a set of training rows."""

    min: float
    max: float
    mean: float
    std: float


@dataclass(frozen=True)
class Feature:
    """One input measurement: its name, how to show it, and what the training data held."""

    name: str
    label: str
    unit: str
    plausible_min: float
    plausible_max: float
    stats: FeatureStats
    per_class: dict[str, FeatureStats] = field(default_factory=dict)
    resolution: float = 0.1  # the step the training data was measured in (0.1 cm for Iris)

    @property
    def decimals(self) -> int:
        """Return how many decimals a value of this resolution has (0.1 -> 1)."""
        return max(0, round(-math.log10(self.resolution))) if self.resolution > 0 else 1

    def is_unusual(self, value: float) -> bool:
        """Tell whether ``value`` lies outside the range seen in training."""
        return value < self.stats.min or value > self.stats.max


@dataclass(frozen=True)
class ClassCloud:
    """Where one class's training rows lie: their mean and covariance (card feature order, cm)."""

    mean: tuple[float, ...]
    covariance: tuple[tuple[float, ...], ...]


@dataclass(frozen=True)
class UnusualCheckBlock:
    """The joint unusual-flower check shipped with the model (see desktop/prediction/unusual.py)."""

    method: str
    threshold: float
    threshold_rule: str
    training_rows: int
    training_flagged: int
    classes: dict[str, ClassCloud]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> UnusualCheckBlock:
        """Parse the card's ``novelty`` block."""
        return cls(
            method=str(data["method"]),
            threshold=float(data["threshold"]),
            threshold_rule=str(data.get("threshold_rule", "")),
            training_rows=int(data.get("training_rows", 0)),
            training_flagged=int(data.get("training_flagged", 0)),
            classes={
                str(name): ClassCloud(
                    mean=tuple(float(v) for v in cloud["mean"]),
                    covariance=tuple(tuple(float(v) for v in row) for row in cloud["covariance"]),
                )
                for name, cloud in data["classes"].items()
            },
        )


@dataclass(frozen=True)
class ModelCard:
    """What the exported ONNX model is, where it came from, and how well it did."""

    schema_version: int
    model_name: str
    model_version: str
    alias: str
    run_id: str
    created: str
    onnx_file: str
    sha256: str
    opset: int
    input_name: str
    output_name: str
    features: tuple[Feature, ...]
    classes: tuple[str, ...]
    metrics: dict[str, float]
    libraries: dict[str, str]
    # The unusual-flower check; "novelty" is its published key in model_card.json, kept for every card
    # already signed. Cards exported before the joint check have none.
    novelty: UnusualCheckBlock | None = None
    gate: str = ""  # the lab's quality gate verdict on this version (GATE_PASSED, GATE_REFUSED; "" unknown)
    unvetted_reason: str = ""  # why the lab shipped it although the gate did not pass it ("" if it did)

    @property
    def vetted(self) -> bool:
        """Tell whether the lab's quality gate passed this version."""
        return self.gate == GATE_PASSED

    @property
    def feature_names(self) -> tuple[str, ...]:
        """Return the feature names in the order the model expects them."""
        return tuple(f.name for f in self.features)

    def to_dict(self) -> dict[str, Any]:
        """Return the card as plain JSON-ready data."""
        data = asdict(self)
        data["features"] = [asdict(f) for f in self.features]
        data["classes"] = list(self.classes)
        if self.novelty is None:
            del data["novelty"]
        for optional in CardField:  # cards from before the export checked the gate lack them
            if not data[optional]:
                del data[optional]
        return data

    def to_json(self) -> str:
        """Return the card as pretty JSON text."""
        return json.dumps(self.to_dict(), indent=2, sort_keys=False) + "\n"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelCard:
        """Build a card from parsed JSON; raise ``ModelError`` naming what is missing or wrong."""
        try:
            version = int(data["schema_version"])
            if version != SCHEMA_VERSION:
                raise ModelError(
                    f"model card schema version {version} is not supported "
                    f"(this app reads version {SCHEMA_VERSION})",
                    ModelProblem.CARD_NEWER,
                    version=version,
                    known=SCHEMA_VERSION,
                )
            features = tuple(
                Feature(
                    name=str(f["name"]),
                    label=str(f["label"]),
                    unit=str(f["unit"]),
                    plausible_min=float(f["plausible_min"]),
                    plausible_max=float(f["plausible_max"]),
                    stats=FeatureStats(**{k: float(v) for k, v in f["stats"].items()}),
                    per_class={
                        str(c): FeatureStats(**{k: float(v) for k, v in s.items()})
                        for c, s in f.get("per_class", {}).items()
                    },
                    resolution=float(f.get("resolution", 0.1)),
                )
                for f in data["features"]
            )
            return cls(
                schema_version=version,
                model_name=str(data["model_name"]),
                model_version=str(data["model_version"]),
                alias=str(data["alias"]),
                run_id=str(data["run_id"]),
                created=str(data["created"]),
                onnx_file=str(data["onnx_file"]),
                sha256=str(data["sha256"]).lower(),
                opset=int(data["opset"]),
                input_name=str(data["input_name"]),
                output_name=str(data["output_name"]),
                features=features,
                classes=tuple(str(c) for c in data["classes"]),
                metrics={str(k): float(v) for k, v in data.get("metrics", {}).items()},
                libraries={str(k): str(v) for k, v in data.get("libraries", {}).items()},
                novelty=UnusualCheckBlock.from_dict(data["novelty"]) if data.get("novelty") else None,
                gate=str(data.get(CardField.GATE, "")),
                unvetted_reason=str(data.get(CardField.UNVETTED_REASON, "")),
            )
        except ModelError:
            raise
        except KeyError as exc:
            raise ModelError(f"model card lacks the field {exc.args[0]!r}") from exc
        except (TypeError, ValueError, AttributeError) as exc:
            raise ModelError(f"model card has a malformed field: {exc}") from exc

    @classmethod
    def load(cls, path: Path) -> ModelCard:
        """Read and parse a card file; raise ``ModelError`` naming the file on any problem."""
        try:
            text = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise ModelError(
                f"model card {path} does not exist", ModelProblem.CARD_MISSING, path=path
            ) from exc
        except OSError as exc:
            raise ModelError(
                f"model card {path} cannot be read: {exc.strerror}",
                ModelProblem.CARD_UNREADABLE,
                path=path,
                detail=exc.strerror,
            ) from exc
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ModelError(
                f"model card {path} is not valid JSON (line {exc.lineno})",
                ModelProblem.CARD_INVALID,
                path=path,
            ) from exc
        if not isinstance(data, dict):
            raise ModelError(f"model card {path} is not a JSON object", ModelProblem.CARD_INVALID, path=path)
        try:
            return cls.from_dict(data)
        except ModelError as exc:
            if exc.problem is ModelProblem.CARD_NEWER:
                raise ModelError(f"{path}: {exc}", exc.problem, **(exc.facts | {"path": path})) from exc
            raise ModelError(f"{path}: {exc}", ModelProblem.CARD_INVALID, path=path) from exc
