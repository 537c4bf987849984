"""Drift found where it happens: every device, observer and ISO week beside the pooled field data.

Each group holding at least ``MIN_GROUP_ROWS`` observations gets the same two checks as the pooled data
(``training.monitor.drift``: Kolmogorov–Smirnov test and PSI per measurement). With many groups, some test
would
reject by chance, so the p-values of all tests together are adjusted with Holm's step-down correction
before they are held against ``P_VALUE_BELOW``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd

from training.field import schema as fs
from training.monitor import drift
from training.schema import FEATURE_NAMES

MIN_GROUP_ROWS = 30  # fewer observations give a test too little power and the PSI too much noise


class Where(StrEnum):
    """Which slice of the field data a test looked at."""

    ALL = "all"
    DEVICE = fs.DEVICE
    OBSERVER = fs.OBSERVER
    WEEK = "week"


@dataclass(frozen=True)
class LocalDrift:
    """One measurement in one slice of the field data against the champion's training data."""

    where: Where
    name: str  # the device, observer or week ("" for all observations)
    rows: int
    feature: drift.FeatureDrift
    adjusted_p: float  # Holm-adjusted over every test of the report
    also: str = ""  # other slices holding exactly the same observations ("observer Ada"), tested once

    @property
    def drifted(self) -> bool:
        """Tell whether the shift is significant after the correction and large."""
        return self.adjusted_p < drift.P_VALUE_BELOW and self.feature.psi >= drift.PSI_AT_LEAST

    @property
    def place(self) -> str:
        """Return the slice in words: "all observations", the device, "observer Ada", "week 2026-W49"."""
        if self.where is Where.ALL:
            return "all observations"
        named = self.name if self.where is Where.DEVICE else f"{self.where.value} {self.name}"
        return f"{named} ({self.also})" if self.also else named

    def sentence(self) -> str:
        """Return e.g. "laptop-C: petal length 1.0 cm longer than in training (KS p = 4e-07, PSI 3.6)"."""
        f = self.feature
        shift = f.field_mean - f.reference_mean
        more, less = ("wider", "narrower") if f.name.endswith("width") else ("longer", "shorter")
        return (
            f"{self.place}: {f.label.lower()} {abs(shift):.1f} cm {more if shift >= 0 else less} than in "
            f"training (KS p = {f.p_value:.1g}, PSI {f.psi:.1f})"
        )


def holm(p_values: list[float]) -> list[float]:
    """Return Holm's step-down adjusted p-values, in the order given."""
    order = np.argsort(p_values, kind="stable")
    count = len(p_values)
    adjusted = [1.0] * count
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (count - rank) * p_values[index]))
        adjusted[index] = running
    return adjusted


def iso_week(observed_at: pd.Series) -> pd.Series:
    """Return each observation's ISO week as "2026-W49" ("" where the time is unreadable)."""
    moments = pd.to_datetime(observed_at, utc=True, errors="coerce", format="ISO8601")
    iso = moments.dt.isocalendar()
    weeks = iso["year"].astype(str) + "-W" + iso["week"].astype(str).str.zfill(2)
    return weeks.where(moments.notna(), "")


def _slices(table: pd.DataFrame) -> list[tuple[Where, str, str, pd.DataFrame]]:
    """Return (where, name, other names of the same rows, rows) of every slice worth testing.

    A slice holding exactly the rows of an earlier one (a laptop only one botanist used) is tested once:
    testing it twice would only make Holm's correction stricter.
    """
    found: dict[frozenset, tuple[Where, str, list[str], pd.DataFrame]] = {
        frozenset(table.index): (Where.ALL, "", [], table)
    }
    keys = {
        Where.DEVICE: table[fs.DEVICE],
        Where.OBSERVER: table[fs.OBSERVER],
        Where.WEEK: iso_week(table[fs.OBSERVED_AT]),
    }
    for where, key in keys.items():
        for name, rows in table.groupby(key.to_numpy(), sort=True):
            if not str(name) or len(rows) < MIN_GROUP_ROWS:
                continue
            same = found.get(frozenset(rows.index))
            if same is None:
                found[frozenset(rows.index)] = (where, str(name), [], rows)
            elif same[0] is not Where.ALL:
                same[2].append(f"{where.value} {name}")
    return [(where, name, ", ".join(also), rows) for where, name, also, rows in found.values()]


def scan(reference: np.ndarray, table: pd.DataFrame) -> tuple[LocalDrift, ...]:
    """Test all observations and every device, observer and week with enough of them; Holm-adjust all."""
    tested = []
    for where, name, also, rows in _slices(table):
        report = drift.compare(reference, rows[list(FEATURE_NAMES)].to_numpy(dtype=float))
        tested += [(where, name, also, len(rows), feature) for feature in report.features]
    adjusted = holm([feature.p_value for *_, feature in tested])
    return tuple(
        LocalDrift(where, name, rows, feature, p, also)
        for (where, name, also, rows, feature), p in zip(tested, adjusted, strict=True)
    )
