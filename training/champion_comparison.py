"""Champion against candidate, only on rows neither trained on: the gate's third rule.

The candidate's held-out rows less every row in the champion's logged training data (matched by the
four measurements) are rows neither model saw. Where fewer than ``MIN_UNSEEN_ROWS`` remain (a champion
trained on another file, seed or field snapshot may have seen most of them), the champion's
*configuration* is cross-validated on the candidate's own folds instead, and both cross-validated
counts are compared.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np

from training import register
from training.data import LabelledData
from training.errors import RegistryError
from training.models import MODEL_KINDS, RANDOM_FOREST, ModelConfig

# Fewer unseen held-out rows than this and one error would swing the comparison by 5 points or more.
MIN_UNSEEN_ROWS = 20


class ComparisonMethod(StrEnum):
    """Which comparison the gate made with the champion."""

    UNSEEN_ROWS = "unseen-rows"  # both fitted models on held-out rows neither trained on
    CROSS_VALIDATED = "cross-validated-configuration"  # the champion's settings on the candidate's folds


@dataclass(frozen=True)
class Comparison:
    """The champion against the candidate on the same rows, with the counts behind the verdict."""

    method: ComparisonMethod
    champion_version: str
    candidate_correct: int
    champion_correct: int
    total: int  # rows (or out-of-fold predictions) both were scored on
    held_out: int  # the candidate's held-out rows
    unseen: int  # of those, rows the champion never trained on (-1: its training data could not be read)
    champion_config: str = ""  # the champion's settings, when cross-validated

    @property
    def candidate_not_worse(self) -> bool:
        """Tell whether the candidate scores at least as many rows right as the champion (a tie passes)."""
        return self.candidate_correct >= self.champion_correct

    def sentence(self) -> str:
        """Return what was compared, with the counts, in one clause."""
        verdict = "not worse" if self.candidate_not_worse else "worse"
        if self.method is ComparisonMethod.UNSEEN_ROWS:
            return (
                f"on the {self.total} of its {self.held_out} held-out rows that champion version "
                f"{self.champion_version} never trained on, the champion scores {self.champion_correct}/"
                f"{self.total} and the candidate {self.candidate_correct}/{self.total}, so the candidate is "
                f"{verdict}"
            )
        why = (
            f"only {self.unseen} of the candidate's {self.held_out} held-out rows are unseen by champion "
            f"version {self.champion_version} (fewer than {MIN_UNSEEN_ROWS})"
            if self.unseen >= 0
            else f"the training data of champion version {self.champion_version} cannot be read"
        )
        return (
            f"{why}, so the champion's configuration ({self.champion_config}) was cross-validated on the "
            f"candidate's folds: {self.champion_correct}/{self.total} against the candidate's "
            f"{self.candidate_correct}/{self.total}, so the candidate is {verdict}"
        )


def unseen_mask(test_features: np.ndarray, seen_features: np.ndarray) -> np.ndarray:
    """Return, per test row, whether its four measurements appear nowhere in ``seen_features``."""
    seen = {tuple(row) for row in np.asarray(seen_features, dtype=np.float64).tolist()}
    return np.array(
        [tuple(row) not in seen for row in np.asarray(test_features, dtype=np.float64).tolist()], dtype=bool
    )


def config_from_params(params: dict[str, str]) -> ModelConfig:
    """Rebuild the model configuration a training run logged; raise ``RegistryError`` if it cannot."""
    try:
        kind = params.get("model", RANDOM_FOREST)
        if kind not in MODEL_KINDS:
            raise ValueError(f"unknown model {kind!r}")
        depth = params.get("max_depth", "5")
        return ModelConfig(
            kind=kind,
            seed=int(params.get("seed", "42")),
            n_estimators=int(params.get("n_estimators", "100")),
            max_depth=None if depth in ("None", "none", "") else int(depth),
            min_samples_leaf=int(params.get("min_samples_leaf", "1")),
            c=float(params.get("C", "1.0")),
            max_iter=int(params.get("max_iter", "1000")),
        )
    except ValueError as exc:
        raise RegistryError(f"the champion's logged settings cannot be read: {exc}") from None


@dataclass(frozen=True)
class CandidateView:
    """What the comparison needs of a candidate: its data, split, fitted model and CV settings."""

    labelled: LabelledData
    test: LabelledData
    model: Any
    cv_correct: int
    folds: int
    repeats: int
    seed: int
    config: ModelConfig | None = None  # its settings: the champion's same settings need no second fits


def _champion_cv(config: ModelConfig, candidate: CandidateView) -> tuple[int, int]:
    """Return (right, scored) of the champion's configuration cross-validated on the candidate's folds.

    The same settings on the same rows and folds make the same fits: the candidate's own count is theirs.
    """
    if candidate.config is not None and config.params() == candidate.config.params():
        return candidate.cv_correct, len(candidate.labelled) * candidate.repeats
    from training import evaluate
    from training.models import build_estimator

    cv = evaluate.cross_validate_accuracy(
        build_estimator(config),
        candidate.labelled,
        folds=candidate.folds,
        repeats=candidate.repeats,
        seed=candidate.seed,
    )
    return cv.correct, cv.total


def compare(champion: register.VersionRef, candidate: CandidateView) -> Comparison:
    """Compare ``champion`` with the candidate on rows neither trained on, else on the candidate's folds."""
    from mlflow import MlflowClient

    held_out = len(candidate.test)
    try:
        with tempfile.TemporaryDirectory() as scratch:
            _, champion_train = register.logged_data(champion.run_id, Path(scratch))
        mask = unseen_mask(candidate.test.features, champion_train.features)
        unseen = int(mask.sum())
    except RegistryError:
        mask, unseen = None, -1
    if mask is not None and unseen >= MIN_UNSEEN_ROWS:
        rows = candidate.test.subset(np.flatnonzero(mask))
        champion_model = register.load_version(champion)
        return Comparison(
            ComparisonMethod.UNSEEN_ROWS,
            champion.version,
            _correct(candidate.model, rows),
            _correct(champion_model, rows),
            len(rows),
            held_out,
            unseen,
        )
    config = config_from_params(MlflowClient().get_run(champion.run_id).data.params)
    champion_correct, total = _champion_cv(config, candidate)
    settings = ", ".join(f"{k} {v}" for k, v in config.params().items())
    return Comparison(
        ComparisonMethod.CROSS_VALIDATED,
        champion.version,
        candidate.cv_correct,
        champion_correct,
        total,
        held_out,
        unseen,
        settings,
    )


def _correct(model: Any, rows: LabelledData) -> int:
    return int((np.asarray(model.predict(rows.frame()), dtype=np.int64) == rows.labels).sum())
