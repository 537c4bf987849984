"""Whether the field says "retrain": drift from the training data, or field accuracy below the gate."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from training.drift import DriftReport
from training.field_figures import FieldFigures
from training.gate import TEST_ACCURACY_FLOOR

# Fewer confirmed observations than this say too little about accuracy (one error moves it > 3 points).
MIN_CONFIRMED = 30


@dataclass(frozen=True)
class MonitorVerdict:
    """The report's conclusion and its reason, one sentence."""

    retrain: bool
    reason: str


def decide(field: FieldFigures, drift: DriftReport) -> MonitorVerdict:
    """Recommend retraining when a measurement drifted, or field accuracy is below the gate's floor."""
    if drift.drifted:
        shifts = ", ".join(
            f"{f.label.lower()} (mean {f.field_mean:.2f} cm in the field, {f.reference_mean:.2f} cm in "
            f"training; KS p = {f.p_value:.2g}, PSI {f.psi:.2f})"
            for f in drift.drifted
        )
        return MonitorVerdict(
            True, f"the field measurements drifted from the champion's training data: {shifts}."
        )
    floor = float(TEST_ACCURACY_FLOOR)
    if field.confirmed >= MIN_CONFIRMED and Fraction(field.correct, field.confirmed) < TEST_ACCURACY_FLOOR:
        return MonitorVerdict(
            True,
            f"field accuracy {field.correct}/{field.confirmed} = {field.field_accuracy:.3f} on confirmed "
            f"observations is below the gate's floor {floor:.2f}.",
        )
    if field.confirmed >= MIN_CONFIRMED:
        accuracy = (
            f"field accuracy {field.correct}/{field.confirmed} = {field.field_accuracy:.3f} meets the gate's "
            f"floor {floor:.2f}"
        )
    else:
        accuracy = (
            f"{field.confirmed} confirmed observations are too few to judge accuracy ({MIN_CONFIRMED} needed)"
        )
    return MonitorVerdict(False, f"no measurement drifted from the champion's training data, and {accuracy}.")
