"""Time-ordered observation ids: UUID version 7 (RFC 9562), so new rows append to the history's id index.

A random (version 4) id lands at a random place in the index of a large history; a version 7 id begins
with the Unix time in milliseconds, so ids made later sort later. Python 3.11 has no ``uuid.uuid7``: this
module follows the RFC's layout with a 12-bit counter in ``rand_a`` (its "method 1"), started at a
random value below 2048 each millisecond and carried into the millisecond when it runs out, so the ids
one process makes are strictly increasing even within a millisecond. ``rand_b`` is 62 random bits.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

_VERSION = 0x7
_VARIANT = 0b10
_COUNTER_BITS = 12
_HEX_DIGITS = b"0123456789abcdef"
# Where the four dashes of the 8-4-4-4-12 form go, counted in hex digits.
_DASHES_AFTER = (8, 12, 16, 20)


class TimeOrderedIds:
    """Makes UUIDv7 strings, strictly increasing across all calls of one instance."""

    def __init__(self, clock_ms: Callable[[], int] | None = None):
        """``clock_ms`` returns the Unix time in milliseconds (the system clock by default)."""
        self._clock_ms = clock_ms or (lambda: time.time_ns() // 1_000_000)
        self._last = -1  # the last (milliseconds << 12 | counter) handed out
        self._lock = threading.Lock()

    def new(self) -> str:
        """Return one new id (without numpy: a single save stays light)."""
        stamp = self._reserve(1)
        rand_b = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
        value = (stamp >> _COUNTER_BITS) << 80 | _VERSION << 76 | (stamp & 0xFFF) << 64
        return str(uuid.UUID(int=value | _VARIANT << 62 | rand_b))

    def many(self, count: int) -> list[str]:
        """Return ``count`` new ids in increasing order (one clock reading, one call for randomness)."""
        import numpy as np

        if count <= 0:
            return []
        start = self._reserve(count)
        # milliseconds and counter together take 60 bits: numpy's int64 holds them.
        stamps = np.arange(start, start + count, dtype=np.int64)
        return _formatted(stamps, np.frombuffer(os.urandom(8 * count), dtype=np.uint64))

    def _reserve(self, count: int) -> int:
        """Return the first of ``count`` consecutive (milliseconds << 12 | counter) values, now or later."""
        with self._lock:
            now = int(self._clock_ms()) << _COUNTER_BITS
            # The counter starts below 2048 each millisecond, leaving room to count on (RFC 9562 6.2).
            start = max(now | int.from_bytes(os.urandom(2), "big") >> 5, self._last + 1)
            self._last = start + count - 1
        return start


def _formatted(stamps: np.ndarray, random: np.ndarray) -> list[str]:
    """Return the 8-4-4-4-12 text of ids made of (milliseconds << 12 | counter) and 64 random bits."""
    import numpy as np

    count = len(stamps)
    octets = np.empty((count, 16), dtype=np.uint8)
    millis = (stamps >> _COUNTER_BITS).astype(np.uint64)
    for i in range(6):  # unix_ts_ms, 48 bits, big-endian
        octets[:, i] = (millis >> np.uint64(8 * (5 - i))) & np.uint64(0xFF)
    counter = stamps & ((1 << _COUNTER_BITS) - 1)
    octets[:, 6] = (_VERSION << 4) | (counter >> 8)
    octets[:, 7] = counter & 0xFF
    tail = random.byteswap().view(np.uint8).reshape(count, 8)  # rand_b: big-endian random bytes
    octets[:, 8:] = tail
    octets[:, 8] = (_VARIANT << 6) | (tail[:, 0] & 0x3F)
    digits = np.empty((count, 32), dtype=np.uint8)
    hex_digits = np.frombuffer(_HEX_DIGITS, dtype=np.uint8)
    digits[:, 0::2] = hex_digits[octets >> 4]
    digits[:, 1::2] = hex_digits[octets & 0x0F]
    parts = np.split(digits, _DASHES_AFTER, axis=1)
    dash = np.full((count, 1), ord("-"), dtype=np.uint8)
    text = np.hstack([p for part in parts for p in (part, dash)][:-1])
    return np.ascontiguousarray(text).view("S36").ravel().astype(str).tolist()


# The one generator of this process: ids of every save (one flower or a whole CSV) come from it.
OBSERVATION_IDS = TimeOrderedIds()


def new_observation_id() -> str:
    """Return a new time-ordered observation id."""
    return OBSERVATION_IDS.new()
