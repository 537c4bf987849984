"""A real local ``mlflow server`` (SQLite, or PostgreSQL as the lab runs it) on a free loopback port."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from benchmarks import children
from contract.mlflow_api import API_2
from tests.postgres_cluster import PostgresSettings, running_postgres

LAB_WORKERS = 4
# Patience in tries, not seconds: a starting server is waited for as long as it lives (4 workers each
# import mlflow: minutes on 2 busy cores); the cap only ends the wait for a server that hangs.
HEALTH_ATTEMPTS = 2_400  # /health tries, at least 0.5 s apart
WARM_ATTEMPTS = 10  # tries of the first real request once /health answers
REQUEST_TIMEOUT_S = 30.0
QUIET_TIMEOUT_S = 90.0


class ServerNotWarm(RuntimeError):
    """A server started but did not become ready for real requests: what it would measure is not measured."""


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as answer:
            return answer.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _group_cpu_seconds(pgid: int) -> float:
    """Return the CPU time used so far by every live process in a process group (Linux /proc)."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after "(comm)": state ppid pgrp … utime(11) stime(12)
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def wait_until_quiet(pgid: int, limit_s: float = QUIET_TIMEOUT_S) -> float:
    """Wait until the server's processes use < 10 % of a core; return the seconds waited.

    A fresh ``mlflow server`` keeps starting its job consumers (each imports mlflow) for tens of seconds
    after it first answers; measuring during that would charge their start-up to whichever path runs first.
    """
    if not Path("/proc/self/stat").exists():
        return 0.0
    start = time.monotonic()
    before = _group_cpu_seconds(pgid)
    while time.monotonic() - start < limit_s:
        time.sleep(1.0)
        now = _group_cpu_seconds(pgid)
        if now - before < 0.1:
            break
        before = now
    return time.monotonic() - start


@contextlib.contextmanager
def postgres_mlflow_server(folder: Path, workers: int = LAB_WORKERS, settle: bool = True) -> Iterator[str]:
    """Run ``mlflow server`` on a fresh PostgreSQL cluster with 4 workers (as the lab does); yield its URL.

    The cluster keeps PostgreSQL's durable defaults (fsync on) and is deleted afterwards; artifacts go to
    ``folder``. Needs Debian's ``postgresql`` (installed with apt-get when missing and we are root).
    """
    with running_postgres(settings=PostgresSettings(durable=True)) as cluster:
        uri = cluster.create_database("mlflow")
        with mlflow_server(folder, workers=workers, settle=settle, backend_store_uri=uri) as url:
            yield url


@contextlib.contextmanager
def mlflow_server(
    folder: Path, workers: int = 1, settle: bool = True, backend_store_uri: str = ""
) -> Iterator[str]:
    """Run ``mlflow server`` with a SQLite store (unless ``backend_store_uri``) and artifacts in ``folder``.

    Yields its URL. ``settle``: yield only once the server's start-up work has died down (see
    ``wait_until_quiet``).
    """
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    mlflow_cli = Path(sys.executable).with_name("mlflow")
    command = [
        str(mlflow_cli),
        "server",
        "--backend-store-uri",
        backend_store_uri or f"sqlite:///{folder / 'server.db'}",
        "--artifacts-destination",
        str(folder / "artifacts"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    log = (folder / "server.log").open("w", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    # Own process group: stopping it also stops the workers the server forks (benchmarks.children).
    server = children.popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        _wait_until_warm(server, url, folder / "server.log")
        if settle:
            wait_until_quiet(server.pid)
        yield url
    finally:
        children.end(server, grace=20)
        log.close()


def _wait_until_warm(server: subprocess.Popen[bytes], url: str, log_path: Path) -> None:
    """Wait until the server answers /health, then until it answers one real request.

    A server under load may answer /health long before its first real request (its workers still import
    mlflow): the real request is retried ``WARM_ATTEMPTS`` times, each with ``REQUEST_TIMEOUT_S``.
    """
    for _ in range(HEALTH_ATTEMPTS):
        if _healthy(url):
            break
        if server.poll() is not None:
            raise RuntimeError(f"mlflow server exited with {server.returncode}; see {log_path}")
        time.sleep(0.5)
    else:
        raise ServerNotWarm(f"the mlflow server did not answer /health in {HEALTH_ATTEMPTS} tries")
    request = f"{url}{API_2}/experiments/get-by-name?experiment_name=Default"
    problem = ""
    for _ in range(WARM_ATTEMPTS):
        if server.poll() is not None:
            raise RuntimeError(f"mlflow server exited with {server.returncode}; see {log_path}")
        try:
            with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_S) as answer:
                answer.read()
            return
        except urllib.error.HTTPError:  # an answer, even a refusal, means a worker handled the request
            return
        except (urllib.error.URLError, OSError) as exc:
            problem = str(exc)
    raise ServerNotWarm(
        f"the mlflow server answered /health but not a real request in {WARM_ATTEMPTS} tries: {problem}"
    )
