"""Section 4: the real window offscreen — launch to window shown, slider change to bars repainted."""

from __future__ import annotations

from pathlib import Path

from benchmarks.context import PROJECT_ROOT, Context
from benchmarks.process import ProbeRun
from benchmarks.report import Figure, Section

APP = PROJECT_ROOT / "desktop" / "ui" / "app.py"
NO_UI = "skipped: desktop/ui/app.py not there yet"


def window_probe_available() -> tuple[bool, str]:
    """Tell whether the window can be measured, and if not, why."""
    if not APP.exists():
        return False, NO_UI
    return True, ""


def window_run(ctx: Context, home: Path, slider_changes: int) -> ProbeRun:
    """Start the window offscreen in a fresh process and collect its timings."""
    raise NotImplementedError


def frozen_window_run(ctx: Context, exe: Path, env: dict[str, str]) -> Figure:
    """Time the frozen app from launch to its main window shown."""
    return Figure.skip(
        "launch → main window shown", "s", "skipped: no way yet to see the frozen window shown"
    )


def run(ctx: Context) -> Section:
    """Measure the window if the UI exists."""
    available, reason = window_probe_available()
    names = ("launch → main window shown (from source)", "slider change → bars repainted")
    if not available:
        return Section(
            "gui",
            "4. GUI (offscreen)",
            (Figure.skip(names[0], "s", reason), Figure.skip(names[1], "ms", reason)),
        )
    raise NotImplementedError
