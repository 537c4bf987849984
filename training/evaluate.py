"""Score a classifier: held-out test metrics and repeated stratified cross-validation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.base import ClassifierMixin, clone
from sklearn.metrics import confusion_matrix, f1_score, precision_score, recall_score
from sklearn.model_selection import cross_validate

from training import splits
from training.data import LabelledData
from training.schema import CLASSES


@dataclass(frozen=True)
class TestScores:
    """How a fitted model did on one set of rows; counts are kept so the gate can compare exactly."""

    correct: int
    total: int
    macro_f1: float
    precision: dict[str, float]
    recall: dict[str, float]
    confusion: np.ndarray  # rows: true class, columns: predicted class, in CLASSES order

    @property
    def accuracy(self) -> float:
        """Return the share of rows predicted right."""
        return self.correct / self.total


@dataclass(frozen=True)
class CvScores:
    """Repeated stratified k-fold accuracy: each row predicted once per repeat by a model blind to it."""

    correct: int
    total: int
    fold_accuracies: tuple[float, ...]
    folds: int
    repeats: int

    @property
    def mean(self) -> float:
        """Return the pooled accuracy over all repeats (equals the mean of the repeat accuracies)."""
        return self.correct / self.total

    @property
    def std(self) -> float:
        """Return the standard deviation of the single-fold accuracies."""
        return float(np.std(self.fold_accuracies))


def score(model: ClassifierMixin, data: LabelledData) -> TestScores:
    """Score a fitted model on ``data``."""
    predicted = np.asarray(model.predict(data.frame()), dtype=np.int64)
    labels = list(range(len(CLASSES)))
    precision = precision_score(data.labels, predicted, labels=labels, average=None, zero_division=0)
    recall = recall_score(data.labels, predicted, labels=labels, average=None, zero_division=0)
    return TestScores(
        correct=int((predicted == data.labels).sum()),
        total=len(data),
        macro_f1=float(f1_score(data.labels, predicted, labels=labels, average="macro", zero_division=0)),
        precision={c: float(p) for c, p in zip(CLASSES, precision, strict=True)},
        recall={c: float(r) for c, r in zip(CLASSES, recall, strict=True)},
        confusion=confusion_matrix(data.labels, predicted, labels=labels),
    )


def cross_validate_accuracy(
    estimator: ClassifierMixin, data: LabelledData, *, folds: int, repeats: int, seed: int
) -> CvScores:
    """Run repeated stratified k-fold cross-validation of an unfitted estimator on ``data``.

    Exact duplicates share a fold (see ``training.splits``), so no row is scored by a model that saw its copy.
    """
    folds_rows = splits.cv_folds(
        data.features, data.labels, data.field_mask, folds=folds, repeats=repeats, seed=seed
    )
    result = cross_validate(
        clone(estimator), data.frame(), data.labels, cv=folds_rows, scoring="accuracy", n_jobs=-1
    )
    accuracies = tuple(float(a) for a in result["test_score"])
    sizes = [len(test) for _, test in folds_rows]
    correct = sum(round(a * n) for a, n in zip(accuracies, sizes, strict=True))
    return CvScores(correct, sum(sizes), accuracies, folds, repeats)
