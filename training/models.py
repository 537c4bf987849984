"""The algorithms ``iris-train`` can fit, and the hyper-parameters each one takes from the command line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sklearn.base import ClassifierMixin
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression

RANDOM_FOREST = "random-forest"
LOGISTIC_REGRESSION = "logistic-regression"
MODEL_KINDS = (RANDOM_FOREST, LOGISTIC_REGRESSION)


@dataclass(frozen=True)
class ModelConfig:
    """Which algorithm to fit and with which settings; the defaults are the course's configuration."""

    kind: str = RANDOM_FOREST
    seed: int = 42
    n_estimators: int = 100
    max_depth: int | None = 5
    min_samples_leaf: int = 1
    c: float = 1.0
    max_iter: int = 1000

    def params(self) -> dict[str, Any]:
        """Return the settings that matter for ``kind``, as logged to MLflow."""
        if self.kind == RANDOM_FOREST:
            return {
                "model": self.kind,
                "seed": self.seed,
                "n_estimators": self.n_estimators,
                "max_depth": self.max_depth,
                "min_samples_leaf": self.min_samples_leaf,
            }
        return {"model": self.kind, "seed": self.seed, "C": self.c, "max_iter": self.max_iter}


def build_estimator(config: ModelConfig) -> ClassifierMixin:
    """Return an unfitted scikit-learn classifier for ``config``."""
    if config.kind == RANDOM_FOREST:
        return RandomForestClassifier(
            n_estimators=config.n_estimators,
            max_depth=config.max_depth,
            min_samples_leaf=config.min_samples_leaf,
            random_state=config.seed,
        )
    if config.kind == LOGISTIC_REGRESSION:
        return LogisticRegression(C=config.c, max_iter=config.max_iter, random_state=config.seed)
    raise ValueError(f"unknown model kind {config.kind!r}; choose one of {', '.join(MODEL_KINDS)}")
