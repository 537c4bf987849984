"""A real ``mlflow server``: a free loopback port, SQLite or PostgreSQL, a temporary artifact root."""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# None: wait for /health as long as the server process lives (a busy machine may take minutes), never
# for a fixed time; a server that dies fails the wait at once with its log.
START_TIMEOUT_S: float | None = None


def scratch_folder(fallback: Path, prefix: str = "iris-mlflow-") -> Path:
    """Return a fresh folder in RAM (/dev/shm) when there is one, else ``fallback``.

    The server's SQLite store fsyncs on every write; on a RAM disk a test server is about twice as fast,
    and the client under test still writes its own history to a real disk.
    """
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        return Path(tempfile.mkdtemp(prefix=prefix, dir=shm))
    fallback.mkdir(parents=True, exist_ok=True)
    return fallback


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class MlflowServer:
    """An ``mlflow server`` process that can be started, killed and restarted on one port and database."""

    def __init__(
        self,
        root: Path,
        *,
        port: int | None = None,
        app_name: str = "",
        workers: int = 1,
        backend_store_uri: str = "",
    ):
        """Keep the store (SQLite unless ``backend_store_uri`` says otherwise) and artifacts in ``root``.

        Nothing starts until ``start``.
        """
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.app_name = app_name
        self.workers = workers
        self.db_path = self.root / "mlflow.sqlite"
        self.backend_store_uri = backend_store_uri or f"sqlite:///{self.db_path.as_posix()}"
        self.artifacts = self.root / "artifacts"
        self.log_path = self.root / "server.log"
        self._process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        """Return the tracking URL (http://127.0.0.1:<port>)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        """Tell whether the server process is alive."""
        return self._process is not None and self._process.poll() is None

    def command(self) -> list[str]:
        """Return the command line that starts this server."""
        command = [
            sys.executable,
            "-m",
            "mlflow",
            "server",
            "--backend-store-uri",
            self.backend_store_uri,
            "--artifacts-destination",
            str(self.artifacts),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
        ]
        if self.workers > 1:
            # As the lab runs it (deploy/lab/compose.yaml): uvicorn's 5-s health check kills a worker still
            # importing MLflow on a busy machine, and its replacement starts the import over.
            command += ["--uvicorn-opts", "--timeout-worker-healthcheck 60"]
        if self.app_name:
            command += ["--app-name", self.app_name]
        return command

    def environment(self) -> dict[str, str]:
        """Return the server's environment: no background job runner (it only eats the CI's two cores)."""
        env = dict(os.environ)
        env["MLFLOW_SERVER_ENABLE_JOB_EXECUTION"] = "false"
        env.pop("MLFLOW_TRACKING_URI", None)
        if self.app_name == "basic-auth":
            env["MLFLOW_AUTH_CONFIG_PATH"] = str(self._write_auth_config())
        return env

    def _write_auth_config(self) -> Path:
        config = self.root / "basic_auth.ini"
        config.write_text(
            "[mlflow]\n"
            "default_permission = EDIT\n"
            f"database_uri = sqlite:///{(self.root / 'auth.sqlite').as_posix()}\n"
            "admin_username = admin\n"
            "admin_password = password1234\n"
            "authorization_function = mlflow.server.auth:authenticate_request_basic_auth\n",
            encoding="utf-8",
        )
        return config

    def start(self, timeout: float | None = START_TIMEOUT_S) -> None:
        """Start the server and wait until ``/health`` answers."""
        if self.running:
            return
        log = self.log_path.open("ab")
        try:
            self._process = subprocess.Popen(
                self.command(),
                cwd=self.root,
                env=self.environment(),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: kill() takes the uvicorn workers too
            )
        finally:
            log.close()
        self.starts += 1
        self.wait_healthy(timeout)

    def wait_healthy(self, timeout: float | None = START_TIMEOUT_S) -> None:
        """Poll ``/health`` until it answers 200; fail with the server's log if the process dies."""
        deadline = math.inf if timeout is None else time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running:
                raise RuntimeError(f"mlflow server exited early:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        raise TimeoutError(f"mlflow server did not become healthy in {timeout:.0f} s:\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL the server and its workers at once (a crash, not a shutdown)."""
        self._signal(signal.SIGKILL if hasattr(signal, "SIGKILL") else signal.SIGTERM)

    def stop(self) -> None:
        """Stop the server politely, then forcibly if it lingers."""
        if not self.running:
            return
        self._signal(signal.SIGTERM, wait=10.0)
        if self.running:
            self.kill()

    def _signal(self, sig: int, wait: float = 30.0) -> None:
        process = self._process
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if hasattr(os, "killpg"):
                os.killpg(process.pid, sig)
            else:
                process.send_signal(sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=wait)
        if sig != signal.SIGTERM or process.poll() is not None:
            # Workers may outlive the supervisor for a moment; make sure none keeps the port.
            with contextlib.suppress(ProcessLookupError, PermissionError, AttributeError):
                os.killpg(process.pid, signal.SIGKILL)

    def restart(self) -> None:
        """Start again on the same port and database (after ``kill`` or ``stop``)."""
        self.stop()
        self.start()

    def list_runs(
        self, experiment_name: str, filter_string: str = "", auth: str | None = None
    ) -> list[LandedRun]:
        """Return every run (deleted ones too) of an experiment on this server."""
        return list_runs(self.url, experiment_name, filter_string, auth)

    def runs_by_tag(
        self, experiment_name: str, key: str, value: str, auth: str | None = None
    ) -> list[LandedRun]:
        """Return the runs (deleted ones too) of an experiment whose tag ``key`` equals ``value``."""
        return runs_by_tag(self.url, experiment_name, key, value, auth)

    def runs_per_tag_value(self, experiment_name: str, key: str = "observation_id") -> dict[str, int]:
        """Return how many runs carry each value of tag ``key``."""
        return runs_per_tag_value(self.url, experiment_name, key)

    def log_tail(self, lines: int = 30) -> str:
        """Return the last lines the server wrote."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])


# ---------------------------------------------------------------------- reading what landed (plain REST)
@contextlib.contextmanager
def running_server(
    fallback: Path, *, backend_store_uri: str = "", workers: int = 1
) -> Iterator[MlflowServer]:
    """Run a server with its files in a scratch folder (a RAM disk if any); stop it after.

    By default one worker on a SQLite store (a second worker process only adds lock contention there);
    give a PostgreSQL ``backend_store_uri`` and more ``workers`` for a lab-like server.
    """
    root = scratch_folder(fallback)
    server = MlflowServer(root, workers=workers, backend_store_uri=backend_store_uri)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        if root.is_relative_to("/dev/shm"):
            shutil.rmtree(root, ignore_errors=True)


@dataclass(frozen=True)
class LandedRun:
    """A run as the server holds it, flattened for assertions."""

    run_id: str
    status: str
    lifecycle_stage: str
    start_time: int
    end_time: int | None
    params: dict[str, str]
    metrics: dict[str, float]
    tags: dict[str, str]


def rest(url: str, endpoint: str, body: dict[str, Any] | None = None, auth: str | None = None) -> dict:
    """Call one MLflow REST endpoint (POST with a body, else GET) and return its JSON."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url + "/api/2.0/mlflow/" + endpoint, data=data)
    request.add_header("Content-Type", "application/json")
    if auth:
        request.add_header("Authorization", auth)
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read() or b"{}")


def experiment_id(url: str, name: str, auth: str | None = None) -> str | None:
    """Return the id of the experiment called ``name``, or ``None``."""
    query = urllib.parse.urlencode({"experiment_name": name})
    try:
        return rest(url, f"experiments/get-by-name?{query}", auth=auth)["experiment"]["experiment_id"]
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise


def list_runs(
    url: str, experiment_name: str, filter_string: str = "", auth: str | None = None
) -> list[LandedRun]:
    """Return every run (deleted ones too) of an experiment, optionally filtered, across all pages."""
    exp_id = experiment_id(url, experiment_name, auth)
    if exp_id is None:
        return []
    runs: list[LandedRun] = []
    token = ""
    while True:
        body: dict[str, Any] = {
            "experiment_ids": [exp_id],
            "filter": filter_string,
            "run_view_type": "ALL",
            "max_results": 1000,
        }
        if token:
            body["page_token"] = token
        page = rest(url, "runs/search", body, auth=auth)
        for run in page.get("runs", []):
            info, data = run["info"], run.get("data", {})
            runs.append(
                LandedRun(
                    run_id=info["run_id"],
                    status=info["status"],
                    lifecycle_stage=info["lifecycle_stage"],
                    start_time=int(info["start_time"]),
                    end_time=int(info["end_time"]) if "end_time" in info else None,
                    params={p["key"]: p["value"] for p in data.get("params", [])},
                    metrics={m["key"]: float(m["value"]) for m in data.get("metrics", [])},
                    tags={t["key"]: t["value"] for t in data.get("tags", [])},
                )
            )
        token = page.get("next_page_token", "")
        if not token:
            return runs


def runs_by_tag(
    url: str, experiment_name: str, key: str, value: str, auth: str | None = None
) -> list[LandedRun]:
    """Return the runs (deleted ones too) whose tag ``key`` equals ``value``."""
    quoted = f"'{value}'" if "'" not in value else f'"{value}"'
    return list_runs(url, experiment_name, f"tags.`{key}` = {quoted}", auth=auth)


def runs_per_tag_value(url: str, experiment_name: str, key: str = "observation_id") -> dict[str, int]:
    """Return how many runs carry each value of tag ``key`` (exactly-once checks: every count is 1)."""
    counts: dict[str, int] = {}
    for run in list_runs(url, experiment_name):
        value = run.tags.get(key)
        if value is not None:
            counts[value] = counts.get(value, 0) + 1
    return counts
