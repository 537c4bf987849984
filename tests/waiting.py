"""Waiting for a condition, never for a fixed time: on a busy machine a wait takes longer, it does not fail.

A test that hangs is still ended, by pytest-timeout (pyproject.toml), with the stack of the wait.
"""

from __future__ import annotations

import time
from collections.abc import Callable

# qtbot.waitUntil wants a limit in ms: this one (about 24 days) leaves the hang guard to pytest-timeout.
UNTIL_IT_HAPPENS_MS = 2**31 - 1


def wait_for(condition: Callable[[], bool], what: str, poll_s: float = 0.2) -> None:
    """Return once ``condition()`` holds, however long it takes; ``what`` names it in a hung test's stack."""
    while not condition():
        time.sleep(poll_s)
