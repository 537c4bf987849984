"""Exact duplicate rows never straddle the split or the CV folds: Iris three times scores as Iris once."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from training import train
from training.data import LabelledData, load_bundled, without_duplicates
from training.models import ModelConfig


def _gate_figures(data_file) -> tuple[str, tuple[int, ...]]:
    options = train.TrainOptions(ModelConfig(), data_file, cv_repeats=1)
    out = io.StringIO()
    candidate = train.train_candidate(options, out)
    figures = (candidate.cv.correct, candidate.cv.total, candidate.test.correct, candidate.test.total)
    return out.getvalue(), figures


def test_iris_three_times_gives_the_gate_the_figures_of_iris_once(tmp_path) -> None:
    iris = load_bundled().to_csv_frame()
    once, thrice = tmp_path / "once.csv", tmp_path / "thrice.csv"
    iris.to_csv(once, index=False)
    pd.concat([iris, iris, iris]).to_csv(thrice, index=False)
    said_once, figures_once = _gate_figures(once)
    said_thrice, figures_thrice = _gate_figures(thrice)
    assert figures_thrice == figures_once
    assert "dropped 1 exact duplicate row" in said_once  # Iris itself lists one flower twice
    assert "dropped 301 exact duplicate rows" in said_thrice


def test_without_duplicates_keeps_the_first_of_each_and_counts_the_rest() -> None:
    data = LabelledData(
        np.array([[1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3, 5], [1, 2, 3, 4.0]]), np.array([0, 0, 0, 1]), "t"
    )
    kept, dropped = without_duplicates(data)
    assert dropped == 1
    np.testing.assert_array_equal(kept.labels, [0, 0, 1])
    np.testing.assert_array_equal(kept.features[:, 3], [4, 5, 4])
