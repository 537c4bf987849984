"""Processes a benchmark run starts: each in its own process group, all ended on every way out of the run.

``popen`` starts a child as the leader of a new process group and remembers it; ``end_all`` stops every
remembered group (SIGTERM, then SIGKILL) and ``ended_on_exit`` runs it however the run ends: normally,
by an exception, by SIGINT (Ctrl+C) or by SIGTERM (a timeout, ``kill``), which it turns into an exception
so that every ``finally`` on the way out (servers, PostgreSQL clusters, work folders) runs too.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from typing import Any

_GROUPS: dict[int, subprocess.Popen[Any]] = {}
GRACE_S = 10.0


class Terminated(BaseException):
    """The run received SIGTERM; raised like KeyboardInterrupt so that clean-up code runs."""


def popen(command: list[str], **kwargs: Any) -> subprocess.Popen[Any]:
    """Start ``command`` as the leader of its own process group and remember it until it is ended."""
    child = subprocess.Popen(command, start_new_session=True, **kwargs)
    _GROUPS[child.pid] = child
    return child


def end(child: subprocess.Popen[Any], grace: float = GRACE_S) -> int:
    """Stop a child's whole process group (SIGTERM, SIGKILL after ``grace`` s); return its exit code."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child.pid, sig)
        try:
            child.wait(timeout=grace)
            break
        except subprocess.TimeoutExpired:
            continue
    _reap_group(child.pid, grace)
    _GROUPS.pop(child.pid, None)
    return child.wait()


def _reap_group(pgid: int, grace: float) -> None:
    """Wait until no process of the group is left (its workers may outlive the leader); kill stragglers.

    A killed straggler is waited for too: on a busy machine dying takes a moment, and a run that says
    everything has ended must not leave one still running behind it.
    """
    killed_at = None
    start = time.monotonic()
    while True:
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return
        if killed_at is None and time.monotonic() - start > grace:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pgid, signal.SIGKILL)
            killed_at = time.monotonic()
        elif killed_at is not None and time.monotonic() - killed_at > grace:
            return  # a process SIGKILL cannot end (stuck in the kernel): nothing more can be done
        time.sleep(0.05)


def end_all() -> None:
    """End every process group this run started that is still remembered."""
    for child in list(_GROUPS.values()):
        end(child)


def _raise_terminated(signum: int, frame: object) -> None:
    raise Terminated(f"signal {signum}")


@contextlib.contextmanager
def ended_on_exit() -> Iterator[None]:
    """Run the block with SIGTERM raising ``Terminated``; end every remembered group when it is left."""
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second SIGTERM must not cut the clean-up short
        try:
            end_all()
        finally:
            signal.signal(signal.SIGTERM, previous)
