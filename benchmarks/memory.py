"""Section 7: peak resident memory of the app (window idle with the model) vs the pyfunc path."""

from __future__ import annotations

from benchmarks.bundle import executable, frozen_env
from benchmarks.context import Context
from benchmarks.gui import idle_window_peak_kb, offscreen_env, window_probe_available
from benchmarks.process import child_env, probe_command, spawn
from benchmarks.report import Figure, Section
from benchmarks.timing import Distribution
from benchmarks.workspace import MODEL_URI, console_script


def _mb(kilobytes: list[float]) -> Distribution:
    return Distribution.of([k / 1024 for k in kilobytes])


def run(ctx: Context) -> Section:
    """Peak RSS (VmHWM) of separate fresh processes, each read once its work is done."""
    ws = ctx.workspace()
    home = ctx.work / "home-memory"
    home.mkdir(parents=True, exist_ok=True)
    repeats = ctx.count(3, 1)
    engine_cmd = probe_command("engine_first_prediction.py", str(ws.model_dir))
    pyfunc_cmd = probe_command("pyfunc_first_prediction.py", MODEL_URI)
    pyfunc_env = child_env(MLFLOW_TRACKING_URI=ws.tracking_uri)
    engine = _mb([float(spawn(engine_cmd, child_env()).values["maxrss_kb"]) for _ in range(repeats)])
    pyfunc = _mb([float(spawn(pyfunc_cmd, pyfunc_env).values["maxrss_kb"]) for _ in range(repeats)])

    def versus_pyfunc(name: str, dist: Distribution) -> Figure:
        return Figure.measured(
            name, "MB", dist, ratio=pyfunc.median / dist.median, ratio_label="less than pyfunc"
        )

    figures = []
    available, reason = window_probe_available()
    window_name = "app window idle, model loaded (iris-field, offscreen)"
    if available:
        command = [str(console_script("iris-field"))]
        window = _mb([idle_window_peak_kb(command, offscreen_env(home)) for _ in range(repeats)])
        figures.append(versus_pyfunc(window_name, window))
    else:
        figures.append(Figure.skip(window_name, "MB", reason))
    frozen_name = "frozen bundle window idle (dist/iris-field)"
    if executable().exists():
        frozen_home = ctx.work / "home-memory-frozen"
        frozen_home.mkdir(parents=True, exist_ok=True)
        frozen = _mb(
            [idle_window_peak_kb([str(executable())], frozen_env(frozen_home)) for _ in range(repeats)]
        )
        figures.append(versus_pyfunc(frozen_name, frozen))
    else:
        figures.append(Figure.skip(frozen_name, "MB", "skipped: no bundle, run build_scripts/build.py"))
    figures += [
        versus_pyfunc("app engine only: import + load + predict", engine),
        Figure.measured("mlflow.pyfunc: import + load_model + predict", "MB", pyfunc),
    ]
    notes = (
        "Peak RSS = VmHWM of each process itself (Linux ru_maxrss would carry the forking parent's peak "
        "over exec), separate fresh processes.",
        "Window processes: /proc/<pid>/status after the first frame plus 1 s idle; engine and pyfunc: "
        "read by the child after its first prediction.",
    )
    return Section("memory", "7. Memory (peak RSS)", tuple(figures), notes)
