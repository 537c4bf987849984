"""MLflow's log-batch limits, and splitting a run's data into requests that respect them."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

MAX_ENTITIES = 1000
MAX_METRICS = 1000
MAX_PARAMS = 100
MAX_TAGS = 100
MAX_REQUEST_BYTES = 1_000_000
MAX_KEY_LENGTH = 250
# The smallest value limit any MLflow server version has documented (older servers: 250 characters;
# current ones allow params 6,000 and tags 5,000). Whole values go to the observation.json artifact.
SAFE_VALUE_LENGTH = 250
ELLIPSIS = "…"
# Room for {"run_id": "...", "metrics": [], "params": [], "tags": []} around the entities.
_ENVELOPE_BYTES = 200


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


@dataclass(frozen=True)
class LogBatch:
    """One runs/log-batch request's worth of params, metrics and tags."""

    params: tuple[tuple[str, str], ...] = ()
    metrics: tuple[Metric, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()

    def body(self, run_id: str) -> dict[str, object]:
        """Return the JSON body of this request for ``run_id``."""
        return {
            "run_id": run_id,
            "params": [{"key": k, "value": v} for k, v in self.params],
            "metrics": [m.to_json() for m in self.metrics],
            "tags": [{"key": k, "value": v} for k, v in self.tags],
        }


def shorten(value: str, limit: int = SAFE_VALUE_LENGTH) -> str:
    """Return ``value`` cut to ``limit`` characters, ending in an ellipsis when something was cut."""
    if len(value) <= limit:
        return value
    return value[: limit - len(ELLIPSIS)] + ELLIPSIS


def check_key(key: str) -> str:
    """Return ``key`` if MLflow accepts its length; a longer key cannot be shortened without clashes."""
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValueError(f"the key {key[:40]!r}… is empty or longer than {MAX_KEY_LENGTH} characters")
    return key


def _size(entity: object) -> int:
    return len(json.dumps(entity, ensure_ascii=False).encode("utf-8")) + 1  # +1 for the comma


def split_log_batch(
    params: Iterable[tuple[str, str]] = (),
    metrics: Iterable[Metric] = (),
    tags: Iterable[tuple[str, str]] = (),
    *,
    max_bytes: int = MAX_REQUEST_BYTES,
) -> list[LogBatch]:
    """Split params, metrics and tags into as few requests as MLflow's per-request limits allow."""
    batches: list[LogBatch] = []
    current: dict[str, list] = {"params": [], "metrics": [], "tags": []}
    size = _ENVELOPE_BYTES
    limits = {"params": MAX_PARAMS, "metrics": MAX_METRICS, "tags": MAX_TAGS}

    def flush() -> None:
        nonlocal current, size
        if any(current.values()):
            batches.append(
                LogBatch(tuple(current["params"]), tuple(current["metrics"]), tuple(current["tags"]))
            )
        current = {"params": [], "metrics": [], "tags": []}
        size = _ENVELOPE_BYTES

    items: list[tuple[str, object, int]] = []
    for key, value in params:
        items.append(("params", (check_key(key), value), _size({"key": key, "value": value})))
    for metric in metrics:
        check_key(metric.key)
        items.append(("metrics", metric, _size(metric.to_json())))
    for key, value in tags:
        items.append(("tags", (check_key(key), value), _size({"key": key, "value": value})))

    for kind, item, item_size in items:
        if item_size + _ENVELOPE_BYTES > max_bytes:
            raise ValueError(f"one {kind[:-1]} alone is larger than a log-batch request may be")
        entities = sum(len(v) for v in current.values())
        if len(current[kind]) >= limits[kind] or entities >= MAX_ENTITIES or size + item_size > max_bytes:
            flush()
        current[kind].append(item)
        size += item_size
    flush()
    return batches
