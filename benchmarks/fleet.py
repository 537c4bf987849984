"""Section 8: a fleet at once — 50 laptops, 100 observations each, sync into one PostgreSQL-backed server."""

from __future__ import annotations

import multiprocessing
import queue
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.context import Context
from benchmarks.process_cpu import cpu_seconds, pgid_listening_on
from benchmarks.report import Figure, Section
from benchmarks.server import LAB_WORKERS, mlflow_server
from benchmarks.timing import Distribution
from contract import observation as fields
from contract.registry import Experiment
from desktop.store import Observation, ObservationStore
from tests.postgres_cluster import PostgresSettings, running_postgres

LAPTOPS = 50
PER_LAPTOP = 100
EXPERIMENT = Experiment.FIELD.value
WARMUP_PER_LAPTOP = 10
PATIENCE_S = 900.0  # a laptop keeps retrying this long before its pass gives up
START_TIMEOUT_S = 600.0  # 50 spawned interpreters import the sync core on 2 cores before the start


@dataclass(frozen=True)
class LaptopResult:
    """What one laptop's sync pass did, timed from the fleet's common start."""

    device: str
    seconds: float
    synced: int
    error: str
    cpu_seconds: float = 0.0


def _laptop(history: str, url: str, device: str, ready: Any, go: Any, results: Any) -> None:
    """Be one laptop: in a process of its own, say it is ready, wait for the common start, sync once."""
    from desktop.sync.target import SyncTarget
    from desktop.sync.worker import SyncWorker

    worker = SyncWorker(Path(history), SyncTarget(url, EXPERIMENT, device_name=device))
    ready.put(device)
    go.wait()
    began, cpu = time.perf_counter(), time.process_time()
    try:
        report = worker.run_pass(patience=PATIENCE_S)
        outcome = LaptopResult(
            device, time.perf_counter() - began, report.synced_now, report.error, time.process_time() - cpu
        )
    except Exception as exc:  # a crashed laptop is a result too: it must show in the table
        outcome = LaptopResult(device, time.perf_counter() - began, 0, f"{type(exc).__name__}: {exc}")
    results.put(outcome)


@dataclass(frozen=True)
class ServerCpu:
    """Where to read the server side's CPU time: the mlflow server's process group and the postmaster."""

    mlflow_pgid: int | None
    postmaster: int

    def seconds(self) -> tuple[float, float]:
        """Return CPU seconds used so far by (mlflow server, PostgreSQL)."""
        mlflow = cpu_seconds(pgid=self.mlflow_pgid) if self.mlflow_pgid else float("nan")
        return mlflow, cpu_seconds(parent=self.postmaster)


@dataclass(frozen=True)
class Laptop:
    """A simulated laptop: its name and its history file with the observations saved in it."""

    device: str
    history: Path
    observation_ids: frozenset[str]


def _laptops(folder: Path, names: list[str], per_laptop: int, seed: int) -> list[Laptop]:
    """Write one history per laptop: ``per_laptop`` observations predicted from random flowers."""
    from benchmarks.batch import random_flowers
    from desktop.prediction.engine import Classifier

    classifier = Classifier.load()
    folder.mkdir(parents=True, exist_ok=True)
    laptops = []
    for i, device in enumerate(names):
        predictions = classifier.predict_many(random_flowers(classifier, per_laptop, seed=seed + i))
        observations = [
            Observation.from_prediction(
                p, classifier.card, observer=f"botanist {i + 1}", note=f"plot {j}", location="fleet"
            )
            for j, p in enumerate(predictions)
        ]
        history = folder / f"{device}.sqlite3"
        with ObservationStore.open(history) as store:
            store.add_many(observations)
        laptops.append(Laptop(device, history, frozenset(o.id for o in observations)))
    return laptops


def sync_at_once(url: str, laptops: list[Laptop]) -> tuple[float, list[LaptopResult]]:
    """Start one process per laptop, release them together; return the wall time and each laptop's result."""
    context = multiprocessing.get_context("spawn")  # the parent holds ONNX Runtime threads: never fork
    ready, go, results = context.Queue(), context.Event(), context.Queue()
    processes = [
        context.Process(target=_laptop, args=(str(lp.history), url, lp.device, ready, go, results))
        for lp in laptops
    ]
    for process in processes:
        process.start()
    finished = False
    try:
        _collect(ready, processes, START_TIMEOUT_S, "ready")
        go.set()
        began = time.perf_counter()
        outcomes = _collect(results, processes, PATIENCE_S + 120, "finished")
        wall = time.perf_counter() - began
        finished = True
    finally:
        for process in processes:  # on an exception or a signal the laptops are not waited for
            process.join(timeout=30 if finished else 0)
            if process.is_alive():
                process.kill()
                process.join()
    return wall, outcomes


def _collect(answers: Any, processes: list[Any], timeout: float, what: str) -> list[Any]:
    """Take one answer per process; fail at once if a process died without giving one."""
    collected: list[Any] = []
    deadline = time.monotonic() + timeout
    while len(collected) < len(processes):
        try:
            collected.append(answers.get(timeout=1.0))
        except queue.Empty:
            dead = [p for p in processes if p.exitcode not in (None, 0)]
            if dead:
                raise RuntimeError(f"{len(dead)} laptop process(es) died before they {what}") from None
            if time.monotonic() > deadline:
                raise RuntimeError(f"only {len(collected)} of {len(processes)} laptops {what}") from None
    return collected


def landed(url: str) -> tuple[Counter[str], Counter[str]]:
    """Return, from the server, how many runs each observation id has and how many runs are in each status."""
    from tests.mlflow_test_server import list_runs

    runs = list_runs(url, EXPERIMENT)
    return Counter(r.tags.get(fields.OBSERVATION_ID.key, "") for r in runs), Counter(r.status for r in runs)


def run(ctx: Context) -> Section:
    """Start a PostgreSQL-backed 4-worker server; one laptop alone, then the whole fleet at once."""
    names = (
        f"fleet: {LAPTOPS} laptops x {PER_LAPTOP} obs at once, total",
        "fleet: the slowest laptop, from the common start",
        f"one laptop alone: {PER_LAPTOP} obs, same server",
        "fleet: server CPU per observation (mlflow + PostgreSQL)",
    )
    if ctx.quick:
        reason = "skipped: --quick (the full run measures it: its own PostgreSQL server, 50 processes)"
        units = ("obs/s", "s", "obs/s", "ms/obs")
        rows = tuple(Figure.skip(n, unit, reason) for n, unit in zip(names, units, strict=True))
        return Section("fleet", "10. A fleet at once", rows)
    folder = ctx.work / "fleet"
    names_in_fleet = [f"field-laptop-{i + 1:02d}" for i in range(LAPTOPS)]
    fleet = _laptops(folder / "laptops", names_in_fleet, PER_LAPTOP, 1000)
    alone = _laptops(folder / "alone", ["field-laptop-alone"], PER_LAPTOP, 999)
    warmup = _laptops(folder / "warmup", [f"warm-up-{i}" for i in range(4)], WARMUP_PER_LAPTOP, 998)
    with (
        running_postgres(settings=PostgresSettings(durable=True)) as cluster,
        mlflow_server(
            folder / "server", workers=LAB_WORKERS, backend_store_uri=cluster.create_database("mlflow")
        ) as url,
    ):
        # Untimed: creates the experiment and lets every worker load what its first requests need.
        sync_at_once(url, warmup)
        _, [alone_result] = sync_at_once(url, alone)
        server = ServerCpu(pgid_listening_on(int(url.rsplit(":", 1)[1])), cluster.postmaster_pid())
        before = server.seconds()
        fleet_wall, results = sync_at_once(url, fleet)
        mlflow_cpu, postgres_cpu = (after - b for after, b in zip(server.seconds(), before, strict=True))
        runs_per_id, statuses = landed(url)
    restarts = (folder / "server" / "server.log").read_text(errors="replace").count("] died")
    saved = frozenset().union(*(lp.observation_ids for lp in [*fleet, *alone, *warmup]))
    errors = [f"{r.device}: {r.error}" for r in [*results, alone_result] if r.error]
    duplicated = sum(1 for n in runs_per_id.values() if n > 1)
    missing = len(saved - set(runs_per_id))
    strangers = len(set(runs_per_id) - saved)
    exactly_once = not (duplicated or missing or strangers) and statuses == Counter({"FINISHED": len(saved)})
    check = (
        f"exactly once: {'yes' if exactly_once else 'NO'} — {sum(runs_per_id.values())} runs on the server "
        f"for {len(saved)} saved observations, {duplicated} duplicated, {missing} missing, statuses "
        f"{dict(statuses)}"
    )
    if errors or not exactly_once:
        raise RuntimeError(f"{check}; laptop errors: {errors[:5]}")
    total = LAPTOPS * PER_LAPTOP
    fleet_rate = total / fleet_wall
    alone_rate = PER_LAPTOP / alone_result.seconds
    laptop_seconds = Distribution.of([r.seconds for r in results])
    server_ms = (mlflow_cpu + postgres_cpu) * 1e3 / total
    laptop_ms = sum(r.cpu_seconds for r in results) * 1e3 / total
    figures = (
        Figure(
            names[0],
            "obs/s",
            median=fleet_rate,
            n=total,
            ratio=fleet_rate / alone_rate,
            ratio_label="one laptop alone",
            note=f"{total} observations in {fleet_wall:.1f} s; {check}; server workers restarted by "
            f"uvicorn's health check during the whole section: {restarts}",
        ),
        Figure.measured(
            names[1],
            "s",
            laptop_seconds,
            note=f"slowest {laptop_seconds.p99:.1f} s, median {laptop_seconds.median:.1f} s, fastest "
            f"{laptop_seconds.minimum:.1f} s (median: the typical laptop; p99: the slowest of {LAPTOPS})",
        ),
        Figure(
            names[2],
            "obs/s",
            median=alone_rate,
            n=PER_LAPTOP,
            note=f"{alone_result.seconds:.1f} s for {PER_LAPTOP} observations",
        ),
        Figure(
            names[3],
            "ms/obs",
            median=server_ms,
            n=total,
            note=f"mlflow server (all its processes) {mlflow_cpu * 1e3 / total:.1f} ms + PostgreSQL "
            f"{postgres_cpu * 1e3 / total:.1f} ms of CPU per observation: one core of its own carries "
            f"~{1e3 / server_ms:.0f} obs/s; the laptops' sync used {laptop_ms:.1f} ms of CPU per observation",
        ),
    )
    notes = (
        f"`mlflow server --workers {LAB_WORKERS}` on a fresh local PostgreSQL (Debian's postgresql, durable "
        "defaults: fsync on) through psycopg2, artifacts proxied, on 127.0.0.1; no auth, no TLS.",
        f"{LAPTOPS} histories of {PER_LAPTOP} observations each (random flowers, predicted by the app's "
        "engine); one process per laptop (spawned, the sync core imported), all released by one barrier; "
        "each runs one SyncWorker.run_pass() with default SyncOptions (3 requests in flight).",
        "Total: all observations / time from the release until the last laptop finished. First, untimed, "
        f"4 laptops x {WARMUP_PER_LAPTOP} observations warm the server up (and create the experiment); "
        "then the one-laptop row, alone; then the fleet.",
        "Exactly once is checked on the server afterwards: runs/search over the experiment, every saved "
        "observation id once, every run FINISHED.",
        "Client and server share the machine's cores (and, here, other people's work): the total and the "
        "laptops' times include waiting for CPU, unlike in the field. The server's CPU per observation does "
        "not: CPU time of the mlflow server's process group and of the postmaster and its backends "
        "(Linux /proc, exited children included), read before and after the fleet.",
    )
    return Section("fleet", "10. A fleet at once", figures, notes)
