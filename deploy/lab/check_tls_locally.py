"""Check by hand, without Docker: this Caddyfile's TLS in front of compose.yaml's mlflow command line.

Needs Debian's ``caddy`` and ``postgresql`` (apt-get install caddy postgresql); run from the repository:
``uv run python deploy/lab/check_tls_locally.py``. Caddy uses its own CA (``LAB_TLS=internal``) and is told
not to install it anywhere. Prints what a laptop sees without and with the lab's CA, and whether every
observation landed once; exits 1 if anything is wrong.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from desktop.mlflow_http.tls import TlsSettings  # noqa: E402
from desktop.sync.target import SyncTarget  # noqa: E402
from desktop.sync.worker import SyncWorker  # noqa: E402
from tests.deploy.compose_file import LAB  # noqa: E402
from tests.deploy.lab_server_locally import ComposedMlflowServer  # noqa: E402
from tests.mlflow_test_server import free_port  # noqa: E402
from tests.postgres_cluster import running_postgres  # noqa: E402
from tests.sync.history_factory import fill_history  # noqa: E402

EXPERIMENT = "tls-check"


def local_caddyfile(work: Path, https_port: int, http_port: int, mlflow_port: int) -> Path:
    """Write the lab's Caddyfile with local ports and the mlflow service's address resolved."""
    site = (LAB / "Caddyfile").read_text(encoding="utf-8")
    site = site.replace("reverse_proxy mlflow:5000", f"reverse_proxy 127.0.0.1:{mlflow_port}")
    options = (
        f"{{\n\thttps_port {https_port}\n\thttp_port {http_port}\n\tskip_install_trust\n\tadmin off\n}}\n"
    )
    path = work / "Caddyfile"
    path.write_text(options + site, encoding="utf-8")
    return path


def main() -> int:
    """Start PostgreSQL, the mlflow service and Caddy; sync a history through HTTPS; report."""
    work = Path(tempfile.mkdtemp(prefix="iris-tls-check-"))
    os.environ["IRIS_FIELD_HOME"] = str(work / "home")
    https_port, http_port = free_port(), free_port()
    caddy_env = dict(
        os.environ,
        LAB_HOSTNAME="localhost",
        LAB_TLS="internal",
        XDG_DATA_HOME=str(work / "caddy-data"),
        XDG_CONFIG_HOME=str(work / "caddy-config"),
    )
    ok = True
    with running_postgres() as cluster:
        cluster.create_database("mlflow")
        for script in sorted((LAB / "postgres-init").glob("*.sql")):
            cluster.client("psql", "-v", "ON_ERROR_STOP=1", "--dbname", "mlflow", "--file", script)
        server = ComposedMlflowServer(work / "mlflow", cluster, 1, public_host=f"localhost:{https_port}")
        server.start()
        caddyfile = local_caddyfile(work, https_port, http_port, server.port)
        with (work / "caddy.log").open("w") as log:
            caddy = subprocess.Popen(
                ["caddy", "run", "--config", str(caddyfile), "--adapter", "caddyfile"],
                env=caddy_env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            time.sleep(5)
            lab_ca = next((work / "caddy-data").rglob("root.crt"))
            url = f"https://localhost:{https_port}"
            history = work / "home" / "observations.sqlite3"
            saved = {o.id for o in fill_history(history, 10)}
            public_only = SyncTarget(url, EXPERIMENT, server.admin, tls=TlsSettings())
            untrusted = SyncWorker(history, public_only).run_pass(patience=10)
            print(f"without the lab's CA: {untrusted.error_kind}: {untrusted.error}")
            ok &= untrusted.error_kind == "setup"
            target = SyncTarget(url, EXPERIMENT, server.admin, tls=TlsSettings(ca_bundle=str(lab_ca)))
            trusted = SyncWorker(history, target).run_pass(patience=60)
            print(f"with the lab's CA: complete={trusted.complete}, synced {trusted.synced_now}")
            landed = [
                r.tags["observation_id"] for r in server.list_runs(EXPERIMENT, auth=server.admin_header)
            ]
            once = sorted(landed) == sorted(saved)
            print(f"every observation exactly once on the server: {once} ({len(landed)} runs)")
            ok &= trusted.complete and once
        finally:
            caddy.terminate()
            caddy.wait(10)
            server.stop()
    shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
