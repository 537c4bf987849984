"""MLflow's limits on keys and values, and the metric value a run record carries.

A run record (4 params, a handful of metrics, about 20 tags, each value at most 250 characters) is far
below log-batch's per-request limits (100 params, 1,000 metrics, 100 tags, 1 MB), so it always goes in
one request.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_KEY_LENGTH = 250
# The smallest value limit any MLflow server version has documented (older servers: 250 characters;
# current ones allow params 6,000 and tags 5,000). Whole values go to the observation.json artifact.
SAFE_VALUE_LENGTH = 250
ELLIPSIS = "…"


@dataclass(frozen=True)
class Metric:
    """One metric value as MLflow stores it: timestamp in milliseconds since the epoch, and a step."""

    key: str
    value: float
    timestamp: int
    step: int = 0

    def to_json(self) -> dict[str, object]:
        """Return the REST form of this metric."""
        return {"key": self.key, "value": self.value, "timestamp": self.timestamp, "step": self.step}


def shorten(value: str, limit: int = SAFE_VALUE_LENGTH) -> str:
    """Return ``value`` cut to ``limit`` characters, ending in an ellipsis when something was cut."""
    if len(value) <= limit:
        return value
    return value[: limit - len(ELLIPSIS)] + ELLIPSIS
