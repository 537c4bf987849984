"""CPU time used by a server's processes, read from Linux /proc (dead children included via cutime)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")


@dataclass(frozen=True)
class ProcessCpu:
    """One live process: its ids and the CPU ticks it and its waited-for children have used."""

    pid: int
    ppid: int
    pgid: int
    ticks: int


def _processes() -> Iterator[ProcessCpu]:
    for stat in PROC.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # after "(comm)": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
        # utime(11) stime(12) cutime(13) cstime(14)
        ticks = sum(int(f) for f in fields[11:15])
        yield ProcessCpu(int(stat.parent.name), int(fields[1]), int(fields[2]), ticks)


def pgid_listening_on(port: int) -> int | None:
    """Return the process group of the ``mlflow server`` started with ``--port port``, if it runs."""
    needle = f"\0--port\0{port}\0".encode()
    for cmdline in PROC.glob("[0-9]*/cmdline"):
        try:
            if needle in cmdline.read_bytes() + b"\0":
                return os.getpgid(int(cmdline.parent.name))
        except (OSError, ProcessLookupError):
            continue
    return None


def cpu_seconds(pgid: int | None = None, parent: int | None = None) -> float:
    """Return CPU seconds used so far by a process group, or by a process and its direct children."""
    ticks = 0
    for p in _processes():
        if (pgid is not None and p.pgid == pgid) or (parent is not None and parent in (p.pid, p.ppid)):
            ticks += p.ticks
    return ticks / os.sysconf("SC_CLK_TCK")
