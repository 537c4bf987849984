"""The joint unusual-flower check: how far four measurements lie from every species the model learnt.

The model card carries, per class, the mean and covariance of the training rows; a flower's score is its
Mahalanobis distance to the nearest class. Petals longer than sepals, setosa sepals on virginica petals,
or every measurement at a range's end lie far from all three clouds, although each value alone may be
ordinary. The threshold was set on the training rows when the model was exported (see training/unusual.py).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np

from desktop.prediction.model_card import UnusualCheckBlock


class UnusualCheck(NamedTuple):
    """The check's answer for one flower (immutable; a named tuple, built on every prediction)."""

    flag: bool
    score: float
    threshold: float

    def to_json(self) -> dict[str, object]:
        """Return the answer as ``{"flag", "score", "threshold"}``."""
        return {"flag": self.flag, "score": self.score, "threshold": self.threshold}


class UnusualScorer:
    """Scores rows of measurements (card feature order) against the card's per-class statistics.

    Each precision matrix P is factored once as P = UᵀU (U upper triangular, by Cholesky), so a squared
    distance is a sum of squares, |U (x - mean)|². One flower is scored in plain Python (NumPy's cost per
    call outweighs the few multiply-adds of a 1x4 row), many in NumPy column by column; both add the same
    terms in the same order, so a flower scores the same alone and in a batch, to the last bit.
    """

    def __init__(self, means: np.ndarray, precisions: np.ndarray, threshold: float):
        """Keep per-class means (classes x features) and inverse covariances (classes x f x f)."""
        self._means = np.asarray(means, dtype=np.float64)
        self._factors = np.linalg.cholesky(np.asarray(precisions, dtype=np.float64)).transpose(0, 2, 1)
        self.threshold = threshold
        # Per class: the mean, then U's upper triangle row by row (u00 u01 … u0f, u11 …, …, uff).
        self._flat = tuple(
            (*mean, *(u for k, row in enumerate(factor) for u in row[k:]))
            for mean, factor in zip(self._means.tolist(), self._factors.tolist(), strict=True)
        )
        width = self._means.shape[1]
        self._nearest_squared = _nearest_squared_4 if width == 4 else _nearest_squared_any(width)

    @classmethod
    def from_block(cls, block: UnusualCheckBlock) -> UnusualScorer:
        """Build the scorer from the card's ``novelty`` block."""
        means = np.array([c.mean for c in block.classes.values()], dtype=np.float64)
        covariances = np.array([c.covariance for c in block.classes.values()], dtype=np.float64)
        return cls(means, np.linalg.inv(covariances), block.threshold)

    def scores(self, rows: np.ndarray) -> np.ndarray:
        """Return each row's Mahalanobis distance to the nearest class."""
        columns = np.atleast_2d(np.asarray(rows, dtype=np.float64)).T
        nearest = np.full(columns.shape[1], np.inf)
        for mean, factor in zip(self._means.tolist(), self._factors.tolist(), strict=True):
            diffs = [column - m for column, m in zip(columns, mean, strict=True)]
            total = np.zeros_like(nearest)
            for k, coefficients in enumerate(factor):
                z = coefficients[k] * diffs[k]
                for j in range(k + 1, len(diffs)):
                    z = z + coefficients[j] * diffs[j]
                total = total + z * z
            nearest = np.minimum(nearest, total)
        return np.sqrt(nearest)

    def score(self, values: Sequence[float]) -> float:
        """Return one flower's distance to the nearest class, in plain Python (floats in card order)."""
        return math.sqrt(self._nearest_squared(values, self._flat))

    def check(self, values: Sequence[float]) -> UnusualCheck:
        """Return the answer for one flower."""
        score = self.score(values)
        return UnusualCheck(score > self.threshold, score, self.threshold)


def _nearest_squared_any(width: int) -> Callable[[Sequence[float], Sequence[Sequence[float]]], float]:
    """Return the smallest |U (x - mean)|² over the classes for ``width`` features, sums left to right."""

    def nearest_squared(values: Sequence[float], classes: Sequence[Sequence[float]]) -> float:
        nearest = math.inf
        for flat in classes:
            diffs = [x - m for x, m in zip(values, flat[:width], strict=True)]
            total, start = 0.0, width
            for k in range(width):
                z = 0.0
                for u, d in zip(flat[start : start + width - k], diffs[k:], strict=True):
                    z += u * d
                total += z * z
                start += width - k
            nearest = min(nearest, total)
        return nearest

    return nearest_squared


def _nearest_squared_4(values: Sequence[float], classes: Sequence[Sequence[float]]) -> float:
    """Return ``_nearest_squared_any(4)``'s answer written out: the same sums in the same order, faster."""
    x0, x1, x2, x3 = values
    nearest = math.inf
    for m0, m1, m2, m3, u00, u01, u02, u03, u11, u12, u13, u22, u23, u33 in classes:
        d0, d1, d2, d3 = x0 - m0, x1 - m1, x2 - m2, x3 - m3
        z0 = u00 * d0 + u01 * d1 + u02 * d2 + u03 * d3
        z1 = u11 * d1 + u12 * d2 + u13 * d3
        z2 = u22 * d2 + u23 * d3
        z3 = u33 * d3
        total = z0 * z0 + z1 * z1 + z2 * z2 + z3 * z3
        if total < nearest:
            nearest = total
    return nearest
