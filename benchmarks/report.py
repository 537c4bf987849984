"""The figures a benchmark section produces, as plain data that becomes the table and results.json."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from benchmarks.timing import Distribution


@dataclass(frozen=True)
class Figure:
    """One measured row: median and p99 in ``unit``, optionally a ratio to a peer and a target."""

    name: str
    unit: str
    median: float | None = None
    p99: float | None = None
    n: int = 0
    ratio: float | None = None
    ratio_label: str = ""  # how to read the ratio, e.g. "engine faster" or "x bare session"
    target: str = ""
    met: bool | None = None
    note: str = ""
    skipped: str = ""  # why this row has no numbers: "skipped: …" (a part is absent), "not measured: …"

    @classmethod
    def measured(cls, name: str, unit: str, dist: Distribution, **extra: Any) -> Figure:
        """Build a row from a distribution already in ``unit``."""
        return cls(name=name, unit=unit, median=dist.median, p99=dist.p99, n=dist.n, **extra)

    @classmethod
    def skip(cls, name: str, unit: str, reason: str) -> Figure:
        """Build a row that says why it was not measured."""
        return cls(name=name, unit=unit, skipped=reason)

    @classmethod
    def not_measured(cls, name: str, unit: str, reason: str) -> Figure:
        """Build a row that could not be measured this time (e.g. a server that never became ready)."""
        return cls(name=name, unit=unit, skipped=f"not measured: {reason}")


@dataclass(frozen=True)
class Section:
    """One numbered part of the benchmark with its rows and the notes needed to read them."""

    key: str
    title: str
    figures: tuple[Figure, ...]
    notes: tuple[str, ...] = ()
    error: str = ""  # set when the section itself crashed: the run then exits non-zero
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return JSON-ready data."""
        data = asdict(self)
        data["figures"] = [asdict(f) for f in self.figures]
        data["notes"] = list(self.notes)
        return data


def speedup(peer: Distribution, ours: Distribution) -> float:
    """Return how many times faster our median is than the peer's."""
    return peer.median / ours.median
