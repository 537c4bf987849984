"""Fresh child processes, timed from spawn until they print a ready line (or exit)."""

from __future__ import annotations

import collections
import math
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from benchmarks import children

PROBES = Path(__file__).resolve().parent / "probes"
BENCH_LINE = re.compile(r"^BENCH (\S+) ?(.*)$")


class ProbeError(RuntimeError):
    """A child process failed or never said it was ready."""


@dataclass(frozen=True)
class ProbeRun:
    """What one child reported: seconds from spawn to ready and to exit, and its ``BENCH key value`` lines."""

    ready_s: float
    exit_s: float
    values: dict[str, str]
    returncode: int


def probe_command(script: str, *args: str) -> list[str]:
    """Return the command that runs ``benchmarks/probes/<script>`` with this interpreter."""
    return [sys.executable, str(PROBES / script), *args]


def child_env(**overrides: str) -> dict[str, str]:
    """Return the parent's environment without PYTHONPATH, plus overrides."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(overrides)
    return env


def peak_rss_kb(pid: int) -> int:
    """Return another process's peak resident memory (VmHWM, kB) from /proc; 0 where there is no /proc."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def spawn(
    command: list[str],
    env: dict[str, str],
    *,
    ready: str | re.Pattern[str] | None = "BENCH ready",
    stop_when_ready: bool = False,
    on_ready: Callable[[int], dict[str, str]] | None = None,
    timeout: float | None = None,
    cwd: Path | None = None,
) -> ProbeRun:
    """Start ``command``, stdout and stderr merged; time the first line matching ``ready`` (or the exit).

    ``on_ready(pid)`` runs once ready (e.g. to read the child's memory) and adds to the values; with
    ``stop_when_ready`` the child is then terminated (a window that would otherwise stay open).
    The child is waited for as long as it lives (a busy machine makes it slower, not a failure) unless a
    ``timeout`` is given; Ctrl+C or a SIGTERM ends the run and every child.
    """
    pattern = re.compile(re.escape(ready)) if isinstance(ready, str) else ready
    values: dict[str, str] = {}
    tail: collections.deque[str] = collections.deque(maxlen=5)
    start = time.perf_counter_ns()
    child = children.popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env=env,
        cwd=cwd,
        text=True,
        errors="replace",
    )
    ready_ns: int | None = None
    deadline = math.inf if timeout is None else time.monotonic() + timeout
    try:
        assert child.stdout is not None
        for line in child.stdout:
            now = time.perf_counter_ns()
            tail.append(line.rstrip())
            match = BENCH_LINE.match(line)
            if match:
                values[match.group(1)] = match.group(2).strip()
            if pattern is not None and ready_ns is None and pattern.search(line):
                ready_ns = now
                if on_ready is not None:
                    values.update(on_ready(child.pid))
                if stop_when_ready:
                    child.terminate()
            if time.monotonic() > deadline:
                raise ProbeError(f"{' '.join(command[:2])} ran longer than {timeout:.0f} s")
        code = child.wait(timeout=None if timeout is None else max(1.0, deadline - time.monotonic()))
    finally:
        children.end(child)  # its group: anything it started ends with it, whatever happened here
        if child.stdout is not None:
            child.stdout.close()
    exit_ns = time.perf_counter_ns()
    stopped = stop_when_ready and ready_ns is not None
    if (code != 0 and not stopped) or (pattern is not None and ready_ns is None):
        raise ProbeError(f"{' '.join(command[:2])} exited with {code}: {' | '.join(tail)}")
    ready_at = ready_ns if ready_ns is not None else exit_ns
    return ProbeRun((ready_at - start) * 1e-9, (exit_ns - start) * 1e-9, values, code)
