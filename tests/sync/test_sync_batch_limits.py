"""Specification of log-batch splitting: MLflow's per-request limits always hold, nothing is dropped."""

import json

import pytest

from desktop.sync.batch_limits import (
    MAX_METRICS,
    MAX_PARAMS,
    MAX_TAGS,
    Metric,
    shorten,
    split_log_batch,
)


def test_a_small_run_fits_one_request() -> None:
    batches = split_log_batch([("a", "1")], [Metric("m", 0.5, 1, 0)], [("t", "x")])
    assert len(batches) == 1
    assert batches[0].params == (("a", "1"),) and batches[0].tags == (("t", "x"),)


def test_params_tags_and_metrics_are_split_at_their_own_limits_and_none_is_lost() -> None:
    params = [(f"p{i}", str(i)) for i in range(250)]
    tags = [(f"t{i}", "v") for i in range(130)]
    metrics = [Metric(f"m{i}", float(i), 1, 0) for i in range(2500)]
    batches = split_log_batch(params, metrics, tags)
    for batch in batches:
        assert len(batch.params) <= MAX_PARAMS
        assert len(batch.tags) <= MAX_TAGS
        assert len(batch.metrics) <= MAX_METRICS
        assert len(batch.params) + len(batch.tags) + len(batch.metrics) <= 1000
    assert [p for b in batches for p in b.params] == params
    assert [t for b in batches for t in b.tags] == tags
    assert [m for b in batches for m in b.metrics] == metrics


def test_requests_stay_under_the_byte_limit() -> None:
    tags = [(f"t{i}", "x" * 5000) for i in range(90)]
    batches = split_log_batch(tags=tags, max_bytes=100_000)
    assert len(batches) > 1
    for batch in batches:
        assert len(json.dumps(batch.body("r" * 32)).encode()) <= 100_000


def test_a_key_longer_than_250_characters_is_refused_rather_than_cut() -> None:
    with pytest.raises(ValueError, match="250"):
        split_log_batch(params=[("k" * 251, "1")])


def test_shorten_keeps_short_values_and_marks_cut_ones_within_the_limit() -> None:
    assert shorten("short") == "short"
    cut = shorten("n" * 1000, 250)
    assert len(cut) == 250 and cut.endswith("…")
