"""What the field says to do: retrain, check one laptop's measurements, promote the challenger, or nothing.

Every reason is listed, each naming where it was found: drift in all observations or in one device,
observer or ISO week (``training.monitor.drift_where``), field accuracy below the gate's floor, an outlier
rate
of the joint check well above the training data's (binomial test), and each challenger's paired result.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from scipy import stats

from training.gate import TEST_ACCURACY_FLOOR
from training.monitor.challenger_test import Advice, PairedResult
from training.monitor.drift_where import LocalDrift, Where
from training.monitor.figures import FieldFigures

# Fewer confirmed observations than this say too little about accuracy (one error moves it > 3 points).
MIN_CONFIRMED = 30
OUTLIER_P_BELOW = 0.01


class Action(StrEnum):
    """What the lab should do, most pressing first."""

    RETRAIN = "retrain"
    CHECK_MEASUREMENTS = "check-measurements"
    PROMOTE = "promote-challenger"
    NOTHING = "nothing"


@dataclass(frozen=True)
class UnusualRate:
    """How many field observations the joint check flagged, against the share it flags in training."""

    flagged: int
    checked: int
    training_share: float

    @property
    def p_value(self) -> float:
        """Return the one-sided binomial p-value of seeing this many flags or more by chance."""
        return float(stats.binomtest(self.flagged, self.checked, self.training_share, "greater").pvalue)

    @property
    def raised(self) -> bool:
        """Tell whether the field flags significantly more than training does."""
        return self.checked > 0 and self.p_value < OUTLIER_P_BELOW


@dataclass(frozen=True)
class MonitorVerdict:
    """What to do and every reason for it, each in words."""

    actions: tuple[tuple[Action, str], ...]  # (what, its sentence), most pressing first
    reasons: tuple[str, ...]
    notes: tuple[str, ...] = ()  # what was checked and found fine

    @property
    def retrain(self) -> bool:
        """Tell whether retraining is recommended."""
        return any(action is Action.RETRAIN for action, _ in self.actions)

    @property
    def needs_action(self) -> bool:
        """Tell whether the lab has anything to do (exit status 4)."""
        return any(action is not Action.NOTHING for action, _ in self.actions)

    @property
    def todo(self) -> str:
        """Return what to do, in one sentence."""
        return "; ".join(sentence for _, sentence in self.actions) + "."

    @property
    def reason(self) -> str:
        """Return every reason (or what was found fine), in one sentence."""
        return "; ".join(self.reasons or self.notes) + "."


def _accuracy(field: FieldFigures) -> tuple[str | None, str]:
    floor = float(TEST_ACCURACY_FLOOR)
    if field.confirmed < MIN_CONFIRMED:
        few = f"{field.confirmed} confirmed observations are too few to judge accuracy"
        return None, f"{few} ({MIN_CONFIRMED} needed)"
    figure = f"field accuracy {field.correct}/{field.confirmed} = {field.correct / field.confirmed:.3f}"
    if Fraction(field.correct, field.confirmed) < TEST_ACCURACY_FLOOR:
        return f"{figure} on confirmed observations is below the gate's floor {floor:.2f}", ""
    return None, f"{figure} meets the gate's floor {floor:.2f}"


def _outlier_reason(outliers: UnusualRate | None) -> str | None:
    if outliers is None or not outliers.raised:
        return None
    return (
        f"the joint check flagged {outliers.flagged} of {outliers.checked} observations as outliers "
        f"({outliers.flagged / outliers.checked:.0%}), against {outliers.training_share:.1%} of the "
        f"training rows (binomial p = {outliers.p_value:.1g})"
    )


def _actions(
    retrain: bool, drifted: list[LocalDrift], promoted: list[PairedResult]
) -> list[tuple[Action, str]]:
    actions: list[tuple[Action, str]] = []
    if retrain:
        actions.append((Action.RETRAIN, "retrain the champion with the field's confirmed observations"))
    local = sorted({d.place for d in drifted if d.where is not Where.ALL})
    if local:
        actions.append(
            (Action.CHECK_MEASUREMENTS, f"check how {' and '.join(local)} measured (ruler, units, valley)")
        )
    actions += [(Action.PROMOTE, f"promote the {r.release.split(' (')[0]} challenger") for r in promoted]
    return actions or [(Action.NOTHING, "nothing to do")]


def _notes(drifted: bool, accuracy_note: str, challengers: tuple[PairedResult, ...]) -> list[str]:
    notes = [] if drifted else ["no measurement drifted from the champion's training data, anywhere"]
    notes += [accuracy_note] if accuracy_note else []
    return notes + [r.sentence() for r in challengers if r.advice is not Advice.PROMOTE]


def decide(
    field: FieldFigures,
    drifts: tuple[LocalDrift, ...],
    outliers: UnusualRate | None = None,
    challengers: tuple[PairedResult, ...] = (),
) -> MonitorVerdict:
    """Weigh drift everywhere, accuracy, the outlier rate and the challengers; return what to do and why."""
    drifted = [d for d in drifts if d.drifted]
    low_accuracy, accuracy_note = _accuracy(field)
    outlier = _outlier_reason(outliers)
    promoted = [r for r in challengers if r.advice is Advice.PROMOTE]
    reasons = [d.sentence() for d in drifted] + [r for r in (low_accuracy, outlier) if r]
    reasons += [r.sentence() for r in promoted]
    notes = _notes(bool(drifted), accuracy_note, challengers)
    retrain = any(d.where is Where.ALL for d in drifted) or bool(low_accuracy or outlier)
    return MonitorVerdict(tuple(_actions(retrain, drifted, promoted)), tuple(reasons), tuple(notes))
