"""The joint unusual-flower check: how far four measurements lie from every species the model learnt.

The model card carries, per class, the mean and covariance of the training rows; a flower's score is its
Mahalanobis distance to the nearest class. Petals longer than sepals, setosa sepals on virginica petals,
or every measurement at a range's end lie far from all three clouds, although each value alone may be
ordinary. The threshold was set on the training rows when the model was exported (see training/novelty.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from desktop.model_card import NoveltyBlock


@dataclass(frozen=True)
class OutlierCheck:
    """The check's answer for one flower."""

    flag: bool
    score: float
    threshold: float

    def to_json(self) -> dict[str, object]:
        """Return the answer as ``{"flag", "score", "threshold"}``."""
        return {"flag": self.flag, "score": self.score, "threshold": self.threshold}


class NoveltyScorer:
    """Scores rows of measurements (card feature order) against the card's per-class statistics."""

    def __init__(self, means: np.ndarray, precisions: np.ndarray, threshold: float):
        """Keep per-class means (classes x features) and inverse covariances (classes x f x f)."""
        self._means = means
        self._precisions = precisions
        self.threshold = threshold

    @classmethod
    def from_block(cls, block: NoveltyBlock) -> NoveltyScorer:
        """Build the scorer from the card's ``novelty`` block."""
        means = np.array([c.mean for c in block.classes.values()], dtype=np.float64)
        covariances = np.array([c.covariance for c in block.classes.values()], dtype=np.float64)
        return cls(means, np.linalg.inv(covariances), block.threshold)

    def scores(self, rows: np.ndarray) -> np.ndarray:
        """Return each row's Mahalanobis distance to the nearest class."""
        matrix = np.atleast_2d(np.asarray(rows, dtype=np.float64))
        squared = [
            np.einsum("ij,jk,ik->i", matrix - mean, precision, matrix - mean)
            for mean, precision in zip(self._means, self._precisions, strict=True)
        ]
        return np.sqrt(np.maximum(np.min(squared, axis=0), 0.0))

    def check(self, row: np.ndarray) -> OutlierCheck:
        """Return the answer for one flower."""
        score = float(self.scores(row)[0])
        return OutlierCheck(score > self.threshold, score, self.threshold)
