"""Run compose.yaml's mlflow service as a local process: its command line and environment, real PostgreSQL.

Only what Docker itself provides is mapped onto this machine: the ``postgres`` service name becomes the local
cluster's address, the container's host and port become a free loopback port, the mounted config a file.
"""

from __future__ import annotations

import secrets
import subprocess
import sys
from pathlib import Path

from desktop.mlflow_http.auth import Auth
from tests.deploy.compose_file import LAB, Compose
from tests.mlflow_test_server import START_TIMEOUT_S, MlflowServer
from tests.postgres_cluster import SUPERUSER, PostgresCluster

POSTGRES_SERVICE = "@postgres:5432/"


class ComposedMlflowServer(MlflowServer):
    """The lab's mlflow service, started from compose.yaml with a .env of our own."""

    def __init__(self, root: Path, cluster: PostgresCluster, workers: int, public_host: str = ""):
        """Fill a .env for ``cluster`` (and ``workers``), then read the service from compose.yaml.

        ``public_host``: the name a TLS proxy in front forwards as ``Host``, allowed besides our own address.
        """
        super().__init__(root)
        self.cluster = cluster
        self.admin = Auth("basic", "admin", secrets.token_hex(12))
        self.dotenv = {
            "LAB_HOSTNAME": ",".join(filter(None, [public_host, f"127.0.0.1:{self.port}"])),
            "LAB_TLS": "internal",  # read by the caddy service only
            "POSTGRES_USER": SUPERUSER,
            "POSTGRES_PASSWORD": cluster.password,
            "MLFLOW_ADMIN_USERNAME": self.admin.username,
            "MLFLOW_ADMIN_PASSWORD": self.admin.password,
            "MLFLOW_SECRET_KEY": secrets.token_hex(16),
            "MLFLOW_WORKERS": str(workers),
            "MLFLOW_ARTIFACTS_DESTINATION": str(self.artifacts),
        }
        self.compose = Compose.load(self.dotenv)
        self.service = self.compose.service("mlflow")

    def start(self, timeout: float | None = START_TIMEOUT_S, *, migrate_first: bool = True) -> None:
        """Run the one-shot ``migrate`` service first as compose does (unless told not to), then serve."""
        if migrate_first and not self.running:
            self.migrate()
        super().start(timeout)

    def migrate(self) -> None:
        """Run compose's ``migrate`` service here: its command, with its mounted script, and environment."""
        service = self.compose.service("migrate")
        mounts = dict(volume.split(":")[1::-1] for volume in service["volumes"])  # container path -> ./file
        argv = [str(part) for part in service["command"]]
        if argv[0] != "python":
            raise ValueError(f"the migrate service runs {argv[0]!r}, not python")
        script = LAB / Path(mounts[argv[1]]).name
        with self.log_path.open("ab") as log:
            subprocess.run(
                [sys.executable, str(script), *argv[2:]],
                env=self.environment(),
                stdout=log,
                stderr=subprocess.STDOUT,
                check=True,
            )

    def command(self) -> list[str]:
        """Return the service's command, run by this Python, listening on our loopback port."""
        argv = [str(part) for part in self.service["command"]]
        if argv[0] != "mlflow":
            raise ValueError(f"the mlflow service runs {argv[0]!r}, not mlflow")
        argv[argv.index("--host") + 1] = "127.0.0.1"
        argv[argv.index("--port") + 1] = str(self.port)
        return [sys.executable, "-m", *argv]

    def environment(self) -> dict[str, str]:
        """Return the service's environment, its config file written here and service names resolved."""
        env = super().environment()
        env.update({key: self._here(str(value)) for key, value in self.service["environment"].items()})
        [mount] = self.service["configs"]
        config = self.root / Path(mount["target"]).name
        config.write_text(self._here(self.compose.config(mount["source"])), encoding="utf-8")
        env["MLFLOW_AUTH_CONFIG_PATH"] = str(config)
        return env

    def _here(self, value: str) -> str:
        return value.replace(POSTGRES_SERVICE, f"@127.0.0.1:{self.cluster.port}/")

    @property
    def admin_header(self) -> str:
        """Return the admin's Authorization header value."""
        return self.admin.header()["Authorization"]
