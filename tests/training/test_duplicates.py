"""One duplicate rule for the bundled set and files: copies kept, each with its first row on every side."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from training import splits, train
from training.data import LabelledData, count_duplicates, load_bundled, load_csv
from training.models import ModelConfig


def _gate_figures(data_file) -> tuple[str, tuple[int, ...]]:
    options = train.TrainOptions(ModelConfig(), data_file, cv_repeats=1)
    out = io.StringIO()
    candidate = train.train_candidate(options, out)
    figures = (candidate.cv.correct, candidate.cv.total, candidate.test.correct, candidate.test.total)
    return out.getvalue(), figures


def test_the_bundled_set_and_the_same_150_rows_as_a_file_give_the_same_figures(tmp_path) -> None:
    iris = tmp_path / "iris.csv"
    load_bundled().to_csv_frame().to_csv(iris, index=False)
    said_file, figures_file = _gate_figures(iris)
    said_bundled, figures_bundled = _gate_figures(None)
    assert figures_file == figures_bundled
    assert "1 row repeats an earlier row" in said_file and "1 row repeats an earlier row" in said_bundled


def test_iris_three_times_never_tests_a_flower_against_its_own_copy(tmp_path) -> None:
    iris = load_bundled().to_csv_frame()
    thrice = tmp_path / "thrice.csv"
    pd.concat([iris, iris, iris]).to_csv(thrice, index=False)
    data = load_csv(thrice, io.StringIO())
    assert count_duplicates(data) == 301
    groups = splits.duplicate_groups(data.features, data.labels)
    train_rows, test_rows = splits.holdout_rows(
        data.features, data.labels, data.field_mask, test_size=0.2, seed=42
    )
    assert not set(groups[train_rows]) & set(groups[test_rows])
    for fit, scored in splits.cv_folds(
        data.features, data.labels, data.field_mask, folds=5, repeats=2, seed=1
    ):
        assert not set(groups[fit]) & set(groups[scored])


def test_count_duplicates_counts_rows_that_repeat_measurements_and_species() -> None:
    data = LabelledData(
        np.array([[1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3, 5], [1, 2, 3, 4.0]]), np.array([0, 0, 0, 1]), "t"
    )
    assert count_duplicates(data) == 1
