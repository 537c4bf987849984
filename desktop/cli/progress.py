"""A progress bar for long command-line work, drawn on the terminal only (never into a file or pipe)."""

from __future__ import annotations

import time
from typing import TextIO

WIDTH = 30
REDRAW_EVERY_S = 0.1


class TerminalProgress:
    """One line on ``stream`` redrawn in place, ``[#####.....]  45 %  450,000 rows``; silent elsewhere."""

    def __init__(self, stream: TextIO, total: int, noun: str = "rows"):
        """Count towards ``total`` (e.g. lines of the file); draw only if ``stream`` is a terminal."""
        self._stream = stream
        self._total = max(total, 1)
        self._noun = noun
        self.drawn = False
        self._enabled = bool(getattr(stream, "isatty", lambda: False)())
        self._last = 0.0

    def show(self, done: int, count: int) -> None:
        """Show that ``done`` of ``total`` is behind us and ``count`` items were handled."""
        now = time.monotonic()
        if not self._enabled or now - self._last < REDRAW_EVERY_S:
            return
        self._last = now
        share = min(done / self._total, 1.0)
        bar = "#" * round(share * WIDTH)
        self._stream.write(f"\r[{bar:.<{WIDTH}}] {share * 100:3.0f} %  {count:,} {self._noun}")
        self._stream.flush()
        self.drawn = True

    def close(self) -> None:
        """Wipe the bar so the next words start on a clean line."""
        if self.drawn:
            self._stream.write("\r" + " " * (WIDTH + 40) + "\r")
            self._stream.flush()
            self.drawn = False
