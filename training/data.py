"""Labelled Iris measurements: the bundled set or a lab CSV, a fingerprint, the split and the statistics."""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import numpy as np
import pandas as pd

from desktop.prediction.model_card import FeatureStats
from training import splits
from training.schema import CLASSES, FEATURE_NAMES, FEATURES, SPECIES_COLUMN
from training.validate import check_labelled

# sklearn's names for the bundled set, in schema order; checked so a reordering upstream cannot slip by.
_SKLEARN_FEATURES = ("sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)")


@dataclass(frozen=True)
class LabelledData:
    """Measurements (rows x features, cm, schema order) with class indices into ``CLASSES``."""

    features: np.ndarray
    labels: np.ndarray
    source: str
    field: np.ndarray | None = None  # True for rows from field observations; None: all from the lab

    @property
    def field_mask(self) -> np.ndarray:
        """Return, per row, whether it came from a field observation."""
        return np.zeros(len(self), dtype=bool) if self.field is None else np.asarray(self.field, dtype=bool)

    def __len__(self) -> int:
        return int(self.labels.shape[0])

    def fingerprint(self) -> str:
        """Return a sha256 over names, classes, values and labels: equal data, equal fingerprint."""
        digest = hashlib.sha256()
        digest.update(",".join(FEATURE_NAMES).encode() + b"|" + ",".join(CLASSES).encode() + b"|")
        digest.update(np.ascontiguousarray(self.features, dtype="<f8").tobytes())
        digest.update(np.ascontiguousarray(self.labels, dtype="<i8").tobytes())
        return digest.hexdigest()

    def frame(self) -> pd.DataFrame:
        """Return the measurements as a float64 frame with the schema's column names."""
        return pd.DataFrame(self.features, columns=list(FEATURE_NAMES))

    def to_csv_frame(self) -> pd.DataFrame:
        """Return measurements plus species names, the format ``--data`` reads."""
        frame = self.frame()
        frame[SPECIES_COLUMN] = [CLASSES[i] for i in self.labels]
        return frame

    def subset(self, rows: np.ndarray) -> LabelledData:
        """Return the given rows as a new data set."""
        field = None if self.field is None else self.field[rows]
        return LabelledData(self.features[rows], self.labels[rows], self.source, field)


@dataclass(frozen=True)
class Split:
    """A stratified train/test split, kept as row indices so it can be logged and replayed."""

    train: LabelledData
    test: LabelledData
    train_rows: np.ndarray
    test_rows: np.ndarray


def load_bundled() -> LabelledData:
    """Return the Iris set that ships with scikit-learn (no download)."""
    from sklearn.datasets import load_iris

    bunch = load_iris()
    if tuple(bunch.feature_names) != _SKLEARN_FEATURES or tuple(bunch.target_names) != CLASSES:
        raise RuntimeError("scikit-learn's bundled Iris set no longer has the expected columns")
    return LabelledData(
        np.asarray(bunch.data, dtype=np.float64), np.asarray(bunch.target, dtype=np.int64), "sklearn:iris"
    )


def load_csv(path: Path, out: TextIO | None = None) -> LabelledData:
    """Read and validate measurements with species, the way ``predict --csv`` reads measurements.

    Any header ``predict --csv`` accepts (English or German labels, R's ``Sepal.Length``, units), UCI's
    headerless ``iris.data``, and Windows-1252 files (said on ``out``). Raise ``DataError`` if unusable.
    """
    from desktop.errors import InputError
    from desktop.tables.measurement_table import TextColumn, read_table
    from training.errors import DataError

    path = Path(path)
    try:
        table = read_table(path, FEATURES)
    except InputError as exc:
        raise DataError(str(exc)) from None
    if TextColumn.SPECIES not in table.columns:
        raise DataError(
            f"{path} lacks the column {SPECIES_COLUMN} "
            f"(expected {', '.join(FEATURE_NAMES)} and {SPECIES_COLUMN})"
        )
    for notice in table.notices:
        print(f"Note: {notice}.", file=out or sys.stdout)
    bad = table.problems
    if bad:
        raise DataError(f"{path} line {bad[0].line}: {bad[0].problem}")
    features = np.array([row.measurements for row in table.rows], dtype=np.float64)
    lines = [row.line for row in table.rows]
    labelled, labels = check_labelled(features, [row.species for row in table.rows], lines, str(path))
    return LabelledData(labelled, labels, str(path))


def count_duplicates(data: LabelledData) -> int:
    """Return how many rows repeat an earlier row exactly (same measurements, same species).

    Copies are kept, in the bundled set as in a file, so the same flowers give the same figures either
    way; each copy follows its first row to the same side of the split and into the same CV fold
    (``training.splits``), so no flower is ever "predicted" from its own copy.
    """
    rows = np.column_stack([data.features, data.labels])
    return len(data) - len(np.unique(rows, axis=0))


def split(data: LabelledData, *, test_size: float, seed: int) -> Split:
    """Split lab and field rows each stratified by species; exact duplicates never straddle the split."""
    train_rows, test_rows = splits.holdout_rows(
        data.features, data.labels, data.field_mask, test_size=test_size, seed=seed
    )
    return Split(data.subset(train_rows), data.subset(test_rows), train_rows, test_rows)


def combine(lab: LabelledData, field: LabelledData) -> LabelledData:
    """Return lab rows followed by field rows, each marked with where it came from."""
    return LabelledData(
        np.vstack([lab.features, field.features]),
        np.concatenate([lab.labels, field.labels]),
        f"{lab.source} + {field.source}",
        np.concatenate([np.zeros(len(lab), dtype=bool), np.ones(len(field), dtype=bool)]),
    )


def _stats(values: np.ndarray) -> FeatureStats:
    return FeatureStats(
        min=float(values.min()),
        max=float(values.max()),
        mean=float(values.mean()),
        std=float(values.std(ddof=1)) if values.shape[0] > 1 else 0.0,
    )


def feature_stats(data: LabelledData) -> dict[str, tuple[FeatureStats, dict[str, FeatureStats]]]:
    """Return, per feature, the statistics over all rows and per class."""
    result = {}
    for j, name in enumerate(FEATURE_NAMES):
        column = data.features[:, j]
        per_class = {
            cls: _stats(column[data.labels == i]) for i, cls in enumerate(CLASSES) if (data.labels == i).any()
        }
        result[name] = (_stats(column), per_class)
    return result
