"""Specification of the drift checks and of what the monitoring report tells the lab to do."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
from sklearn.datasets import load_iris

from training.field import schema as fs
from training.monitor import challenger_test, drift, drift_where
from training.monitor.figures import FieldFigures
from training.monitor.verdict import MIN_CONFIRMED, Action, UnusualRate, decide
from training.schema import CLASSES, FEATURE_NAMES

IRIS = load_iris().data


def field(confirmed: int, correct: int) -> FieldFigures:
    return FieldFigures(confirmed + 10, confirmed, correct, (), None, 0.0, 0.0, None, {}, {}, {})


def resampled(seed: int, rows: int = 50) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.round(IRIS[rng.integers(0, len(IRIS), rows)] + rng.normal(0, 0.1, (rows, 4)), 1)


def laptops(shifted: dict[str, float], rows: int = 40, seed: int = 3) -> pd.DataFrame:
    """Return a field table of one block of ``rows`` observations per device, petals lengthened as given."""
    frames = []
    start = datetime(2026, 11, 2, 9, tzinfo=UTC)
    for k, (device, shift) in enumerate(shifted.items()):
        values = resampled(seed + k, rows) + [0, 0, shift, 0]
        frame = pd.DataFrame(values, columns=list(FEATURE_NAMES))
        frame[fs.DEVICE] = device
        frame[fs.OBSERVER] = f"botanist {k}"
        frame[fs.OBSERVED_AT] = [(start + timedelta(hours=k * 7 + i)).isoformat() for i in range(rows)]
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def test_resampled_iris_rarely_drifts_and_longer_petals_always_do() -> None:
    alarms = sum(bool(drift.compare(IRIS, resampled(seed)).drifted) for seed in range(40))
    shifted = [drift.compare(IRIS, resampled(seed) + [0, 0, 1.0, 0]).drifted for seed in range(40)]
    assert alarms <= 2
    assert all("petal_length" in [f.name for f in found] for found in shifted)


def test_psi_is_zero_for_the_same_sample_and_grows_with_the_shift() -> None:
    column = IRIS[:, 2]
    assert drift.psi(column, column) == 0.0
    assert drift.psi(column, column + 0.5) < drift.psi(column, column + 1.5)


def test_holm_multiplies_the_smallest_p_by_the_number_of_tests_and_stays_monotone() -> None:
    assert drift_where.holm([0.01, 0.04, 0.03, 0.5]) == [0.04, 0.09, 0.09, 0.5]


def test_one_shifted_laptop_is_named_although_the_pooled_data_hides_it() -> None:
    table = laptops({"laptop-A": 0.0, "laptop-B": 0.0, "laptop-C": 0.0, "laptop-D": 0.0, "laptop-E": 1.0})
    found = drift_where.scan(IRIS, table)
    verdict = decide(field(0, 0), found)
    assert verdict.needs_action and not verdict.retrain
    assert verdict.actions[0][0] is Action.CHECK_MEASUREMENTS and "laptop-E" in verdict.todo
    assert verdict.reason == (
        "laptop-E (observer botanist 4): petal length 1.4 cm longer than in training (KS p = 1e-06, PSI 4.2)."
    )
    assert not any(d.drifted for d in found if d.name in ("laptop-A", "laptop-B", "laptop-C", "laptop-D"))


def test_slices_below_thirty_observations_are_not_tested_on_their_own() -> None:
    table = laptops({"laptop-A": 0.0, "laptop-B": 1.0}, rows=29)
    assert {d.where for d in drift_where.scan(IRIS, table)} == {drift_where.Where.ALL}


def test_every_reason_is_listed_and_retraining_leads() -> None:
    table = laptops({"laptop-A": 1.0, "laptop-B": 1.0})
    verdict = decide(field(MIN_CONFIRMED, 24), drift_where.scan(IRIS, table), UnusualRate(30, 40, 0.01))
    assert verdict.retrain and verdict.actions[0][0] is Action.RETRAIN
    assert (
        "all observations: petal length 1." in verdict.reason
        and "laptop-B (observer botanist 1): petal length 1." in verdict.reason
    )
    assert (
        "field accuracy 24/30 = 0.800 on confirmed observations is below the gate's floor" in verdict.reason
    )
    assert (
        "the joint check flagged 30 of 40 observations as outliers (75%), against 1.0% of the"
        in verdict.reason
    )


def test_an_outlier_rate_like_the_training_data_is_no_reason() -> None:
    assert not UnusualRate(1, 60, 0.01).raised and UnusualRate(5, 60, 0.01).raised


def test_low_field_accuracy_recommends_retraining_only_on_enough_confirmed_observations() -> None:
    calm = drift_where.scan(IRIS, laptops({"laptop-A": 0.0}))
    assert not any(d.drifted for d in calm)
    assert decide(field(MIN_CONFIRMED, MIN_CONFIRMED - 4), calm).retrain  # 26/30 < 0.90
    healthy = decide(field(MIN_CONFIRMED, MIN_CONFIRMED - 3), calm)  # 27/30 = 0.90
    assert not healthy.needs_action and healthy.todo == "nothing to do."
    few = decide(field(MIN_CONFIRMED - 1, 0), calm)
    assert not few.retrain and "too few" in few.reason


def paired(champion_right: int, challenger_right: int, rows: int, release: str) -> pd.DataFrame:
    truth = [CLASSES[i % 3] for i in range(rows)]
    wrong = [CLASSES[(i + 1) % 3] for i in range(rows)]
    return pd.DataFrame(
        {
            fs.CONFIRMED: truth,
            fs.PREDICTED: [
                t if i < champion_right else w for i, (t, w) in enumerate(zip(truth, wrong, strict=True))
            ],
            fs.CHALLENGER: [
                t if i < challenger_right else w for i, (t, w) in enumerate(zip(truth, wrong, strict=True))
            ],
            fs.CHALLENGER_RELEASE: release,
        }
    )


def test_a_challenger_better_on_40_paired_confirmations_is_promoted_and_each_version_judged_alone() -> None:
    table = pd.concat(
        [
            paired(30, 40, 40, "iris-classifier v5 (release 3 of lab)"),
            paired(8, 9, 10, "iris-classifier v6 (release 4 of lab)"),
            paired(40, 38, 40, "iris-classifier v7 (release 5 of lab)"),
        ]
    )
    v5, v6, v7 = challenger_test.compare(table)
    assert (v5.rows, v5.champion_only, v5.challenger_only, v5.advice) == (40, 0, 10, "promote")
    assert v5.p_value == 2 * 0.5**10
    assert v6.advice == "too few to tell" and v7.advice == "keep"
    verdict = decide(field(0, 0), (), None, (v5, v6, v7))
    assert verdict.actions == ((Action.PROMOTE, "promote the iris-classifier v5 challenger"),)
    assert "challenger iris-classifier v5 (release 3 of lab): 40/40 right against the champion's 30/40" in (
        verdict.reason
    )
