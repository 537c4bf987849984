"""Repeated timing of one call and the summary statistics every figure reports."""

from __future__ import annotations

import gc
import math
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Distribution:
    """Summary of repeated measurements, all in one unit."""

    median: float
    p99: float
    mean: float
    minimum: float
    n: int

    @classmethod
    def of(cls, samples: Sequence[float]) -> Distribution:
        """Summarise samples; p99 is the nearest-rank 99th percentile (the worst value when n < 100)."""
        if not samples:
            raise ValueError("no samples to summarise")
        ordered = sorted(samples)
        rank = max(1, math.ceil(0.99 * len(ordered)))
        return cls(
            median=statistics.median(ordered),
            p99=ordered[rank - 1],
            mean=statistics.fmean(ordered),
            minimum=ordered[0],
            n=len(ordered),
        )

    def scaled(self, factor: float) -> Distribution:
        """Return the same distribution in another unit (e.g. ns -> µs with 1e-3)."""
        return Distribution(
            self.median * factor, self.p99 * factor, self.mean * factor, self.minimum * factor, self.n
        )


def time_calls(call: Callable[[int], object], repeats: int) -> list[int]:
    """Time ``call(i)`` for i in range(repeats), one perf_counter_ns reading pair per call."""
    clock = time.perf_counter_ns
    samples = [0] * repeats
    gc.collect()  # start every block from the same garbage-collector state; gc stays on as in the app
    for i in range(repeats):
        start = clock()
        call(i)
        samples[i] = clock() - start
    return samples


def interleaved(
    calls: dict[str, Callable[[int], object]], repeats: dict[str, int], warmup: dict[str, int], rounds: int
) -> dict[str, Distribution]:
    """Time several paths side by side: warm each up, then alternate them in ``rounds`` blocks (ns)."""
    for name, call in calls.items():
        for i in range(warmup[name]):
            call(i)
    samples: dict[str, list[int]] = {name: [] for name in calls}
    for _ in range(rounds):
        for name, call in calls.items():
            # Alternating blocks keep slow drifts (CPU clock, a neighbour's load) from favouring one path.
            samples[name].extend(time_calls(call, max(1, repeats[name] // rounds)))
    return {name: Distribution.of(values) for name, values in samples.items()}
