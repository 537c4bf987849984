"""When to try a failed request again, and how long to wait first: pure values and functions, no sleeping."""

from __future__ import annotations

import enum
import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from urllib3.exceptions import InvalidHeader
from urllib3.util import Retry


class ErrorKind(enum.StrEnum):
    """What a failed request means for the observation that needed it."""

    TRANSIENT = "transient"  # try again later: the same request may well succeed
    PERMANENT = "permanent"  # this request will keep failing: stop this observation and say why
    CREDENTIALS = "credentials"  # 401/403: every request will fail until the user re-authenticates
    SETUP = "setup"  # the server settings are wrong (certificate, address): stop until they change


# Client errors that say "not now" rather than "never".
_TRANSIENT_CLIENT_STATUSES = frozenset({408, 429})
_CREDENTIAL_STATUSES = frozenset({401, 403})
# A Retry-After longer than this is treated as this: a misconfigured server must not park us for days.
RETRY_AFTER_CAP_SECONDS = 3600.0


def classify_status(status: int, *, json_body: bool = True) -> ErrorKind | None:
    """Classify an HTTP answer; ``None`` means success (a 2xx with a JSON body)."""
    if 200 <= status < 300:
        # A 2xx that is not JSON comes from something in between (a captive portal, a proxy page):
        # the server never saw the request, or we cannot tell what it did.
        return None if json_body else ErrorKind.TRANSIENT
    if status in _CREDENTIAL_STATUSES:
        return ErrorKind.CREDENTIALS
    if status in _TRANSIENT_CLIENT_STATUSES:
        return ErrorKind.TRANSIENT
    if 400 <= status < 500:
        return ErrorKind.PERMANENT
    # 5xx, and 1xx/3xx that we do not follow (a redirect to a login page of a hotel network).
    return ErrorKind.TRANSIENT


def parse_retry_after(value: str | None) -> float | None:
    """Return the seconds a ``Retry-After`` header asks for (seconds or HTTP-date, capped), or ``None``."""
    if not value or not value.strip():
        return None
    try:
        return float(Retry(0, retry_after_max=RETRY_AFTER_CAP_SECONDS).parse_retry_after(value))
    except InvalidHeader:
        return None


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter, capped; a server's ``Retry-After`` wins when it asks for longer."""

    base_seconds: float = 1.0
    factor: float = 2.0
    cap_seconds: float = 300.0
    # Fraction of each delay drawn at random, so many field laptops coming back online at once
    # do not hit the lab server in lock step.
    jitter: float = 0.5

    def __post_init__(self) -> None:
        if self.base_seconds <= 0 or self.factor < 1 or self.cap_seconds < self.base_seconds:
            raise ValueError("need 0 < base_seconds <= cap_seconds and factor >= 1")
        if not 0 <= self.jitter <= 1:
            raise ValueError("jitter is a fraction between 0 and 1")

    def backoff(self, attempt: int) -> float:
        """Return the delay before try ``attempt + 1`` without jitter (``attempt`` counts failures, >= 1)."""
        if attempt < 1:
            return 0.0
        # Exponent capped too, so a huge attempt count cannot overflow a float.
        return min(self.cap_seconds, self.base_seconds * self.factor ** min(attempt - 1, 64))


@dataclass(frozen=True)
class Backoff:
    """Consecutive failures so far and the wait they call for; ``increment`` returns a new value.

    Like urllib3's ``Retry``: nothing here sleeps or changes; the caller keeps the value it got back.
    """

    policy: RetryPolicy = field(default_factory=RetryPolicy)
    failures: int = 0
    retry_after: float | None = None  # what the last answer asked for, if anything
    reported: bool = False  # these failures were already reported (said once, not on every retry)

    def increment(self, retry_after: float | None = None) -> Backoff:
        """Return the backoff after one more failure (``retry_after``: what the server asked for)."""
        return replace(self, failures=self.failures + 1, retry_after=retry_after)

    def reset(self) -> Backoff:
        """Return the backoff after a success."""
        return replace(self, failures=0, retry_after=None, reported=False)

    def report(self) -> Backoff:
        """Return the backoff marked as reported to the user."""
        return replace(self, reported=True)

    def delay(self, rand: Callable[[], float] = random.random) -> float:
        """Return how long to wait now (jittered, capped; a longer ``Retry-After`` wins)."""
        jittered = self.policy.backoff(self.failures) * (1.0 - self.policy.jitter * rand())
        if self.retry_after is not None and self.retry_after > 0:
            return max(jittered, min(self.retry_after, RETRY_AFTER_CAP_SECONDS))
        return jittered


@dataclass(frozen=True)
class RoundTrip:
    """TCP's retransmission timer (RFC 6298) for requests: how long to wait for an answer.

    The timeout follows the measured round trip: smoothed RTT plus four times its variation, clamped
    to ``[floor, ceiling]``; each timeout doubles it until an answer brings a fresh measurement.
    """

    floor: float = 1.0
    ceiling: float = 20.0
    srtt: float | None = None  # smoothed round-trip time, seconds; None until the first answer
    rttvar: float = 0.0
    timeout: float = 1.0  # RTO: RFC 6298's initial value before any measurement

    def measured(self, seconds: float) -> RoundTrip:
        """Return the timer after an answer that took ``seconds`` (RFC 6298, section 2)."""
        if self.srtt is None:
            srtt, rttvar = seconds, seconds / 2
        else:
            rttvar = 0.75 * self.rttvar + 0.25 * abs(self.srtt - seconds)
            srtt = 0.875 * self.srtt + 0.125 * seconds
        timeout = min(self.ceiling, max(self.floor, srtt + 4 * rttvar))
        return replace(self, srtt=srtt, rttvar=rttvar, timeout=timeout)

    def timed_out(self) -> RoundTrip:
        """Return the timer after a request went unanswered: back off (RFC 6298, 5.5)."""
        return replace(self, timeout=min(self.ceiling, self.timeout * 2))
