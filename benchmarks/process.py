"""Fresh child processes that report back on stdout with ``BENCH <key> <value>`` lines."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

PROBES = Path(__file__).resolve().parent / "probes"


class ProbeError(RuntimeError):
    """A child process failed or never said it was ready."""


@dataclass(frozen=True)
class ProbeRun:
    """What one child reported: seconds from spawn to its ``ready`` line, and its other values."""

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


def spawn(
    command: list[str], env: dict[str, str], timeout: float = 300.0, ready_key: str | None = "ready"
) -> ProbeRun:
    """Start ``command``; time its first ``BENCH ready`` line (or its exit if ready_key is None)."""
    values: dict[str, str] = {}
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace") as errors:
        start = time.perf_counter_ns()
        child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, env=env, text=True)
        ready_ns = None
        deadline = time.monotonic() + timeout
        try:
            assert child.stdout is not None
            for line in child.stdout:
                if line.startswith("BENCH "):
                    _, key, *rest = line.rstrip("\n").split(" ", 2)
                    values[key] = rest[0] if rest else ""
                    if key == ready_key and ready_ns is None:
                        ready_ns = time.perf_counter_ns()
                if time.monotonic() > deadline:
                    raise ProbeError(f"{Path(command[1]).name} ran longer than {timeout:.0f} s")
            code = child.wait(timeout=max(1.0, deadline - time.monotonic()))
        except (subprocess.TimeoutExpired, ProbeError):
            child.kill()
            child.wait()
            raise
        exit_ns = time.perf_counter_ns()
        if code != 0 or (ready_key is not None and ready_ns is None):
            errors.seek(0)
            tail = errors.read().strip().splitlines()[-3:]
            raise ProbeError(f"{' '.join(command[:2])} exited with {code}: {' | '.join(tail)}")
    ready = (ready_ns if ready_ns is not None else exit_ns) - start
    return ProbeRun(ready * 1e-9, (exit_ns - start) * 1e-9, values, code)
