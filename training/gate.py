"""The quality gate: decide whether a registered candidate may become the champion.

The verdict rests on whole-number counts, so ``0.95`` means 95 of every 100 rows and floating point
cannot flip it. See docs/training.md for why these figures and thresholds.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from training.champion_comparison import Comparison

# The stable figure: repeated stratified cross-validation over all labelled rows.
CV_ACCURACY_FLOOR = Fraction(95, 100)
# The held-out test set (30 rows on Iris) moves 3.3 points per error, so it only has to clear a sanity
# floor (at most 3 errors in 30): it catches a model that fails on unseen rows despite a good CV score.
TEST_ACCURACY_FLOOR = Fraction(90, 100)


@dataclass(frozen=True)
class GateInput:
    """The counts the gate judges a candidate by."""

    cv_correct: int
    cv_total: int
    test_correct: int
    test_total: int
    champion: Comparison | None  # the current champion on rows neither trained on; None if none yet


@dataclass(frozen=True)
class Verdict:
    """The gate's decision and, in plain words, every reason for it."""

    passed: bool
    reasons: tuple[str, ...]

    def summary(self) -> str:
        """Return the verdict as one line."""
        head = "PROMOTED to champion" if self.passed else "REFUSED (the champion stays as it was)"
        return f"Gate: {head}: " + "; ".join(self.reasons) + "."


def _pct(correct: int, total: int) -> str:
    return f"{correct}/{total} = {correct / total:.3f}"


def decide(figures: GateInput) -> Verdict:
    """Apply the three rules; the candidate passes only if all hold."""
    reasons = []
    passed = True
    cv_ok = Fraction(figures.cv_correct, figures.cv_total) >= CV_ACCURACY_FLOOR
    passed &= cv_ok
    reasons.append(
        f"cross-validated accuracy {_pct(figures.cv_correct, figures.cv_total)} "
        f"{'meets' if cv_ok else 'is below'} the floor {float(CV_ACCURACY_FLOOR):.2f}"
    )
    test_ok = Fraction(figures.test_correct, figures.test_total) >= TEST_ACCURACY_FLOOR
    passed &= test_ok
    reasons.append(
        f"held-out test accuracy {_pct(figures.test_correct, figures.test_total)} "
        f"{'meets' if test_ok else 'is below'} the floor {float(TEST_ACCURACY_FLOOR):.2f}"
    )
    if figures.champion is None:
        reasons.append("there is no champion yet to compare with")
    else:
        passed &= figures.champion.candidate_not_worse
        reasons.append(figures.champion.sentence())
    return Verdict(bool(passed), tuple(reasons))
