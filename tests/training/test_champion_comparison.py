"""The gate's comparison when the champion saw the candidate's held-out rows: its settings cross-validated."""

from __future__ import annotations

import mlflow
import numpy as np
import pytest

from training import champion_comparison, evaluate, register
from training.champion_comparison import CandidateView, ComparisonMethod
from training.data import load_bundled, split
from training.models import ModelConfig, build_estimator
from training.schema import CHAMPION


@pytest.fixture
def champion(trained_store) -> register.VersionRef:
    """Return the session store's champion: the course configuration, trained on 120 bundled rows."""
    mlflow.set_tracking_uri(trained_store.uri)
    found = register.find_version(alias=CHAMPION)
    assert found is not None
    return found


def _candidate_on_seen_rows(config: ModelConfig, repeats: int = 1) -> CandidateView:
    """Return a candidate of ``config`` whose 'held-out' rows are the champion's own training rows."""
    labelled = load_bundled()
    seen = split(labelled, test_size=0.2, seed=42).train.subset(np.arange(30))
    cv = evaluate.cross_validate_accuracy(
        build_estimator(config), labelled, folds=5, repeats=repeats, seed=config.seed
    )
    model = build_estimator(config).fit(labelled.frame(), labelled.labels)
    return CandidateView(labelled, seen, model, cv.correct, 5, repeats, config.seed, config)


def test_other_settings_are_cross_validated_on_the_candidates_folds(champion) -> None:
    candidate = _candidate_on_seen_rows(ModelConfig(n_estimators=3, max_depth=1))
    comparison = champion_comparison.compare(champion, candidate)
    assert comparison.method is ComparisonMethod.CROSS_VALIDATED and comparison.unseen == 0
    expected = evaluate.cross_validate_accuracy(
        build_estimator(ModelConfig()), load_bundled(), folds=5, repeats=1, seed=42
    )
    assert (comparison.champion_correct, comparison.total) == (expected.correct, 150)
    assert comparison.candidate_correct == candidate.cv_correct
    assert "n_estimators 100" in comparison.champion_config


def test_the_champions_own_settings_score_what_the_candidate_scored_on_the_same_folds(champion) -> None:
    candidate = _candidate_on_seen_rows(ModelConfig(), repeats=2)
    comparison = champion_comparison.compare(champion, candidate)
    assert comparison.method is ComparisonMethod.CROSS_VALIDATED
    refitted = evaluate.cross_validate_accuracy(
        build_estimator(ModelConfig()), load_bundled(), folds=5, repeats=2, seed=42
    )
    assert (comparison.champion_correct, comparison.total) == (refitted.correct, refitted.total)
    assert comparison.champion_correct == comparison.candidate_correct
