"""The gate decides on whole counts: exactly at a floor passes, one row short fails."""

from __future__ import annotations

from training.champion_comparison import Comparison, ComparisonMethod
from training.gate import GateInput, decide


def _on_unseen_rows(champion: int, candidate: int, total: int = 24) -> Comparison:
    return Comparison(ComparisonMethod.UNSEEN_ROWS, "3", candidate, champion, total, 30, total)


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
    verdict = decide(GateInput(1480, 1500, 28, 30, _on_unseen_rows(champion=23, candidate=22)))
    assert not verdict.passed
    assert (
        "on the 24 of its 30 held-out rows that champion version 3 never trained on, the champion scores "
        "23/24 and the candidate 22/24, so the candidate is worse" in verdict.summary()
    )
    assert verdict.summary().startswith("Gate: REFUSED (the champion stays as it was)")


def test_a_candidate_that_ties_the_champion_passes():
    assert decide(GateInput(1430, 1500, 28, 30, _on_unseen_rows(champion=22, candidate=22))).passed


def test_a_cross_validated_comparison_names_why_and_the_champion_configuration():
    comparison = Comparison(
        ComparisonMethod.CROSS_VALIDATED, "2", 1425, 1424, 1500, 30, 6, "model random-forest, seed 42"
    )
    verdict = decide(GateInput(1425, 1500, 28, 30, comparison))
    assert verdict.passed
    assert (
        "only 6 of the candidate's 30 held-out rows are unseen by champion version 2 (fewer than 20), so "
        "the champion's configuration (model random-forest, seed 42) was cross-validated on the "
        "candidate's folds: 1424/1500 against the candidate's 1425/1500" in verdict.summary()
    )
