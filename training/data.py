"""Labelled Iris measurements: the bundled set or a lab CSV, a fingerprint, the split and the statistics."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from desktop.model_card import FeatureStats
from training.schema import CLASSES, FEATURE_NAMES, SPECIES_COLUMN
from training.validate import validate_table

# sklearn's names for the bundled set, in schema order; checked so a reordering upstream cannot slip by.
_SKLEARN_FEATURES = ("sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)")


@dataclass(frozen=True)
class LabelledData:
    """Measurements (rows x features, cm, schema order) with class indices into ``CLASSES``."""

    features: np.ndarray
    labels: np.ndarray
    source: str

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
        return LabelledData(self.features[rows], self.labels[rows], self.source)


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


def load_csv(path: Path) -> LabelledData:
    """Read and validate a CSV of measurements with a species column; raise ``DataError`` if unusable."""
    from training.errors import DataError

    path = Path(path)
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except FileNotFoundError:
        raise DataError(f"the data file {path} does not exist") from None
    except IsADirectoryError:
        raise DataError(f"the data file {path} is a folder, not a CSV file") from None
    except pd.errors.EmptyDataError:
        raise DataError(f"the data file {path} is empty") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"the data file {path} is not a readable CSV file ({reason})") from None
    except OSError as exc:
        raise DataError(f"the data file {path} cannot be read: {exc.strerror}") from None
    features, labels = validate_table(table, str(path))
    return LabelledData(features, labels, str(path))


def split(data: LabelledData, *, test_size: float, seed: int) -> Split:
    """Split stratified by species, so every class keeps its share in both parts."""
    rows = np.arange(len(data))
    train_rows, test_rows = train_test_split(
        rows, test_size=test_size, stratify=data.labels, random_state=seed, shuffle=True
    )
    return Split(data.subset(train_rows), data.subset(test_rows), train_rows, test_rows)


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
