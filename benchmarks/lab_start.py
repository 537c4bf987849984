"""Section 11: the lab server's start — compose's migrate step, then 4 workers with basic auth on PostgreSQL.

The server is compose.yaml's own command line and environment (``tests/deploy/lab_server_locally.py``), on
a fresh PostgreSQL cluster each time. The peer is the server as compose ran it before: no migrate step
(empty databases) and uvicorn's default 5-s worker health check (no ``--uvicorn-opts``).
"""

from __future__ import annotations

import time
from pathlib import Path

from benchmarks.context import Context
from benchmarks.process_cpu import cpu_seconds, pgid_listening_on
from benchmarks.report import Figure, Section
from tests.deploy.lab_server_locally import ComposedMlflowServer
from tests.postgres_cluster import PostgresCluster, PostgresMissing, PostgresSettings, running_postgres

WORKERS = 4
TARGET_S = 60.0
DIED = "Child process ["
UVICORN_OPTS = "--uvicorn-opts"


def _prepare(cluster: PostgresCluster) -> None:
    """Set the cluster up as compose's postgres service does: database mlflow, then the init scripts."""
    from tests.deploy.compose_file import LAB

    cluster.create_database("mlflow")
    for script in sorted((LAB / "postgres-init").glob("*.sql")):
        cluster.client("psql", "-v", "ON_ERROR_STOP=1", "--dbname", "mlflow", "--file", script)


class _BeforeServer(ComposedMlflowServer):
    """compose's mlflow service without the worker health-check option it gained with the migrate step."""

    def command(self) -> list[str]:
        argv = super().command()
        at = argv.index(UVICORN_OPTS)
        return argv[:at] + argv[at + 2 :]


def _one_start(work: Path, migrate_first: bool) -> tuple[float, float, int, float]:
    """Return seconds of the migrate step, seconds from spawn to /health, restarts logged, CPU seconds used.

    The CPU seconds are those of the server's live processes once it answers (a restarted worker's are
    lost): what the start costs whatever else the machine runs.
    """
    with running_postgres(settings=PostgresSettings(durable=True)) as cluster:  # fsync on, as a lab's
        _prepare(cluster)
        server = ComposedMlflowServer(
            work / ("migrated" if migrate_first else "unmigrated"), cluster, WORKERS
        )
        migrate_s = 0.0
        if migrate_first:
            start = time.perf_counter()
            server.migrate()
            migrate_s = time.perf_counter() - start
        try:
            start = time.perf_counter()
            server.start(None, migrate_first=False)  # as long as it lives; a dead one fails at once
            health_s = time.perf_counter() - start
            pgid = pgid_listening_on(server.port)
            cpu_s = cpu_seconds(pgid=pgid) if pgid is not None else float("nan")
            restarts = server.log_path.read_text(errors="replace").count(DIED)
        finally:
            server.stop()
    return migrate_s, health_s, restarts, cpu_s


def run(ctx: Context) -> Section:
    """Start the server once each way and report the seconds until it answers /health."""
    title = "11. Lab server start"
    name = f"{WORKERS} workers, basic auth, PostgreSQL: spawn to /health"
    if ctx.quick:
        return Section(
            "lab_start", title, (Figure.skip(name, "s", "skipped: quick mode (one start costs minutes)"),)
        )
    try:
        migrate_s, ours_s, ours_died, ours_cpu = _one_start(ctx.work / "lab-start", migrate_first=True)
    except PostgresMissing as exc:
        return Section("lab_start", title, (Figure.skip(name, "s", f"skipped: {exc}"),))
    _, peer_s, peer_died, peer_cpu = _one_start(ctx.work / "lab-start-peer", migrate_first=False)
    ours = Figure(
        name=f"{name}, migrated first (compose's migrate step)",
        unit="s",
        median=ours_s,
        p99=ours_s,
        n=1,
        ratio=peer_s / ours_s,
        ratio_label="faster than the peer",
        target=f"<= {TARGET_S:.0f} s",
        met=ours_s <= TARGET_S,
    )
    peer = Figure(
        name=f"{name}, as compose ran it before: no migrate step, 5-s worker health check (peer)",
        unit="s",
        median=peer_s,
        p99=peer_s,
        n=1,
    )
    notes = (
        f"the migrate step itself (both databases, empty -> current): {migrate_s:.1f} s, before the spawn",
        f"worker restarts logged (uvicorn 'Child process [...] died'): {ours_died} migrated first, "
        f"{peer_died} for the peer",
        f"CPU seconds the server's processes used until /health answered: {ours_cpu:.0f} migrated first, "
        f"{peer_cpu:.0f} for the peer (on 2 otherwise idle cores, at least half that in wall time)",
        "one start each way (a start costs minutes of CPU); the load average at the start is in the header",
    )
    return Section("lab_start", title, (ours, peer), notes)
