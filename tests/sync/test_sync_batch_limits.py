"""Specification of MLflow's value limits as a run record meets them: shortened, never lost."""

from desktop.sync.run_record import SAFE_VALUE_LENGTH, build_run_record, shorten
from tests.sync.history_factory import make_observation


def test_a_short_value_is_kept_as_it_is() -> None:
    assert shorten("Ridge 4") == "Ridge 4"


def test_a_long_value_is_cut_to_the_limit_and_ends_in_an_ellipsis() -> None:
    cut = shorten("x" * 1000)
    assert len(cut) == SAFE_VALUE_LENGTH and cut.endswith("…")


def test_a_run_record_with_the_longest_texts_fits_one_log_batch_request() -> None:
    record = build_run_record(make_observation(note="n" * 10_000, location="l" * 10_000), device="d" * 300)
    assert len(record.params) <= 100 and len(record.metrics) <= 1000 and len(record.tags) <= 100
    assert all(len(v) <= SAFE_VALUE_LENGTH for _, v in record.tags)
    assert record.artifact_needed and b"n" * 10_000 in record.artifact
