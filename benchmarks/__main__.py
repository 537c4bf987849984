"""Run the benchmark sections, print the table and write results.json: ``uv run python -m benchmarks``."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import (
    batch,
    bundle,
    children,
    cold_start,
    fleet,
    gui,
    history,
    lab_start,
    memory,
    model_update,
    prediction,
    salvage,
    sync,
)
from benchmarks.context import PROJECT_ROOT, Context
from benchmarks.machine import describe, load_average
from benchmarks.report import Section
from benchmarks.table import render

SECTIONS: dict[str, tuple[str, Callable[[Context], Section]]] = {
    "prediction": ("1. One prediction", prediction.run),
    "batch": ("2. Batch", batch.run),
    "cold_start": ("3. Cold start (fresh process)", cold_start.run),
    "gui": ("4. GUI (offscreen)", gui.run),
    "bundle": ("5. Frozen bundle", bundle.run),
    "sync": ("6. Sync throughput", sync.run),
    "memory": ("7. Memory (peak RSS)", memory.run),
    "history": ("8. Long histories (10k / 100k / 1M observations)", history.run),
    "model_update": ("9. Model update", model_update.run),
    "fleet": ("10. A fleet at once", fleet.run),
    "lab_start": ("11. Lab server start", lab_start.run),
    "salvage": ("12. Salvaging a damaged history", salvage.run),
}


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Measure the app side by side with the seeds' mlflow.pyfunc path; print a table.",
    )
    parser.add_argument("--quick", action="store_true", help="few repetitions: proves the suite works (CI)")
    parser.add_argument(
        "--out",
        type=Path,
        default=PROJECT_ROOT / "benchmarks" / "results.json",
        help="where to write the JSON",
    )
    parser.add_argument("--only", default="", help=f"comma-separated sections: {', '.join(SECTIONS)}")
    parser.add_argument(
        "--store", type=Path, help="reuse a folder holding mlflow.db (+ model/) instead of running iris-train"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary work folder")
    parser.add_argument(
        "--server-workers",
        type=int,
        default=1,
        help="worker processes of the sync section's mlflow server (1)",
    )
    parser.add_argument(
        "--salvage-observations",
        type=int,
        help="observations in the salvage section's history (default 100,000; 2,000 with --quick)",
    )
    return parser.parse_args(argv)


def _run_section(key: str, ctx: Context) -> Section:
    title, runner = SECTIONS[key]
    start = time.perf_counter()
    try:
        section = runner(ctx)
    except Exception as exc:  # one broken section must not hide the others' figures
        traceback.print_exc(file=sys.stderr)
        section = Section(key, title, (), error=f"{type(exc).__name__}: {exc}")
    seconds = time.perf_counter() - start
    return Section(
        section.key, section.title, section.figures, section.notes, section.error, seconds, section.extra
    )


def main(argv: list[str] | None = None) -> int:
    """Run the chosen sections; exit 1 if any section crashed (absent optional parts are only skipped)."""
    args = _parse(argv)
    keys = [k.strip() for k in args.only.split(",") if k.strip()] or list(SECTIONS)
    unknown = [k for k in keys if k not in SECTIONS]
    if unknown:
        print(f"unknown section(s): {', '.join(unknown)}; choose from {', '.join(SECTIONS)}", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="iris-bench-"))
    ctx = Context(
        quick=args.quick,
        work=work,
        reuse_store=args.store,
        server_workers=args.server_workers,
        salvage_observations=args.salvage_observations,
    )
    started = datetime.now(UTC)
    load_at_start = load_average()
    start = time.perf_counter()
    sections = []
    try:
        with children.ended_on_exit():  # servers and helpers end with the run, however it ends
            for key in keys:
                print(f"[benchmarks] {SECTIONS[key][0]} …", file=sys.stderr, flush=True)
                sections.append(_run_section(key, ctx))
    finally:
        if args.keep:
            print(f"[benchmarks] work folder kept: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    machine = describe(PROJECT_ROOT)
    machine["load_average_at_start"] = load_at_start
    mode = "quick (CI smoke run, few repetitions)" if args.quick else "full"
    elapsed = time.perf_counter() - start
    header = f"Iris Field benchmarks, {mode}, {started:%Y-%m-%d %H:%M} UTC, {elapsed:.0f} s in all"
    print(render(sections, machine, header))
    result = {
        "started": started.isoformat(),
        "mode": "quick" if args.quick else "full",
        "seconds": time.perf_counter() - start,
        "machine": machine,
        "model": ctx.workspace().model_source if ctx.has_workspace else "",
        "sections": {s.key: s.to_dict() for s in sections},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(args.out)
    print(f"results written to {args.out}", file=sys.stderr)
    return 1 if any(s.error for s in sections) else 0


def _stopped(code: int, why: str) -> int:
    print(f"[benchmarks] {why}: stopped; every process it started has been ended", file=sys.stderr)
    return code


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(_stopped(130, "interrupted (SIGINT)"))
    except children.Terminated:
        sys.exit(_stopped(143, "terminated (SIGTERM)"))
