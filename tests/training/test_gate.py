"""The gate decides on whole counts: exactly at a floor passes, one row short fails."""

from __future__ import annotations

from training.gate import GateInput, decide


def test_candidate_exactly_at_both_floors_with_no_champion_passes():
    verdict = decide(GateInput(1425, 1500, 27, 30, None))
    assert verdict.passed
    assert "no champion yet" in verdict.summary()


def test_one_cross_validation_error_below_the_floor_fails():
    verdict = decide(GateInput(1424, 1500, 30, 30, None))
    assert not verdict.passed
    assert "cross-validated accuracy 1424/1500 = 0.949 is below the floor 0.95" in verdict.summary()


def test_a_held_out_score_below_the_sanity_floor_fails_despite_good_cross_validation():
    verdict = decide(GateInput(1500, 1500, 26, 30, None))
    assert not verdict.passed
    assert "held-out test accuracy 26/30 = 0.867 is below" in verdict.summary()


def test_a_candidate_worse_than_the_champion_on_the_same_rows_fails():
    verdict = decide(GateInput(1480, 1500, 28, 30, champion_test_correct=29))
    assert not verdict.passed
    assert "the candidate is worse" in verdict.summary()
    assert verdict.summary().startswith("Gate: REFUSED (the champion stays as it was)")


def test_a_candidate_that_ties_the_champion_passes():
    assert decide(GateInput(1430, 1500, 28, 30, champion_test_correct=28)).passed
