"""Section 7: peak resident memory of the app (window idle with the model) vs the pyfunc path."""

from __future__ import annotations

from benchmarks.context import Context
from benchmarks.gui import window_probe_available, window_run
from benchmarks.process import child_env, probe_command, spawn
from benchmarks.report import Figure, Section
from benchmarks.timing import Distribution
from benchmarks.workspace import MODEL_URI


def _mb(kilobytes: list[float]) -> Distribution:
    return Distribution.of([k / 1024 for k in kilobytes])


def run(ctx: Context) -> Section:
    """Read each child's own ru_maxrss (peak RSS, Linux kB) after its work is done."""
    ws = ctx.workspace()
    home = ctx.work / "home-memory"
    home.mkdir(parents=True, exist_ok=True)
    repeats = ctx.count(3, 1)
    engine = [
        float(
            spawn(probe_command("engine_first_prediction.py", str(ws.model_dir)), child_env()).values[
                "maxrss_kb"
            ]
        )
        for _ in range(repeats)
    ]
    pyfunc_env = child_env(MLFLOW_TRACKING_URI=ws.tracking_uri)
    pyfunc = [
        float(spawn(probe_command("pyfunc_first_prediction.py", MODEL_URI), pyfunc_env).values["maxrss_kb"])
        for _ in range(repeats)
    ]
    p = _mb(pyfunc)
    figures = []
    available, reason = window_probe_available()
    if available:
        window = _mb(
            [float(window_run(ctx, home, slider_changes=0).values["maxrss_kb"]) for _ in range(repeats)]
        )
        figures.append(
            Figure.measured(
                "app window idle, model loaded (offscreen)",
                "MB",
                window,
                ratio=p.median / window.median,
                ratio_label="pyfunc / app",
            )
        )
    else:
        figures.append(Figure.skip("app window idle, model loaded (offscreen)", "MB", reason))
    e = _mb(engine)
    figures += [
        Figure.measured(
            "app engine only (command line core)",
            "MB",
            e,
            ratio=p.median / e.median,
            ratio_label="pyfunc / engine",
        ),
        Figure.measured("mlflow.pyfunc loaded + one predict", "MB", p),
    ]
    notes = (
        "Peak RSS of each child itself (VmHWM on Linux), separate fresh processes; "
        "the window idles ~1 s after it is shown.",
    )
    return Section("memory", "7. Memory (peak RSS)", tuple(figures), notes)
