"""A benchmark run stopped by Ctrl+C or a timeout's SIGTERM leaves nothing running: no server, no worker."""

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.slow, pytest.mark.server, pytest.mark.timeout(1800)]  # ends a hung run only


def _processes() -> dict[int, tuple[int, int, str, str]]:
    """Return pid -> (parent pid, process group, state, command line) of every process (Linux /proc)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        found[int(entry.name)] = (int(fields[1]), int(fields[2]), fields[0], command)
    return found


def _descendants(root: int) -> dict[int, tuple[int, int, str, str]]:
    table = _processes()
    family, grew = {root}, True
    while grew:
        grew = False
        for pid, (parent, *_) in table.items():
            if parent in family and pid not in family:
                family.add(pid)
                grew = True
    return {pid: table[pid] for pid in family - {root} if pid in table}


def _answers(port: str) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as answer:
            return answer.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _serving_server(run: subprocess.Popen[bytes]) -> dict[int, tuple[int, int, str, str]]:
    """Wait until the run's mlflow server answers; return the run's processes at that moment."""
    while run.poll() is None:
        family = _descendants(run.pid)
        for _, _, _, command in family.values():
            words = command.split()
            if "server" in words and "--port" in words and _answers(words[words.index("--port") + 1]):
                return _descendants(run.pid)
        time.sleep(0.5)
    pytest.fail(f"the benchmark run exited ({run.returncode}) before its server answered")


def _left_running(pids: set[int], groups: set[int]) -> list[str]:
    return [
        f"{pid}: {command[:120]}"
        for pid, (_, group, state, command) in _processes().items()
        if (pid in pids or group in groups) and state != "Z"
    ]


def _ctrl_c_as_in_a_terminal() -> None:
    """Let SIGINT reach the run as Ctrl+C does (in the child, before it starts the benchmarks).

    A suite started in the background (``pytest &``) ignores SIGINT, and its children inherit that.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process table from /proc")
@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_stopped_run_ends_its_server_and_workers(tmp_path: Path, stop: signal.Signals) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MLFLOW_TRACKING_URI")}
    command = [
        sys.executable,
        "-m",
        "benchmarks",
        "--quick",
        "--only",
        "sync",
        "--out",
        str(tmp_path / "r.json"),
    ]
    run = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=_ctrl_c_as_in_a_terminal,
    )
    started: dict[int, tuple[int, int, str, str]] = {}
    try:
        started = _serving_server(run)
        assert any(group != os.getpgrp() for _, group, _, _ in started.values()), started
        run.send_signal(stop)  # to the run alone, as a timeout or kill does
        _, errors = run.communicate()
        assert run.returncode == 128 + stop, errors.decode()[-2000:]
        assert "every process it started has been ended" in errors.decode()
        own_groups = {group for _, group, _, _ in started.values()} - {os.getpgrp()}
        left = _left_running(set(started), own_groups)
        assert left == [], left
        assert not (tmp_path / "r.json").exists()
    finally:
        with contextlib.suppress(ProcessLookupError):
            run.kill()
        for group in {group for _, group, _, _ in started.values()} - {os.getpgrp()}:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(group, signal.SIGKILL)
