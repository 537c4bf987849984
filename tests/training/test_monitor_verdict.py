"""Specification of the drift check and of when the monitoring report recommends retraining."""

from __future__ import annotations

import numpy as np
from sklearn.datasets import load_iris

from training import drift
from training.field_figures import FieldFigures
from training.monitor_verdict import MIN_CONFIRMED, decide

IRIS = load_iris().data


def field(confirmed: int, correct: int) -> FieldFigures:
    return FieldFigures(confirmed + 10, confirmed, correct, (), None, 0.0, 0.0, None, {}, {}, {})


def resampled(seed: int, rows: int = 50) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.round(IRIS[rng.integers(0, len(IRIS), rows)] + rng.normal(0, 0.1, (rows, 4)), 1)


def test_resampled_iris_rarely_drifts_and_longer_petals_always_do() -> None:
    alarms = sum(bool(drift.compare(IRIS, resampled(seed)).drifted) for seed in range(40))
    shifted = [drift.compare(IRIS, resampled(seed) + [0, 0, 1.0, 0]).drifted for seed in range(40)]
    assert alarms <= 2
    assert all("petal_length" in [f.name for f in found] for found in shifted)


def test_psi_is_zero_for_the_same_sample_and_grows_with_the_shift() -> None:
    column = IRIS[:, 2]
    assert drift.psi(column, column) == 0.0
    assert drift.psi(column, column + 0.5) < drift.psi(column, column + 1.5)


def test_low_field_accuracy_recommends_retraining_only_on_enough_confirmed_observations() -> None:
    calm = drift.compare(IRIS, resampled(1))
    assert not calm.drifted
    assert decide(field(MIN_CONFIRMED, MIN_CONFIRMED - 4), calm).retrain  # 26/30 < 0.90
    assert not decide(field(MIN_CONFIRMED, MIN_CONFIRMED - 3), calm).retrain  # 27/30 = 0.90
    few = decide(field(MIN_CONFIRMED - 1, 0), calm)
    assert not few.retrain and "too few" in few.reason


def test_drift_recommends_retraining_and_names_the_measurement() -> None:
    verdict = decide(field(0, 0), drift.compare(IRIS, resampled(2) + [0, 0, 1.0, 0]))
    assert verdict.retrain and "petal length" in verdict.reason and verdict.reason.count(".") >= 1
