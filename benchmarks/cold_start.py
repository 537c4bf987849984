"""Section 3: cold start in fresh processes — import + load + first prediction, engine vs pyfunc."""

from __future__ import annotations

from benchmarks.context import PROJECT_ROOT, Context
from benchmarks.process import child_env, probe_command, spawn
from benchmarks.report import Figure, Section, speedup
from benchmarks.timing import Distribution
from benchmarks.workspace import MODEL_URI, console_script
from contract.registry import ONNX_FILENAME

TARGET_S = 0.5
TARGET_VS_PYFUNC = 10.0


def run(ctx: Context) -> Section:
    """Start each path N times, alternating, after one untimed start of each (warm page cache, .pyc)."""
    ws = ctx.workspace()
    home = ctx.work / "home-cold-start"
    home.mkdir(parents=True, exist_ok=True)
    engine_cmd = probe_command("engine_first_prediction.py", str(ws.model_dir))
    pyfunc_cmd = probe_command("pyfunc_first_prediction.py", MODEL_URI)
    engine_env = child_env(IRIS_FIELD_HOME=str(home))
    pyfunc_env = child_env(MLFLOW_TRACKING_URI=ws.tracking_uri)
    cli = console_script("iris-field")
    cli_cmd = [str(cli), "--model", str(ws.model_dir / ONNX_FILENAME), "predict", "5.1", "3.5", "1.4", "0.2"]
    has_cli = cli.exists() and (PROJECT_ROOT / "desktop" / "cli.py").exists()

    spawn(engine_cmd, engine_env)
    if not ctx.quick:  # the quick run loaded pyfunc in-process already: its files are warm
        spawn(pyfunc_cmd, pyfunc_env)
    if has_cli:
        spawn(cli_cmd, engine_env, ready=None)
    engine, pyfunc, whole_cli = [], [], []
    for i in range(max(ctx.count(15, 3), ctx.count(6, 1))):
        if i < ctx.count(15, 3):
            engine.append(spawn(engine_cmd, engine_env).ready_s)
            if has_cli:
                whole_cli.append(spawn(cli_cmd, engine_env, ready=None).exit_s)
        if i < ctx.count(6, 1):
            pyfunc.append(spawn(pyfunc_cmd, pyfunc_env).ready_s)

    e, p = Distribution.of(engine), Distribution.of(pyfunc)
    ratio = speedup(p, e)
    figures = [
        Figure.measured(
            "app engine: import + Classifier.load + predict",
            "s",
            e,
            target=f"≤ {TARGET_S:g} s",
            met=e.median <= TARGET_S,
        ),
        Figure.measured(
            "mlflow.pyfunc: import + load_model + predict",
            "s",
            p,
            ratio=ratio,
            ratio_label="engine faster",
            target=f"engine ≥ {TARGET_VS_PYFUNC:g}× faster",
            met=ratio >= TARGET_VS_PYFUNC,
        ),
    ]
    if has_cli:
        figures.append(
            Figure.measured(
                "iris-field predict 5.1 3.5 1.4 0.2 (whole CLI run)", "s", Distribution.of(whole_cli)
            )
        )
    else:
        figures.append(
            Figure.skip(
                "iris-field predict (whole CLI run)", "s", "skipped: desktop/cli/main.py not there yet"
            )
        )
    notes = (
        "Fresh interpreter per run, timed from spawn to the child's 'ready' line after its first prediction "
        "(interpreter start-up included, exit excluded); the CLI row is timed to process exit.",
        "One untimed start of each path first: both run with a warm OS file cache and compiled .pyc files.",
        f"pyfunc loads {MODEL_URI} from the benchmark's own SQLite store ({ws.tracking_uri}).",
    )
    return Section("cold_start", "3. Cold start (fresh process)", tuple(figures), notes)
