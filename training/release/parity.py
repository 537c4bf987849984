"""Prove that the exported ONNX model, run by the app's own engine, predicts like the registered model."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.base import ClassifierMixin

from desktop.prediction.engine import Classifier
from desktop.prediction.measurement_rules import allowed
from desktop.prediction.model_card import Feature
from training.errors import ExportError
from training.release.convert import probabilities_of

TOLERANCE = 1e-5
RANDOM_ROWS = 10_000


@dataclass(frozen=True)
class ParityReport:
    """How closely the two models agreed."""

    rows: int
    max_abs_difference: float


def probe_rows(features: Sequence[Feature], *, seed: int, count: int = RANDOM_ROWS) -> np.ndarray:
    """Return ``2 * count`` random measurements: half inside the training range, half across and beyond it.

    ``features`` are the exported card's. The second half spans the whole range the app accepts (from its
    smallest measurement, one step of the card's precision above 0, to the plausible maximum: the rule
    of ``desktop/prediction/measurement_rules.py``), so it covers values far outside anything the model saw.
    """
    rng = np.random.default_rng(seed)
    inside = rng.uniform(
        [f.stats.min for f in features], [f.stats.max for f in features], (count, len(features))
    )
    accepted = [allowed(f) for f in features]
    beyond = rng.uniform([a.low for a in accepted], [a.high for a in accepted], (count, len(features)))
    return np.vstack([inside, beyond])


def check(classifier: Classifier, model: ClassifierMixin, rows: np.ndarray) -> ParityReport:
    """Raise ``ExportError`` unless labels agree and probabilities agree within ``TOLERANCE`` on ``rows``."""
    # The app feeds ONNX float32; give the reference model the very same numbers.
    rows = np.asarray(rows, dtype=np.float32).astype(np.float64)
    expected = probabilities_of(model, rows)
    batch = classifier.predict_many(rows)
    actual = batch.probability_matrix.astype(np.float64)
    if actual.shape != expected.shape:
        raise ExportError(
            f"the ONNX model gives {actual.shape[1]} probabilities per row, "
            f"the registered model {expected.shape[1]}"
        )
    difference = np.abs(actual - expected)
    worst = int(difference.max(axis=1).argmax())
    ours, theirs = actual.argmax(axis=1), expected.argmax(axis=1)
    rows_index = np.arange(len(rows))
    # A row where the reference model itself has an exact tie (a forest voting 50/50) has no one right
    # label; float32 rounding may break it either way. Every other row must name the same species.
    tie = np.abs(expected[rows_index, ours] - expected[rows_index, theirs]) <= TOLERANCE
    labels_differ = np.flatnonzero((ours != theirs) & ~tie)
    if labels_differ.size:
        i = int(labels_differ[0])
        raise ExportError(
            f"the ONNX model names a different species than the registered model on {labels_differ.size} "
            f"of {len(rows)} rows (first: {rows[i].tolist()})"
        )
    if difference[worst].max() > TOLERANCE:
        raise ExportError(
            f"the ONNX model's probabilities differ from the registered model's by "
            f"{difference[worst].max():.2e} (more than {TOLERANCE:g}) at {rows[worst].tolist()}"
        )
    return ParityReport(len(rows), float(difference.max()))
