"""Champion against each challenger version on the confirmed observations both predicted: exact McNemar.

Only the discordant pairs count: ``champion_only`` observations the champion named right and the
challenger wrong, ``challenger_only`` the reverse. Under "equally good" each discordant pair goes either
way with probability one half, so the exact test is a two-sided binomial test on them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import pandas as pd
from scipy import stats

from training.field import schema as fs
from training.schema import CLASSES

SIGNIFICANCE = 0.05
MIN_PAIRED = 30  # below this, "no difference found" says too little to keep the champion on


class Advice(StrEnum):
    """What the paired result says to do with the challenger."""

    PROMOTE = "promote"
    KEEP = "keep"
    TOO_FEW = "too few to tell"


@dataclass(frozen=True)
class PairedResult:
    """One challenger release against the champion on the same confirmed observations."""

    release: str
    rows: int
    champion_correct: int
    challenger_correct: int
    champion_only: int
    challenger_only: int
    p_value: float

    @property
    def advice(self) -> Advice:
        """Promote a significantly better challenger; keep the champion otherwise once enough pairs exist."""
        if self.p_value < SIGNIFICANCE:
            return Advice.PROMOTE if self.challenger_only > self.champion_only else Advice.KEEP
        return Advice.KEEP if self.rows >= MIN_PAIRED else Advice.TOO_FEW

    def sentence(self) -> str:
        """Return the result in words, with the counts and the test."""
        return (
            f"challenger {self.release}: {self.challenger_correct}/{self.rows} right against the champion's "
            f"{self.champion_correct}/{self.rows} on the same confirmed observations ({self.challenger_only} "
            f"only it named right, {self.champion_only} only the champion; exact McNemar p = "
            f"{self.p_value:.2g}): {self.advice.value}"
        )


def mcnemar_exact(champion_only: int, challenger_only: int) -> float:
    """Return the two-sided exact McNemar p-value of the discordant counts (1.0 without any)."""
    discordant = champion_only + challenger_only
    if discordant == 0:
        return 1.0
    return float(stats.binomtest(challenger_only, discordant, 0.5).pvalue)


def compare(table: pd.DataFrame) -> tuple[PairedResult, ...]:
    """Return the paired result of every challenger release found in the field table."""
    judged = table[
        table[fs.CONFIRMED].isin(CLASSES)
        & table[fs.PREDICTED].isin(CLASSES)
        & table[fs.CHALLENGER].isin(CLASSES)
    ]
    results = []
    for release, rows in judged.groupby(fs.CHALLENGER_RELEASE, sort=True):
        champion = rows[fs.CONFIRMED] == rows[fs.PREDICTED]
        challenger = rows[fs.CONFIRMED] == rows[fs.CHALLENGER]
        champion_only, challenger_only = (
            int((champion & ~challenger).sum()),
            int((challenger & ~champion).sum()),
        )
        results.append(
            PairedResult(
                str(release) or "(unknown release)",
                len(rows),
                int(champion.sum()),
                int(challenger.sum()),
                champion_only,
                challenger_only,
                mcnemar_exact(champion_only, challenger_only),
            )
        )
    return tuple(results)
