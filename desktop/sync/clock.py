"""Time for the sync: the wall clock and waiting on it; tests pass a fake that moves on instantly."""

from __future__ import annotations

import threading
import time


class Clock:
    """The real clock: ``time.time()`` and ``Event.wait``."""

    def now(self) -> float:
        """Return seconds since the epoch."""
        return time.time()

    def wait(self, event: threading.Event, seconds: float | None) -> bool:
        """Wait until ``event`` is set or ``seconds`` (``None``: no limit) passed; tell whether it was set."""
        return event.wait(None if seconds is None else max(0.0, seconds))
