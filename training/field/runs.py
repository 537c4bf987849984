"""Read field observations back from the lab's MLflow server: the sync's runs, paged, as judged table rows."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from contract import observation as fields
from contract.registry import release_label
from desktop.signing.observation_signature import Seal, seal_of
from training.accounts.device_keys import DeviceKeyBook
from training.field import schema as fs
from training.schema import CLASSES, FEATURE_NAMES

PAGE_SIZE = 1000  # runs per search request (MLflow's own default page size)


@dataclass(frozen=True)
class FieldFetch:
    """What one read of the server brought: rows of active runs, and the ids of runs deleted there."""

    rows: tuple[dict[str, Any], ...]  # each with its integrity, judged by the key book fetch was given
    deleted_run_ids: frozenset[str]


def _number(text: str | None) -> float:
    try:
        value = float(text) if text not in (None, "") else math.nan
    except ValueError:
        return math.nan
    return value if math.isfinite(value) else math.nan


def _utc_iso(text: str, fallback_ms: int | None) -> str:
    """Return an ISO-8601 time in UTC (a naive time is taken as UTC, as the sync does)."""
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        if fallback_ms is None:
            return ""
        moment = datetime.fromtimestamp(fallback_ms / 1000, UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def row_from_run(run: Any) -> dict[str, Any] | None:
    """Return one table row for an MLflow run of the sync, or None when the run is not an observation."""
    tags, params, metrics = run.data.tags, run.data.params, run.data.metrics
    observation_id = tags.get(fs.OBSERVATION_ID_TAG, "")
    if not observation_id:
        return None
    row: dict[str, Any] = {
        fs.ID: observation_id,
        fs.OBSERVED_AT: _utc_iso(tags.get(fs.OBSERVED_AT_TAG, ""), run.info.start_time),
        fs.OBSERVER: tags.get(fs.OBSERVER_TAG, ""),
        fs.DEVICE: tags.get(fs.DEVICE_TAG, ""),
        fs.LOCATION: tags.get(fs.LOCATION_TAG, ""),
        fs.LATITUDE: _number(tags.get(fs.LATITUDE_TAG)),
        fs.LONGITUDE: _number(tags.get(fs.LONGITUDE_TAG)),
        **{name: _number(params.get(name)) for name in FEATURE_NAMES},
        fs.PREDICTED: tags.get(fs.PREDICTED_SPECIES_TAG, ""),
        fs.CONFIDENCE: metrics.get(fs.CONFIDENCE_METRIC, math.nan),
        **{fs.probability_column(c): metrics.get(fs.PROBABILITY_PREFIX + c, math.nan) for c in CLASSES},
        fs.CONFIRMED: tags.get(fs.CONFIRMED_SPECIES_TAG, ""),
        fs.RELEASE: release_label(
            tags.get(fs.MODEL_NAME_TAG, ""),
            tags.get(fs.MODEL_VERSION_TAG, ""),
            tags.get(fs.MODEL_SEQUENCE_TAG, ""),
            tags.get(fs.MODEL_REGISTRY_TAG, ""),
        ),
        fs.REGISTRY: tags.get(fs.MODEL_REGISTRY_TAG, ""),
        fs.MODEL_SHA256: tags.get(fs.MODEL_SHA256_TAG, ""),
        fs.CHALLENGER: tags.get(fs.CHALLENGER_SPECIES_TAG, ""),
        fs.CHALLENGER_RELEASE: release_label(
            tags.get(fs.CHALLENGER_NAME_TAG, ""),
            tags.get(fs.CHALLENGER_VERSION_TAG, ""),
            tags.get(fs.CHALLENGER_SEQUENCE_TAG, ""),
            tags.get(fs.CHALLENGER_REGISTRY_TAG, ""),
        ),
        **{
            fs.challenger_probability_column(c): metrics.get(fs.CHALLENGER_PROBABILITY_PREFIX + c, math.nan)
            for c in CLASSES
        },
        fs.UNUSUAL: ",".join(n for n in FEATURE_NAMES if tags.get(fs.UNUSUAL_TAG_PREFIX + n) == "true"),
        fs.OUTLIER: tags.get(fs.OUTLIER_TAG, ""),
        fs.NOTE: tags.get(fs.NOTE_TAG, ""),
        fs.APP_VERSION: tags.get(fs.APP_VERSION_TAG, ""),
        **{field.name: _extra(field, run.data) for field in fs.EXTRA_FIELDS},
        fs.RUN_ID: run.info.run_id,
        fs.SYNCED_AT: int(metrics.get(fs.SYNCED_AT_METRIC, 0)),
    }
    return row


def _extra(field: fields.ObservationField, data: Any) -> Any:
    """Return a field the table has no code of its own for, read from its slot of the run by its kind."""
    source = {
        fields.RunSlot.TAG: data.tags,
        fields.RunSlot.PARAM: data.params,
        fields.RunSlot.METRIC: data.metrics,
    }[field.slot]
    value = source.get(field.key)
    if field.kind is fields.ValueKind.NUMBER:
        return _number(None if value is None else str(value))
    if field.kind is fields.ValueKind.TIME:
        return _utc_iso(value, None) if value else ""
    return "" if value is None else str(value)


def _pages(client: Any, experiment_id: str, filter_string: str, view: Any, size: int) -> Iterator[Any]:
    token = None
    while True:
        page = client.search_runs(
            [experiment_id], filter_string, run_view_type=view, max_results=size, page_token=token
        )
        yield from page
        token = page.token
        if not token:
            return


def seal_of_run(run: Any) -> Seal:
    """Return what a run's own device signature says about its signed fields (before any trust)."""
    return seal_of(run.data.params, run.data.metrics, run.data.tags)


def judge(found: list[tuple[dict[str, Any], Seal]], keys: DeviceKeyBook) -> tuple[dict[str, Any], ...]:
    """Set each row's integrity; a first-use book meets the runs in the order they were last sent."""
    for row, seal in sorted(found, key=lambda pair: (pair[0][fs.SYNCED_AT], pair[0][fs.RUN_ID])):
        row[fs.INTEGRITY] = str(keys.judge(seal))
    return tuple(row for row, _ in found)


def fetch(
    client: Any,
    experiment_id: str,
    *,
    changed_since_ms: int | None = None,
    page_size: int = PAGE_SIZE,
    keys: DeviceKeyBook | None = None,
) -> FieldFetch:
    """Read the experiment's observation runs (only those sent after ``changed_since_ms``, if given).

    Each run's signature is judged by ``keys`` (default: trust on first use, learned afresh).
    """
    from mlflow.entities import ViewType

    active = f"metrics.`{fs.SYNCED_AT_METRIC}` > {int(changed_since_ms)}" if changed_since_ms else ""
    found = [
        (row, seal_of_run(run))
        for run in _pages(client, experiment_id, active, ViewType.ACTIVE_ONLY, page_size)
        if (row := row_from_run(run))
    ]
    rows = judge(found, DeviceKeyBook() if keys is None else keys)
    deleted = frozenset(
        run.info.run_id for run in _pages(client, experiment_id, "", ViewType.DELETED_ONLY, page_size)
    )
    return FieldFetch(rows, deleted)
