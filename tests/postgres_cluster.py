"""A throwaway PostgreSQL cluster: Debian's ``postgresql`` in a temporary folder on a free loopback port.

PostgreSQL refuses to run as root, so when we are root the cluster's processes run as an unprivileged
user (``postgres``, which the Debian package creates) and its folder belongs to that user.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tests.mlflow_test_server import free_port

if TYPE_CHECKING:  # Windows has no pwd: tests/conftest.py imports this module on every runner
    import pwd

SUPERUSER = "iris"
UNPRIVILEGED_USERS = ("postgres", "nobody")
DEBIAN_BINARIES = Path("/usr/lib/postgresql")


class PostgresMissing(RuntimeError):
    """PostgreSQL's server programs are not installed and could not be installed here."""


def server_binaries(install: bool = True) -> Path:
    """Return the folder of ``initdb`` and ``pg_ctl``; apt-get install ``postgresql`` if missing (as root)."""
    folder = _find_binaries()
    if folder is None and install and _can_apt_get():
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, stdout=subprocess.DEVNULL)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "postgresql"], check=True, env=env, stdout=subprocess.DEVNULL
        )
        folder = _find_binaries()
    if folder is None:
        raise PostgresMissing(
            "PostgreSQL is not installed: run `apt-get install postgresql` (Debian/Ubuntu)."
        )
    return folder


def _find_binaries() -> Path | None:
    on_path = shutil.which("pg_ctl")
    if on_path and Path(on_path).resolve().with_name("initdb").exists():
        return Path(on_path).resolve().parent
    versions = sorted(DEBIAN_BINARIES.glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]), reverse=True)
    return versions[0].parent if versions else None


def _can_apt_get() -> bool:
    return shutil.which("apt-get") is not None and hasattr(os, "geteuid") and os.geteuid() == 0


def _run_as() -> pwd.struct_passwd | None:
    """Return the unprivileged account to run the server as when we are root, else ``None`` (run as us)."""
    if os.geteuid() != 0:
        return None
    import pwd  # Unix only: imported here, where it is used

    for name in UNPRIVILEGED_USERS:
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise PostgresMissing("PostgreSQL refuses to run as root and there is no 'postgres' user to run it as.")


@dataclass(frozen=True)
class PostgresSettings:
    """Server settings appended to postgresql.conf; ``durable=False`` skips fsync (fine for a test's data)."""

    durable: bool = False
    max_connections: int = 200


class PostgresCluster:
    """One PostgreSQL cluster in a temporary folder, listening on 127.0.0.1 only, with password auth."""

    def __init__(self, parent: Path | None = None, settings: PostgresSettings = PostgresSettings()):
        """Choose the folder (under ``parent``, else the system's temp folder) and port; nothing runs yet."""
        self.bin = server_binaries()
        self.settings = settings
        self.account = _run_as()
        self.root = Path(tempfile.mkdtemp(prefix="iris-postgres-", dir=parent))
        self.data = self.root / "data"
        self.log_path = self.root / "server.log"
        self.port = free_port()
        self.password = secrets.token_urlsafe(16)
        self.started = False

    def uri(self, database: str) -> str:
        """Return the SQLAlchemy URI of ``database`` via psycopg2 (a bare postgresql:// picks psycopg 3)."""
        return f"postgresql+psycopg2://{SUPERUSER}:{self.password}@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        """Create the cluster (initdb) and start it; return once it accepts connections."""
        password_file = self.root / "password"
        password_file.write_text(self.password + "\n", encoding="utf-8")
        self._hand_over(self.root, password_file)
        self._as_owner(
            self.bin / "initdb",
            "--pgdata",
            self.data,
            "--username",
            SUPERUSER,
            f"--pwfile={password_file}",
            "--auth=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C",
            *([] if self.settings.durable else ["--no-sync"]),
        )
        password_file.unlink()
        with (self.data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write(self._conf_lines())
        self._as_owner(self.bin / "pg_ctl", "--pgdata", self.data, "--log", self.log_path, "--wait", "start")
        self.started = True

    def _conf_lines(self) -> str:
        lines = [
            "listen_addresses = '127.0.0.1'",
            f"port = {self.port}",
            f"unix_socket_directories = '{self.root}'",
            f"max_connections = {self.settings.max_connections}",
        ]
        if not self.settings.durable:
            lines += ["fsync = off", "synchronous_commit = off", "full_page_writes = off"]
        return "\n# iris tests\n" + "\n".join(lines) + "\n"

    def client_environment(self) -> dict[str, str]:
        """Return this process's environment plus the libpq variables that reach the cluster as superuser."""
        return dict(
            os.environ, PGHOST="127.0.0.1", PGPORT=str(self.port), PGUSER=SUPERUSER, PGPASSWORD=self.password
        )

    def client(self, program: str, *arguments: object) -> str:
        """Run one of PostgreSQL's client programs (psql, createdb, pg_restore …) against the cluster."""
        result = subprocess.run(
            [str(self.bin / program), *map(str, arguments)],
            env=self.client_environment(),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"{program} failed ({result.returncode}): {result.stderr.strip()}")
        return result.stdout

    def create_database(self, name: str) -> str:
        """Create database ``name`` owned by the superuser; return its URI."""
        self.client("createdb", name)
        return self.uri(name)

    def stop(self) -> None:
        """Stop the server (fast shutdown) and delete its folder."""
        if self.started:
            with contextlib.suppress(subprocess.CalledProcessError):
                self._as_owner(self.bin / "pg_ctl", "--pgdata", self.data, "--mode", "fast", "--wait", "stop")
            self.started = False
        shutil.rmtree(self.root, ignore_errors=True)

    def postmaster_pid(self) -> int:
        """Return the process id of the running server (from postmaster.pid)."""
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def log_tail(self, lines: int = 30) -> str:
        """Return the last lines the server logged."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def _hand_over(self, *paths: Path) -> None:
        if self.account is not None:
            for path in paths:
                os.chown(path, self.account.pw_uid, self.account.pw_gid)
        self.root.chmod(0o700)

    def _as_owner(self, *command: object) -> None:
        as_user = {}
        if self.account is not None:
            as_user = {"user": self.account.pw_uid, "group": self.account.pw_gid, "extra_groups": []}
        result = subprocess.run(
            [str(part) for part in command],
            cwd=self.root,
            env={**os.environ, "LC_ALL": "C"},
            capture_output=True,
            text=True,
            check=False,
            **as_user,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"{Path(str(command[0])).name} failed ({result.returncode}):\n"
                f"{result.stdout}{result.stderr}\n{self.log_tail()}"
            )


@contextlib.contextmanager
def running_postgres(
    parent: Path | None = None, settings: PostgresSettings = PostgresSettings()
) -> Iterator[PostgresCluster]:
    """Run a fresh cluster for the duration of the block; stop it and delete its folder afterwards."""
    cluster = PostgresCluster(parent, settings)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
