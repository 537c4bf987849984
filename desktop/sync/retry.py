"""When to try a failed request again, and how long to wait first: pure values and functions, no sleeping."""

from __future__ import annotations

import enum
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


class ErrorKind(enum.Enum):
    """What a failed request means for the observation that needed it."""

    TRANSIENT = "transient"  # try again later: the same request may well succeed
    PERMANENT = "permanent"  # this request will keep failing: stop this observation and say why
    CREDENTIALS = "credentials"  # 401/403: every request will fail until the user re-authenticates
    SETUP = "setup"  # the server settings are wrong (certificate, address): stop until they change


# Client errors that say "not now" rather than "never".
_TRANSIENT_CLIENT_STATUSES = frozenset({408, 429})
_CREDENTIAL_STATUSES = frozenset({401, 403})


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


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Return the seconds a ``Retry-After`` header asks for (delta-seconds or HTTP-date), or ``None``."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    current = now if now is not None else datetime.now(UTC)
    return max(0.0, (moment - current).total_seconds())


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter, capped; a server's ``Retry-After`` wins when it asks for longer."""

    base_seconds: float = 1.0
    factor: float = 2.0
    cap_seconds: float = 300.0
    # Fraction of each delay drawn at random, so many field laptops coming back online at once
    # do not hit the lab server in lock step.
    jitter: float = 0.5
    # A Retry-After longer than this is treated as this: a misconfigured server must not park us for days.
    retry_after_cap_seconds: float = 3600.0

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
        exponent = min(attempt - 1, 64)
        return min(self.cap_seconds, self.base_seconds * self.factor**exponent)

    def delay(
        self,
        attempt: int,
        retry_after: float | None = None,
        rand: Callable[[], float] = random.random,
    ) -> float:
        """Return how long to wait after the ``attempt``-th consecutive failure (jittered, capped)."""
        full = self.backoff(attempt)
        jittered = full * (1.0 - self.jitter * rand())
        if retry_after is not None and retry_after > 0:
            return max(jittered, min(retry_after, self.retry_after_cap_seconds))
        return jittered
