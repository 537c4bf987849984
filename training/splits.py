"""Where rows go: the held-out split and the cross-validation folds, one place for both.

Exact duplicates (equal measurements and species) form one group and always land on the same side,
so no row is ever tested against its own copy. Lab rows and field rows are split separately, each
stratified by species: the lab rows' split is the one a lab-only training with the same seed makes,
so a champion trained on lab data is not tested on rows it learned from when field rows join.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold, train_test_split


def duplicate_groups(features: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Return a group id per row; exact duplicates (measurements and species) share one."""
    rows = np.column_stack([np.asarray(features, dtype=np.float64), np.asarray(labels, dtype=np.float64)])
    _, groups = np.unique(rows, axis=0, return_inverse=True)
    return np.asarray(groups).ravel()


def _split_groups(groups: np.ndarray, group_labels: np.ndarray, test_size: float, seed: int) -> np.ndarray:
    """Return the groups held out: ``test_size`` of them, stratified by species where each has two."""
    if len(groups) < 2:
        return groups[:0]
    counts = np.unique(group_labels, return_counts=True)[1]
    stratify = group_labels if counts.min() >= 2 and len(groups) * test_size >= len(counts) else None
    _, test = train_test_split(
        groups, test_size=test_size, stratify=stratify, random_state=seed, shuffle=True
    )
    return np.asarray(test)


def holdout_rows(
    features: np.ndarray, labels: np.ndarray, field: np.ndarray, *, test_size: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Return (train rows, test rows): lab and field each split by species, duplicates kept together.

    A field row that duplicates a lab row follows the lab row.
    """
    groups = duplicate_groups(features, labels)
    lab_groups = np.unique(groups[~field])
    field_groups = np.setdiff1d(np.unique(groups[field]), lab_groups)
    label_of = {g: labels[np.flatnonzero(groups == g)[0]] for g in np.unique(groups)}
    test_groups = np.concatenate(
        [
            _split_groups(part, np.array([label_of[g] for g in part]), test_size, seed)
            for part in (lab_groups, field_groups)
        ]
    )
    is_test = np.isin(groups, test_groups)
    return np.flatnonzero(~is_test), np.flatnonzero(is_test)


def cv_folds(
    features: np.ndarray, labels: np.ndarray, field: np.ndarray, *, folds: int, repeats: int, seed: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Return repeated stratified k-fold (train, test) rows; duplicates share a fold.

    The folds are stratified by species and origin (lab or field).
    """
    groups = duplicate_groups(features, labels)
    strata = np.asarray(labels) * 2 + np.asarray(field, dtype=int)
    splits: list[tuple[np.ndarray, np.ndarray]] = []
    with warnings.catch_warnings():
        # A few confirmed field rows of a species make a stratum smaller than the folds: expected, harmless.
        warnings.filterwarnings("ignore", message="The least populated class", category=UserWarning)
        for repeat in range(repeats):
            splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed + repeat)
            splits += list(splitter.split(features, strata, groups))
    return splits
