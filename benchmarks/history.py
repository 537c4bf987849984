"""Section 8: long histories — the window and the batch commands at 10,000 / 100,000 / 1,000,000 rows.

For each size a real history file is built (rows inserted straight into SQLite, then the store's own
migration indexes them, as an upgrade would), the real window opens it offscreen (open, search
keystrokes, saves, memory), and the command line predicts, saves and exports a CSV of the same size,
next to pandas + scikit-learn reading and predicting that CSV.
"""

from __future__ import annotations

import json
import random
import sqlite3
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks import children
from benchmarks.context import Context
from benchmarks.gui import offscreen_env
from benchmarks.process import child_env, peak_rss_kb, probe_command, spawn
from benchmarks.report import Figure, Section
from benchmarks.timing import Distribution
from contract.registry import MODEL_NAME
from desktop.store import MIGRATIONS, ObservationStore

FULL_SIZES = (10_000, 100_000, 1_000_000)
QUICK_SIZES = (2_000,)
SEARCH = "Hainich"  # typed one key at a time
PLACES = ("Hainich", "Kyffhäuser", "Rhön", "Harz", "Bodensee", "Spreewald", "Eifel", "Elbtal")
SPECIES = ("setosa", "versicolor", "virginica")
FEATURES = ("sepal_length", "sepal_width", "petal_length", "petal_width")
# Window openings per size, each next to one of the empty history (fresh processes, order alternating).
OPEN_ROUNDS = (7, 2)  # full, quick
SEARCH_INDEX_STEP = next(i for i, step in enumerate(MIGRATIONS) if "observations_search" in step)


def build_history(path: Path, count: int, *, upgrade: bool = True) -> None:
    """Write ``count`` plausible observations as an app before the search index would have.

    With ``upgrade`` the store then migrates the file (building its search index) as the app would.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    for number, step in enumerate(MIGRATIONS[:SEARCH_INDEX_STEP], start=1):
        db.executescript(f"BEGIN;\n{step}\nPRAGMA user_version = {number};\nCOMMIT;")
    start = datetime(2020, 4, 1, tzinfo=UTC)
    rng = random.Random(count)
    db.execute("BEGIN")
    for first in range(0, count, 50_000):
        rows = []
        for i in range(first, min(first + 50_000, count)):
            created = (start + timedelta(seconds=37 * i)).isoformat(timespec="microseconds")
            species = SPECIES[i % 3]
            measured = dict(zip(FEATURES, (round(rng.uniform(1, 7), 1) for _ in FEATURES), strict=True))
            rows.append(
                (
                    str(uuid.uuid4()), created, created, json.dumps(measured),
                    json.dumps({s: (0.9 if s == species else 0.05) for s in SPECIES}), species, 0.9,
                    MODEL_NAME, "1", "ab" * 32, "A. Botanist", f"plot {i % 997}", PLACES[i % 8],
                    ("pending", "synced", "failed")[i % 3],
                )
            )  # fmt: skip
        db.executemany(
            "INSERT INTO observations (id, created_at, updated_at, measurements, probabilities,"
            " predicted_species, confidence, model_name, model_version, model_sha256, observer, note,"
            " location, sync_state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    db.execute("COMMIT")
    db.close()
    if upgrade:
        ObservationStore.open(path).close()  # the remaining migrations, the search index among them


def write_measurements(path: Path, count: int) -> None:
    """Write a CSV of ``count`` flowers within the model's training range."""
    rng = random.Random(count)
    with path.open("w", encoding="utf-8") as out:
        out.write(",".join(FEATURES) + "\n")
        for _ in range(count):
            out.write(
                f"{rng.uniform(4.3, 7.9):.1f},{rng.uniform(2.0, 4.4):.1f},"
                f"{rng.uniform(1.0, 6.9):.1f},{rng.uniform(0.1, 2.5):.1f}\n"
            )


def _rows_per_s(name: str, count: int, seconds: float, peak_kb: float, **extra: object) -> Figure:
    rate = count / seconds
    note = f"{seconds:.2f} s, peak {peak_kb / 1024:.0f} MB"
    return Figure(name=name, unit="rows/s", median=rate, p99=rate, n=1, note=note, **extra)  # type: ignore[arg-type]


def _measured_cli(ctx: Context, home: Path, *args: str) -> tuple[float, float]:
    """Time a command line run and read its peak memory from outside, just before it exits."""
    import subprocess
    import time

    start = time.perf_counter()
    child = children.popen(
        [sys.executable, "-m", "desktop", *args],
        env=child_env(IRIS_FIELD_HOME=str(home)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    peak = 0
    try:
        while child.poll() is None:
            peak = max(peak, peak_rss_kb(child.pid))
            time.sleep(0.05)
        seconds = time.perf_counter() - start
    finally:
        children.end(child)
    if child.returncode != 0:
        raise RuntimeError(f"iris-field {' '.join(args)} failed: {child.stderr.read().decode()[-500:]}")
    return seconds, float(peak)


def _open_once(home: Path) -> tuple[float, float]:
    """Open the real window offscreen on ``home``'s history; return (ms to first frame, CPU ms by then)."""
    command = probe_command("window_history.py", SEARCH, "0")
    run = spawn(command, offscreen_env(home), ready="BENCH open_cpu_ms", stop_when_ready=True)
    return float(run.values["open_ms"]), float(run.values["open_cpu_ms"])


def _openings(
    ctx: Context, empty: Path, home: Path
) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """Open the empty history and ``home`` in turn (after one untimed opening of each); return both lists."""
    for folder in (empty, home):  # untimed: file caches and compiled modules warm for both
        _open_once(folder)
    opened: dict[Path, list[tuple[float, float]]] = {empty: [], home: []}
    for round_ in range(ctx.count(*OPEN_ROUNDS)):
        for folder in (home, empty) if round_ % 2 else (empty, home):
            opened[folder].append(_open_once(folder))
    return opened[empty], opened[home]


def _window(ctx: Context, home: Path) -> dict[str, str]:
    """Open the real window offscreen on the history in ``home``; return its BENCH values."""
    command = probe_command("window_history.py", SEARCH, str(ctx.count(10, 3)))
    return spawn(command, offscreen_env(home), ready=None).values


def _size_figures(ctx: Context, count: int, empty: Path, empty_opens: list[float]) -> list[Figure]:
    label = f"{count:,}"
    home = ctx.work / f"history-{count}"
    build_history(home / "observations.sqlite3", count)
    beside, opens = _openings(ctx, empty, home)
    empty_opens.extend(ms for ms, _ in beside)
    opened = Distribution.of([ms for ms, _ in opens])
    empty_median = Distribution.of([ms for ms, _ in beside]).median
    cpu = Distribution.of([cpu for _, cpu in opens]).median
    empty_cpu = Distribution.of([cpu for _, cpu in beside]).median
    window = _window(ctx, home)
    keystrokes = Distribution.of(json.loads(window["keystroke_ms"]))
    counts = Distribution.of(json.loads(window["count_ms"]))
    saves = Distribution.of(json.loads(window["save_ms"]))
    memory = float(window["rss_kb"]) / 1024
    figures = [
        Figure.measured(
            f"window opens ({label})", "ms", opened, ratio=opened.median / empty_median,
            ratio_label="x empty history", target="<= 1000", met=opened.median <= 1000,
            note=f"CPU used by then {cpu:.0f} ms; the empty history in the same rounds "
            f"{empty_median:.0f} ms, CPU {empty_cpu:.0f} ms",
        ),
        Figure.measured(
            f"search keystroke -> rows shown ({label})", "ms", keystrokes, target="<= 100",
            met=keystrokes.median <= 100,
        ),
        Figure.measured(f"search keystroke -> match count ({label}, background)", "ms", counts),
        Figure.measured(f"Ctrl+S -> row ({label})", "ms", saves, target="<= 50", met=saves.median <= 50),
        Figure(f"window memory ({label})", "MB", memory, memory, 1, target="<= 300", met=memory <= 300),
    ]  # fmt: skip
    csv = ctx.work / f"flowers-{count}.csv"
    write_measurements(csv, count)
    ours_s, ours_kb = _measured_cli(ctx, home, "predict", "--csv", str(csv))
    peer = spawn(probe_command("pandas_csv.py", str(csv)), child_env(), ready=None)
    peer_s, peer_kb = peer.exit_s, float(peer.values["peak_kb"])
    figures.append(
        _rows_per_s(
            f"predict --csv {label} rows", count, ours_s, ours_kb, ratio=peer_s / ours_s,
            ratio_label="faster than pandas+sklearn",
            target="1M: <= 10 s, <= 300 MB" if count == 1_000_000 else "",
            met=(ours_s <= 10 and ours_kb <= 300 * 1024) if count == 1_000_000 else None,
        )
    )  # fmt: skip
    figures.append(_rows_per_s(f"pandas + scikit-learn, same {label} rows", count, peer_s, peer_kb))
    save_s, save_kb = _measured_cli(ctx, ctx.work / f"saves-{count}", "predict", "--csv", str(csv), "--save")
    figures.append(_rows_per_s(f"predict --csv --save {label} rows", count, save_s, save_kb))
    export_s, export_kb = _measured_cli(ctx, home, "history", "--csv", str(ctx.work / f"export-{count}.csv"))
    figures.append(_rows_per_s(f"history --csv {label} rows", count, export_s, export_kb))
    return figures


def run(ctx: Context) -> Section:
    """Measure every size; the table shows how each cost grows with the history."""
    empty = ctx.work / "history-empty"
    ObservationStore.open(empty / "observations.sqlite3").close()
    empty_opens: list[float] = []
    figures: list[Figure] = []
    for count in QUICK_SIZES if ctx.quick else FULL_SIZES:
        figures.extend(_size_figures(ctx, count, empty, empty_opens))
    figures.insert(0, Figure.measured("window opens (empty history)", "ms", Distribution.of(empty_opens)))
    notes = (
        "Histories are built straight in SQLite, then migrated by the store (its search index built as an "
        "upgrade would). Window figures come from the real window offscreen in a fresh process: open = "
        "process start to window shown with its first page, in fresh processes taking turns with the empty "
        "history (ratio: to the empty history's median in the same rounds; CPU: all the process's threads "
        "by then); keystroke = one more letter of "
        f"'{SEARCH}' typed to its matches in the table; match count = the same to the count from the "
        "background thread; save = Ctrl+S to the new row in the table; memory = resident set at the end.",
        "CSV rows/s are whole processes (start-up included); peak memory read from /proc while they run. "
        "The peer fits a logistic regression on scikit-learn's iris data, reads the CSV with pandas and "
        "writes its answers to /dev/null, as the app prints its table.",
    )
    return Section("history", "8. Long histories (10k / 100k / 1M observations)", tuple(figures), notes)
