"""How the model does in the field: accuracy on confirmed observations, the challenger, rates and counts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from desktop.prediction.engine import UNCERTAIN_BELOW
from training.field import schema as fs
from training.schema import CLASSES


@dataclass(frozen=True)
class ReleaseAccuracy:
    """One model release on the observations a botanist confirmed."""

    release: str
    confirmed: int
    correct: int
    confusion: tuple[tuple[int, ...], ...]  # rows: confirmed species, columns: predicted, in CLASSES order

    @property
    def accuracy(self) -> float:
        """Return the share of confirmed observations the release predicted right."""
        return self.correct / self.confirmed


@dataclass(frozen=True)
class ChallengerComparison:
    """Champion and shadow challenger on the same confirmed observations."""

    rows: int
    champion_correct: int
    challenger_correct: int


@dataclass(frozen=True)
class FieldFigures:
    """Everything the monitoring report says about the field observations themselves."""

    observations: int
    confirmed: int
    correct: int
    releases: tuple[ReleaseAccuracy, ...]
    challenger: ChallengerComparison | None
    unusual_rate: float
    uncertain_rate: float
    outlier_rate: float | None  # None when no run carries the joint check's flag
    per_observer: dict[str, int]
    per_device: dict[str, int]
    per_week: dict[str, int]

    @property
    def field_accuracy(self) -> float | None:
        """Return the share of confirmed observations predicted right (None when none is confirmed)."""
        return self.correct / self.confirmed if self.confirmed else None


def _confusion(confirmed: pd.Series, predicted: pd.Series) -> tuple[tuple[int, ...], ...]:
    matrix = np.zeros((len(CLASSES), len(CLASSES)), dtype=int)
    for truth, guess in zip(confirmed, predicted, strict=True):
        matrix[CLASSES.index(truth), CLASSES.index(guess)] += 1
    return tuple(tuple(int(v) for v in row) for row in matrix)


def _counts(column: pd.Series) -> dict[str, int]:
    return {str(k) or "(none)": int(v) for k, v in column.value_counts().sort_index().items()}


def _week(observed_at: pd.Series) -> pd.Series:
    moments = pd.to_datetime(observed_at, utc=True, errors="coerce", format="ISO8601")
    iso = moments.dt.isocalendar()
    return iso["year"].astype(str) + "-W" + iso["week"].astype(str).str.zfill(2)


def figures(table: pd.DataFrame) -> FieldFigures:
    """Return the field figures of ``table`` (the observation table ``iris-dataset`` writes)."""
    judged = table[table[fs.CONFIRMED].isin(CLASSES) & table[fs.PREDICTED].isin(CLASSES)]
    releases = tuple(
        ReleaseAccuracy(
            release=str(release) or "(unknown)",
            confirmed=len(rows),
            correct=int((rows[fs.CONFIRMED] == rows[fs.PREDICTED]).sum()),
            confusion=_confusion(rows[fs.CONFIRMED], rows[fs.PREDICTED]),
        )
        for release, rows in judged.groupby(fs.RELEASE, sort=True)
    )
    shadowed = judged[judged[fs.CHALLENGER].isin(CLASSES)]
    challenger = (
        ChallengerComparison(
            rows=len(shadowed),
            champion_correct=int((shadowed[fs.CONFIRMED] == shadowed[fs.PREDICTED]).sum()),
            challenger_correct=int((shadowed[fs.CONFIRMED] == shadowed[fs.CHALLENGER]).sum()),
        )
        if len(shadowed)
        else None
    )
    flagged = table[table[fs.OUTLIER] != ""]
    count = max(len(table), 1)
    return FieldFigures(
        observations=len(table),
        confirmed=len(judged),
        correct=int((judged[fs.CONFIRMED] == judged[fs.PREDICTED]).sum()),
        releases=releases,
        challenger=challenger,
        unusual_rate=float((table[fs.UNUSUAL] != "").sum() / count),
        uncertain_rate=float((table[fs.CONFIDENCE] < UNCERTAIN_BELOW).sum() / count),
        outlier_rate=float((flagged[fs.OUTLIER] == "true").mean()) if len(flagged) else None,
        per_observer=_counts(table[fs.OBSERVER]),
        per_device=_counts(table[fs.DEVICE]),
        per_week=_counts(_week(table[fs.OBSERVED_AT])) if len(table) else {},
    )
