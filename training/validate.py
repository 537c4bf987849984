"""Check a table of raw CSV text against the schema before anything is trained on it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from training.errors import DataError
from training.schema import CLASSES, FEATURES, SPECIES_COLUMN

# Stratified 5-fold cross-validation and a 20 % test split need a few rows of every class in every part.
MIN_ROWS_PER_CLASS = 10


def _species_index(text: str) -> int | None:
    """Map a species cell to a class index; accepts "setosa", "Setosa" and the UCI form "Iris-setosa"."""
    name = text.strip().lower()
    if name.startswith("iris-") or name.startswith("iris "):
        name = name[5:]
    return CLASSES.index(name) if name in CLASSES else None


def validate_table(table: pd.DataFrame, source: str) -> tuple[np.ndarray, np.ndarray]:
    """Return (features, labels) from a table of strings; raise ``DataError`` naming the first problem.

    Row numbers in messages are the CSV's line numbers (the header is line 1).
    """
    columns = {str(c).strip().lower(): c for c in table.columns}
    if len(columns) != len(table.columns):
        raise DataError(f"{source} has two columns with the same name")
    expected = [f.name for f in FEATURES] + [SPECIES_COLUMN]
    missing = [name for name in expected if name not in columns]
    if missing:
        raise DataError(
            f"{source} lacks the column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"(expected {', '.join(expected)})"
        )
    if len(table) == 0:
        raise DataError(f"{source} has a header but no rows")

    features = np.empty((len(table), len(FEATURES)), dtype=np.float64)
    for j, spec in enumerate(FEATURES):
        cells = table[columns[spec.name]].astype(str).str.strip()
        for i, cell in enumerate(cells):
            line = i + 2
            if cell == "" or cell.lower() in ("na", "nan", "null", "none"):
                raise DataError(f"{source} line {line}: {spec.name} is missing")
            try:
                features[i, j] = float(cell)
            except ValueError:
                raise DataError(f"{source} line {line}: {spec.name} {cell!r} is not a number") from None
    species = [str(cell) for cell in table[columns[SPECIES_COLUMN]]]
    return check_labelled(features, species, list(range(2, len(table) + 2)), source)


def check_labelled(
    features: np.ndarray, species: Sequence[str], lines: Sequence[int], source: str
) -> tuple[np.ndarray, np.ndarray]:
    """Return (features, labels) once every value is plausible and every species known and common enough.

    ``lines`` are the file's line numbers of the rows, for the messages.
    """
    for i, j in zip(*np.nonzero(~np.isfinite(features)), strict=True):
        raise DataError(f"{source} line {lines[i]}: {FEATURES[j].name} is missing")
    for j, spec in enumerate(FEATURES):
        for i, value in enumerate(features[:, j]):
            if not spec.plausible_min < value <= spec.plausible_max:
                raise DataError(
                    f"{source} line {lines[i]}: {spec.name} {value:g} {spec.unit} is outside the plausible "
                    f"range (more than {spec.plausible_min:g} and at most {spec.plausible_max:g} {spec.unit})"
                )

    labels = np.empty(len(species), dtype=np.int64)
    for i, cell in enumerate(species):
        line = lines[i]
        if cell.strip() == "":
            raise DataError(f"{source} line {line}: {SPECIES_COLUMN} is missing")
        index = _species_index(cell)
        if index is None:
            raise DataError(
                f"{source} line {line}: species {cell.strip()!r} is not one of {', '.join(CLASSES)}"
            )
        labels[i] = index

    counts = np.bincount(labels, minlength=len(CLASSES))
    absent = [c for c, n in zip(CLASSES, counts, strict=True) if n == 0]
    if absent:
        raise DataError(f"{source} has no rows of {', '.join(absent)}; all three species are needed")
    scarce = [f"{c} ({n})" for c, n in zip(CLASSES, counts, strict=True) if n < MIN_ROWS_PER_CLASS]
    if scarce:
        raise DataError(
            f"{source} has too few rows of {', '.join(scarce)}; "
            f"at least {MIN_ROWS_PER_CLASS} per species are needed"
        )
    return features, labels
