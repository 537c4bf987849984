"""Specification of the retry policy: which answers are worth another try, and how long to wait first."""

import time
from email.utils import formatdate

import pytest

from desktop.sync.retry import Backoff, ErrorKind, RetryPolicy, RoundTrip, classify_status, parse_retry_after


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
    backoff = Backoff(RetryPolicy(base_seconds=10, cap_seconds=10, jitter=0.5)).increment()
    assert backoff.delay(rand=lambda: 0.0) == 10
    assert backoff.delay(rand=lambda: 1.0) == 5
    assert backoff.delay(rand=lambda: 0.5) == 7.5


def test_a_backoff_is_a_value_increment_returns_a_new_one_and_reset_starts_over() -> None:
    start = Backoff(RetryPolicy(base_seconds=1, cap_seconds=60, jitter=0))
    third = start.increment().increment().increment()
    assert (start.failures, start.delay(), third.failures, third.delay()) == (0, 0.0, 3, 4.0)
    assert third.reset() == start


def test_retry_after_wins_when_it_asks_for_longer_than_the_backoff() -> None:
    start = Backoff(RetryPolicy(base_seconds=1, cap_seconds=60, jitter=0))
    assert start.increment(retry_after=42).delay() == 42
    six = start.increment().increment().increment().increment().increment()
    assert six.increment(retry_after=2).delay() == 32


def test_an_absurd_retry_after_is_capped_at_an_hour() -> None:
    assert parse_retry_after(str(86_400 * 30)) == 3600
    assert Backoff(RetryPolicy(jitter=0)).increment(retry_after=86_400 * 30).delay() == 3600


def test_retry_after_is_read_as_seconds_or_as_an_http_date() -> None:
    assert parse_retry_after("120") == 120
    assert 80 < parse_retry_after(formatdate(time.time() + 90, usegmt=True)) <= 90
    assert parse_retry_after(formatdate(time.time() - 3600, usegmt=True)) == 0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_the_answer_timeout_follows_the_measured_round_trip_as_rfc_6298_says() -> None:
    timer = RoundTrip(floor=1.0, ceiling=20.0)
    assert timer.timeout == 1.0  # before any measurement
    first = timer.measured(2.0)  # SRTT = R, RTTVAR = R/2, RTO = SRTT + 4 RTTVAR
    assert (first.srtt, first.rttvar, first.timeout) == (2.0, 1.0, 6.0)
    second = first.measured(1.0)  # RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R|, SRTT = 7/8 SRTT + 1/8 R
    assert (second.srtt, second.rttvar) == (1.875, 1.0) and second.timeout == 5.875


def test_a_quick_link_waits_the_floor_a_timeout_doubles_the_wait_and_the_ceiling_holds() -> None:
    quick = RoundTrip().measured(0.1).measured(0.12).measured(0.1)
    assert quick.timeout == 1.0
    assert quick.timed_out().timeout == 2.0
    assert RoundTrip().measured(30.0).timeout == 20.0
    assert RoundTrip(timeout=16.0).timed_out().timed_out().timeout == 20.0


def test_a_policy_that_cannot_back_off_is_refused() -> None:
    with pytest.raises(ValueError):
        RetryPolicy(base_seconds=0)
    with pytest.raises(ValueError):
        RetryPolicy(jitter=1.5)
