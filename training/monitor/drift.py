"""Has the field data drifted from the training data? Per measurement: a two-sample test and the PSI.

A measurement drifts when both say so: the Kolmogorov–Smirnov test rejects "same distribution" at
``P_VALUE_BELOW`` (significance: not chance, even over four measurements) and the population stability index
reaches ``PSI_AT_LEAST`` (magnitude: a shift the model may feel). The test alone flags trivial shifts once
field data is plentiful; the PSI alone is noisy on the few dozen observations a week brings.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from training.schema import FEATURES

P_VALUE_BELOW = 0.01
PSI_AT_LEAST = 0.2  # the customary "significant shift" level of the PSI
PSI_BINS = 10  # deciles of the reference data
_EMPTY_SHARE = 1e-4  # stands in for an empty bin, so the logarithm stays finite


@dataclass(frozen=True)
class FeatureDrift:
    """How one measurement's field distribution compares with the training data's."""

    name: str
    label: str
    reference_mean: float
    field_mean: float
    ks_statistic: float
    p_value: float
    psi: float

    @property
    def drifted(self) -> bool:
        """Tell whether the shift is both significant and large."""
        return self.p_value < P_VALUE_BELOW and self.psi >= PSI_AT_LEAST


@dataclass(frozen=True)
class DriftReport:
    """Drift of every measurement, and the share of measurements that drifted."""

    features: tuple[FeatureDrift, ...]
    reference_rows: int
    field_rows: int

    @property
    def drifted(self) -> tuple[FeatureDrift, ...]:
        """Return the measurements that drifted."""
        return tuple(f for f in self.features if f.drifted)

    @property
    def share(self) -> float:
        """Return the share of measurements that drifted."""
        return len(self.drifted) / len(self.features)


def psi(reference: np.ndarray, field: np.ndarray, bins: int = PSI_BINS) -> float:
    """Return the population stability index of ``field`` against ``reference`` over reference quantiles."""
    edges = np.unique(np.quantile(reference, np.linspace(0, 1, bins + 1)[1:-1]))
    expected = np.bincount(np.searchsorted(edges, reference, side="right"), minlength=len(edges) + 1)
    actual = np.bincount(np.searchsorted(edges, field, side="right"), minlength=len(edges) + 1)
    expected_share = np.maximum(expected / expected.sum(), _EMPTY_SHARE)
    actual_share = np.maximum(actual / actual.sum(), _EMPTY_SHARE)
    return float(np.sum((actual_share - expected_share) * np.log(actual_share / expected_share)))


def compare(reference: np.ndarray, field: np.ndarray) -> DriftReport:
    """Compare field measurements with reference ones (both rows x features, schema order, cm)."""
    if len(field) == 0 or len(reference) == 0:
        raise ValueError("drift needs at least one reference and one field row")
    features = []
    for j, spec in enumerate(FEATURES):
        test = stats.ks_2samp(reference[:, j], field[:, j])
        features.append(
            FeatureDrift(
                name=spec.name,
                label=spec.label,
                reference_mean=float(reference[:, j].mean()),
                field_mean=float(field[:, j].mean()),
                ks_statistic=float(test.statistic),
                p_value=float(test.pvalue),
                psi=psi(reference[:, j], field[:, j]),
            )
        )
    return DriftReport(tuple(features), len(reference), len(field))
