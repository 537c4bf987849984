"""Section 4: the real window offscreen — launch to window shown, slider change to bars repainted."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

from benchmarks.context import PROJECT_ROOT, Context
from benchmarks.process import ProbeRun, child_env, peak_rss_kb, probe_command, spawn
from benchmarks.report import Figure, Section
from benchmarks.timing import Distribution
from benchmarks.workspace import console_script

APP = PROJECT_ROOT / "desktop" / "ui" / "app.py"
NO_UI = "skipped: desktop/ui/app.py not there yet"
TARGET_LAUNCH_S = 1.0
TARGET_FRAME_MS = 16.0
# Qt's own log line when the main window's first frame reaches its (offscreen) surface: "shown".
PAINTING_LOG = "qt.widgets.painting=true"
FIRST_FRAME = re.compile(r"qt\.widgets\.painting: Flushing .* of MainWindow\(")


def window_probe_available() -> tuple[bool, str]:
    """Tell whether the window can be measured, and if not, why."""
    if not APP.exists():
        return False, NO_UI
    return True, ""


def offscreen_env(home: Path, base: dict[str, str] | None = None, **extra: str) -> dict[str, str]:
    """Return an environment for an offscreen window with its own data folder."""
    env = dict(base) if base is not None else child_env()
    env.update(QT_QPA_PLATFORM="offscreen", IRIS_FIELD_HOME=str(home), **extra)
    return env


def window_run(ctx: Context, home: Path, slider_changes: int, idle_s: float = 1.0) -> ProbeRun:
    """Open the real window in a fresh process, move a slider ``slider_changes`` times, idle, report."""
    home.mkdir(parents=True, exist_ok=True)
    command = probe_command("window_sliders.py", str(slider_changes), str(idle_s))
    return spawn(command, offscreen_env(home), ready="BENCH shown_ms")


def launch_times(command: list[str], env: dict[str, str], repeats: int) -> Distribution:
    """Time launch → first frame of the main window, after one untimed launch (warm file cache)."""
    env = dict(env, QT_LOGGING_RULES=PAINTING_LOG)
    spawn(command, env, ready=FIRST_FRAME, stop_when_ready=True)
    runs = [spawn(command, env, ready=FIRST_FRAME, stop_when_ready=True) for _ in range(repeats)]
    return Distribution.of([r.ready_s for r in runs])


def idle_window_peak_kb(command: list[str], env: dict[str, str], idle_s: float = 1.0) -> float:
    """Launch the app, wait for its first frame, let it idle, and read its own peak RSS from outside."""

    def after_idle(pid: int) -> dict[str, str]:
        time.sleep(idle_s)
        return {"peak_kb": str(peak_rss_kb(pid))}

    env = dict(env, QT_LOGGING_RULES=PAINTING_LOG)
    run = spawn(command, env, ready=FIRST_FRAME, stop_when_ready=True, on_ready=after_idle)
    return float(run.values["peak_kb"])


def frozen_window_run(ctx: Context, exe: Path, env: dict[str, str]) -> Figure:
    """Time the frozen app from launch to its main window's first frame."""
    runs = launch_times([str(exe)], env, ctx.count(10, 2))
    return Figure.measured(
        "launch → main window shown",
        "s",
        runs,
        target=f"≤ {TARGET_LAUNCH_S:g} s",
        met=runs.median <= TARGET_LAUNCH_S,
    )


def run(ctx: Context) -> Section:
    """Launch the window from source N times, then time slider changes in one more window."""
    available, reason = window_probe_available()
    names = ("launch → main window shown (from source)", "slider change → bars repainted")
    if not available:
        return Section(
            "gui",
            "4. GUI (offscreen)",
            (Figure.skip(names[0], "s", reason), Figure.skip(names[1], "ms", reason)),
        )
    home = ctx.work / "home-gui"
    home.mkdir(parents=True, exist_ok=True)
    launch = launch_times([str(console_script("iris-field"))], offscreen_env(home), ctx.count(10, 2))
    probe = window_run(ctx, home, slider_changes=ctx.count(2000, 100), idle_s=0.0)
    frames = Distribution.of([ns / 1e6 for ns in json.loads(probe.values["slider_ns"])])
    missing = int(probe.values.get("repaint_missing", "0"))
    figures = (
        Figure.measured(
            names[0], "s", launch, target=f"≤ {TARGET_LAUNCH_S:g} s", met=launch.median <= TARGET_LAUNCH_S
        ),
        Figure.measured(
            names[1],
            "ms",
            frames,
            target=f"p99 ≤ {TARGET_FRAME_MS:g} ms",
            met=frames.p99 <= TARGET_FRAME_MS and missing == 0,
            note=f"{missing} change(s) without a repaint within 1 s" if missing else "",
        ),
    )
    notes = (
        "Launch: `iris-field` (console script, bundled model, existing data folder) in a fresh process, "
        "QT_QPA_PLATFORM=offscreen; timed from spawn to Qt's first 'Flushing … of MainWindow' "
        f"log line ({PAINTING_LOG}), i.e. the first frame on the window surface; one untimed launch first.",
        "Slider: the real MainWindow (desktop.ui.app.open_main_window); petal-length QSlider.setValue, then "
        "processEvents until every probability bar's paint event has run; alternating short/long petals so "
        "every change moves every bar; 40 untimed changes first.",
    )
    return Section("gui", "4. GUI (offscreen)", figures, notes)
