"""Build the model card the desktop app reads, from the schema, the training rows and the run's metrics."""

from __future__ import annotations

import hashlib
import platform
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version

from desktop.prediction.model_card import SCHEMA_VERSION, Feature, ModelCard
from training.data import LabelledData, feature_stats
from training.release.convert import opset_of
from training.schema import (
    CLASSES,
    FEATURES,
    MODEL_NAME,
    ONNX_FILENAME,
    ONNX_INPUT_NAME,
    ONNX_OUTPUT_NAME,
)
from training.unusual import fit_unusual_check, measurement_resolution

# The run metrics copied onto the card (the app shows them in its "About the model" view).
CARD_METRICS = (
    "test_accuracy",
    "test_macro_f1",
    "cv_accuracy_mean",
    "cv_accuracy_std",
    *(f"test_{kind}_{c}" for c in CLASSES for kind in ("precision", "recall")),
)
LIBRARIES = ("scikit-learn", "skl2onnx", "onnx", "onnxruntime", "mlflow", "numpy", "skops")


def library_versions() -> dict[str, str]:
    """Return the versions of the libraries that produced and checked the model."""
    found = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def build_card(
    *,
    onnx_bytes: bytes,
    training_rows: LabelledData,
    metrics: dict[str, float],
    model_version: str,
    alias: str,
    run_id: str,
    created: datetime | None = None,
) -> ModelCard:
    """Return the card for an exported model; statistics come from the rows the model was trained on."""
    stats = feature_stats(training_rows)
    features = tuple(
        Feature(
            name=spec.name,
            label=spec.label,
            unit=spec.unit,
            plausible_min=spec.plausible_min,
            plausible_max=spec.plausible_max,
            stats=stats[spec.name][0],
            per_class=stats[spec.name][1],
            resolution=measurement_resolution(training_rows.features[:, j]),
        )
        for j, spec in enumerate(FEATURES)
    )
    return ModelCard(
        schema_version=SCHEMA_VERSION,
        model_name=MODEL_NAME,
        model_version=model_version,
        alias=alias,
        run_id=run_id,
        created=(created or datetime.now(UTC)).isoformat(timespec="seconds"),
        onnx_file=ONNX_FILENAME,
        sha256=hashlib.sha256(onnx_bytes).hexdigest(),
        opset=opset_of(onnx_bytes),
        input_name=ONNX_INPUT_NAME,
        output_name=ONNX_OUTPUT_NAME,
        features=features,
        classes=CLASSES,
        metrics={k: float(metrics[k]) for k in CARD_METRICS if k in metrics},
        libraries=library_versions(),
        novelty=fit_unusual_check(training_rows),
    )
