"""Fit the joint unusual-flower check on the training rows: per-class means, covariances, a threshold."""

from __future__ import annotations

import numpy as np

from desktop.prediction.model_card import ClassCloud, UnusualCheckBlock
from desktop.prediction.unusual import UnusualScorer
from training.data import LabelledData
from training.schema import CLASSES

METHOD = "mahalanobis-nearest-class"
# The share of new, genuine flowers the check may call unusual; estimated with leave-one-out scores.
FALSE_ALARM_SHARE = 0.01
THRESHOLD_RULE = (
    f"the {100 * (1 - FALSE_ALARM_SHARE):g}th percentile of the training rows' leave-one-out distances"
)


def measurement_resolution(values: np.ndarray, most_decimals: int = 4) -> float:
    """Return the step the values were measured in (0.1 for Iris): the fewest decimals that hold them all."""
    for decimals in range(most_decimals + 1):
        if np.allclose(values, np.round(values, decimals), rtol=0, atol=1e-9):
            return 10.0**-decimals
    return 10.0**-most_decimals


def _clouds(
    features: np.ndarray, labels: np.ndarray, resolution: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return per-class means and covariances; rounding noise (step²/12) keeps each one invertible."""
    rounding = np.diag(resolution**2 / 12)
    means, covariances = [], []
    for i in range(len(CLASSES)):
        rows = features[labels == i]
        means.append(rows.mean(axis=0))
        covariances.append(np.cov(rows, rowvar=False) + rounding)
    return np.array(means), np.array(covariances)


def _scorer(means: np.ndarray, covariances: np.ndarray) -> UnusualScorer:
    return UnusualScorer(means, np.linalg.inv(covariances), threshold=np.inf)


def leave_one_out_scores(data: LabelledData, resolution: np.ndarray) -> np.ndarray:
    """Return every training row's distance from clouds fitted without it: how a new flower would score."""
    scores = np.empty(len(data))
    everything = np.arange(len(data))
    for i in everything:
        keep = everything != i
        means, covariances = _clouds(data.features[keep], data.labels[keep], resolution)
        scores[i] = _scorer(means, covariances).scores(data.features[i])[0]
    return scores


def fit_unusual_check(training_rows: LabelledData) -> UnusualCheckBlock:
    """Return the card block of the check, its threshold set on ``training_rows``."""
    resolution = np.array([measurement_resolution(c) for c in training_rows.features.T])
    means, covariances = _clouds(training_rows.features, training_rows.labels, resolution)
    threshold = float(np.quantile(leave_one_out_scores(training_rows, resolution), 1 - FALSE_ALARM_SHARE))
    flagged = int((_scorer(means, covariances).scores(training_rows.features) > threshold).sum())
    return UnusualCheckBlock(
        method=METHOD,
        threshold=threshold,
        threshold_rule=THRESHOLD_RULE,
        training_rows=len(training_rows),
        training_flagged=flagged,
        classes={
            name: ClassCloud(tuple(means[i].tolist()), tuple(tuple(r) for r in covariances[i].tolist()))
            for i, name in enumerate(CLASSES)
        },
    )
