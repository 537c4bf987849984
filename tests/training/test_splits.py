"""Specification of where rows go: no row nor its exact duplicate on both sides of any split."""

from __future__ import annotations

import numpy as np
from sklearn.datasets import load_iris

from training import splits
from training.data import LabelledData, combine, load_bundled, split

IRIS = load_iris()


def as_rows(features: np.ndarray, labels: np.ndarray) -> set[tuple[float, ...]]:
    return {(*map(float, f), float(y)) for f, y in zip(features, labels, strict=True)}


def lab_and_field() -> LabelledData:
    """Iris three times over, plus field rows: 20 copies of lab rows and 20 new ones."""
    lab = LabelledData(np.tile(IRIS.data, (3, 1)), np.tile(IRIS.target, 3), "iris x3")
    rng = np.random.default_rng(0)
    copies = rng.choice(150, 20, replace=False)
    fresh = np.round(IRIS.data[rng.choice(150, 20)] + 0.05, 2)
    field = LabelledData(
        np.vstack([IRIS.data[copies], fresh]),
        np.concatenate([IRIS.target[copies], IRIS.target[rng.choice(150, 20)]]),
        "field",
    )
    return combine(lab, field)


def test_the_held_out_split_never_separates_a_row_from_its_duplicate() -> None:
    data = lab_and_field()
    parts = split(data, test_size=0.2, seed=42)
    assert not as_rows(parts.train.features, parts.train.labels) & as_rows(
        parts.test.features, parts.test.labels
    )
    assert len(parts.test) >= 0.15 * len(data)
    assert parts.test.field_mask.any() and parts.train.field_mask.any()  # field rows on both sides


def test_every_cross_validation_fold_keeps_duplicates_together() -> None:
    data = lab_and_field()
    for train, test in splits.cv_folds(
        data.features, data.labels, data.field_mask, folds=5, repeats=2, seed=1
    ):
        assert not as_rows(data.features[train], data.labels[train]) & as_rows(
            data.features[test], data.labels[test]
        )


def test_lab_rows_alone_keep_scikit_learns_split_and_folds_but_for_the_repeated_flower() -> None:
    from sklearn.model_selection import RepeatedStratifiedKFold, train_test_split

    lab = load_bundled()
    train, test = train_test_split(np.arange(150), test_size=0.2, stratify=lab.labels, random_state=42)
    parts = split(lab, test_size=0.2, seed=42)
    assert list(parts.train_rows) == list(train) and list(parts.test_rows) == list(test)
    plain = RepeatedStratifiedKFold(n_splits=5, n_repeats=2, random_state=42).split(lab.features, lab.labels)
    folds = splits.cv_folds(lab.features, lab.labels, lab.field_mask, folds=5, repeats=2, seed=42)
    copy = 142  # scikit-learn's iris repeats row 101 (0-based) as row 142
    assert (lab.features[copy] == lab.features[101]).all()
    assert [sorted(set(t) - {copy}) for _, t in folds] == [sorted(set(t) - {copy}) for _, t in plain]


def test_the_bundled_sets_repeated_flower_never_straddles_a_fold() -> None:
    lab = load_bundled()
    folds = splits.cv_folds(lab.features, lab.labels, lab.field_mask, folds=5, repeats=10, seed=42)
    assert len(folds) == 50
    for train, test in folds:
        assert sorted([*train, *test]) == list(range(150))
        assert (101 in test) == (142 in test)


def test_a_file_repeated_three_times_keeps_every_copy_in_one_fold() -> None:
    lab = load_bundled()
    thrice = LabelledData(np.tile(lab.features, (3, 1)), np.tile(lab.labels, 3), "iris x3")
    folds = splits.cv_folds(thrice.features, thrice.labels, thrice.field_mask, folds=5, repeats=2, seed=7)
    for train, test in folds:
        assert not as_rows(thrice.features[train], thrice.labels[train]) & as_rows(
            thrice.features[test], thrice.labels[test]
        )


def test_adding_field_rows_leaves_the_lab_rows_split_as_it_was() -> None:
    lab = load_bundled()
    alone = split(lab, test_size=0.2, seed=42)
    field = LabelledData(np.round(IRIS.data[:30] + 0.05, 2), IRIS.target[:30], "field")
    joined = split(combine(lab, field), test_size=0.2, seed=42)
    assert sorted(joined.test_rows[joined.test_rows < len(lab)]) == sorted(alone.test_rows)
