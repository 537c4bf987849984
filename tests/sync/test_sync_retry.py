"""Specification of the retry policy: which answers are worth another try, and how long to wait first."""

from datetime import UTC, datetime

import pytest

from desktop.sync.retry import ErrorKind, RetryPolicy, classify_status, parse_retry_after


@pytest.mark.parametrize("status", [200, 201, 204])
def test_a_2xx_with_json_is_success(status: int) -> None:
    assert classify_status(status) is None


def test_a_2xx_that_is_not_json_is_transient_because_something_in_between_answered() -> None:
    assert classify_status(200, json_body=False) is ErrorKind.TRANSIENT


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504, 302, 307])
def test_timeouts_rate_limits_server_errors_and_redirects_are_transient(status: int) -> None:
    assert classify_status(status) is ErrorKind.TRANSIENT


@pytest.mark.parametrize("status", [400, 404, 409, 413, 422])
def test_other_client_errors_are_permanent(status: int) -> None:
    assert classify_status(status) is ErrorKind.PERMANENT


@pytest.mark.parametrize("status", [401, 403])
def test_401_and_403_ask_for_credentials(status: int) -> None:
    assert classify_status(status) is ErrorKind.CREDENTIALS


def test_backoff_doubles_from_the_base_and_stops_at_the_cap() -> None:
    policy = RetryPolicy(base_seconds=1, factor=2, cap_seconds=30, jitter=0)
    assert [policy.backoff(n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]


def test_backoff_survives_absurd_attempt_counts() -> None:
    assert RetryPolicy(cap_seconds=300).backoff(10_000) == 300


def test_jitter_shortens_the_delay_by_at_most_its_fraction() -> None:
    policy = RetryPolicy(base_seconds=10, cap_seconds=10, jitter=0.5)
    assert policy.delay(1, rand=lambda: 0.0) == 10
    assert policy.delay(1, rand=lambda: 1.0) == 5
    assert policy.delay(1, rand=lambda: 0.5) == 7.5


def test_retry_after_wins_when_it_asks_for_longer_than_the_backoff() -> None:
    policy = RetryPolicy(base_seconds=1, cap_seconds=60, jitter=0)
    assert policy.delay(1, retry_after=42) == 42
    assert policy.delay(6, retry_after=2) == 32


def test_an_absurd_retry_after_is_capped() -> None:
    policy = RetryPolicy(retry_after_cap_seconds=600, jitter=0)
    assert policy.delay(1, retry_after=86_400 * 30) == 600


def test_retry_after_is_read_as_seconds_or_as_an_http_date() -> None:
    now = datetime(2026, 11, 23, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("120") == 120
    assert parse_retry_after("Mon, 23 Nov 2026 12:01:30 GMT", now=now) == 90
    assert parse_retry_after("Mon, 23 Nov 2026 11:00:00 GMT", now=now) == 0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_a_policy_that_cannot_back_off_is_refused() -> None:
    with pytest.raises(ValueError):
        RetryPolicy(base_seconds=0)
    with pytest.raises(ValueError):
        RetryPolicy(jitter=1.5)
