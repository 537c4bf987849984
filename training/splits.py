"""Where rows go: the held-out split and the cross-validation folds, one place for both.

Exact duplicates (equal measurements and species) form one group and always land on the same side,
so no row is ever tested against its own copy. Lab rows and field rows are split separately, each
stratified by species: the lab rows' split is the one a lab-only training with the same seed makes
(scikit-learn's stratified split), so a champion trained on lab data is not tested on rows it learned
from when field rows join.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.model_selection import RepeatedStratifiedKFold, train_test_split


def duplicate_groups(features: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Return a group id per row; exact duplicates (measurements and species) share one."""
    rows = np.column_stack([np.asarray(features, dtype=np.float64), np.asarray(labels, dtype=np.float64)])
    _, groups = np.unique(rows, axis=0, return_inverse=True)
    return np.asarray(groups).ravel()


def _split_rows(
    rows: np.ndarray, labels: np.ndarray, test_size: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Return (train, test) rows, in shuffled order: ``test_size`` held out, stratified where possible."""
    if len(rows) < 2:
        return rows, rows[:0]
    counts = np.unique(labels, return_counts=True)[1]
    stratify = labels if counts.min() >= 2 and len(rows) * test_size >= len(counts) else None
    train, test = train_test_split(
        rows, test_size=test_size, stratify=stratify, random_state=seed, shuffle=True
    )
    return np.asarray(train), np.asarray(test)


def holdout_rows(
    features: np.ndarray, labels: np.ndarray, field: np.ndarray, *, test_size: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Return (train rows, test rows): lab and field rows each split by species, duplicates kept together.

    Every group of exact duplicates then follows its first lab row (else its first row), so a field row
    that repeats a lab row sits where that lab row sits.
    """
    labels = np.asarray(labels)
    field = np.asarray(field, dtype=bool)
    drawn = np.zeros(len(labels), dtype=bool)
    order = []  # rows in the order the splits shuffled them: a model fitted on them is reproducible
    for part in (np.flatnonzero(~field), np.flatnonzero(field)):
        train, test = _split_rows(part, labels[part], test_size, seed)
        drawn[test] = True
        order += [*train, *test]
    groups = duplicate_groups(features, labels)
    leader: dict[int, int] = {}
    for row in np.lexsort((np.arange(len(labels)), field)):  # lab rows first, each part in row order
        leader.setdefault(int(groups[row]), int(row))
    is_test = np.array([drawn[leader[int(g)]] for g in groups], dtype=bool)
    ordered = np.asarray(order, dtype=np.int64)
    return ordered[~is_test[ordered]], ordered[is_test[ordered]]


def cv_folds(
    features: np.ndarray, labels: np.ndarray, field: np.ndarray, *, folds: int, repeats: int, seed: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Return repeated stratified k-fold (train, test) rows; duplicates share a fold.

    The folds are scikit-learn's repeated stratified folds over species and origin (lab or field), so
    lab rows alone get exactly its folds; then every group of exact duplicates joins the fold of its
    first row (as in the held-out split), which moves only the copies (the bundled set's one repeated
    flower, rows 102 and 143, or the copies in a file that repeats rows).
    """
    labels = np.asarray(labels)
    strata = labels * 2 + np.asarray(field, dtype=int)
    groups = duplicate_groups(features, labels)
    _, first = np.unique(groups, return_index=True)
    leader = first[groups]  # each row's first copy
    plain = RepeatedStratifiedKFold(n_splits=folds, n_repeats=repeats, random_state=seed)
    fold_of = np.empty(len(labels), dtype=np.int64)
    result: list[tuple[np.ndarray, np.ndarray]] = []
    with warnings.catch_warnings():
        # A few confirmed field rows of a species make a stratum smaller than the folds: expected, harmless.
        warnings.filterwarnings("ignore", message="The least populated class", category=UserWarning)
        for number, (_, test) in enumerate(plain.split(features, strata)):
            fold_of[test] = number % folds
            if number % folds == folds - 1:  # one repeat complete: copies follow their first row
                assigned = fold_of[leader]
                result += [
                    (np.flatnonzero(assigned != k), np.flatnonzero(assigned == k)) for k in range(folds)
                ]
    return result
