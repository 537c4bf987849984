"""A throw-away MLflow store trained by the project's own ``iris-train``, and its model exported to ONNX."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from contract.registry import MODEL_NAME, ONNX_FILENAME, Alias
from desktop.resources import bundled_model_path

MODEL_URI = f"models:/{MODEL_NAME}@{Alias.CHAMPION}"


class SetupError(RuntimeError):
    """The benchmark could not prepare the model it measures."""


@dataclass(frozen=True)
class Workspace:
    """Where the measured model lives: a tracking store with the champion, and its ONNX export."""

    root: Path
    tracking_uri: str
    model_dir: Path  # iris.onnx + model_card.json of the same registered model
    model_source: str  # how model_dir came about, shown in the notes
    train_seconds: float


def console_script(name: str) -> Path:
    """Return the path of one of the project's console scripts in the running environment."""
    return Path(sys.executable).with_name(name + (".exe" if os.name == "nt" else ""))


def iris_rows() -> np.ndarray:
    """Return the 150 Iris flowers (cm, card order) as float64: the rows every path predicts."""
    from sklearn.datasets import load_iris  # benchmarks compare against scikit-learn anyway

    return np.asarray(load_iris().data, dtype=np.float64)


def _run(command: list[str], log: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run a training command to its end, however long a busy machine makes it (Ctrl+C ends a hung one)."""
    with log.open("w", encoding="utf-8") as out:
        return subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, text=True, env=env)


def _tail(log: Path) -> str:
    lines = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    return lines[-1] if lines else "(no output)"


def _export(root: Path, tracking_uri: str, env: dict[str, str]) -> tuple[Path, str]:
    """Export the champion with ``iris-export``; fall back to the bundled model when that is impossible."""
    exporter = console_script("iris-export")
    if not exporter.exists():
        return bundled_model_path().parent, "bundled assets/model (iris-export is not installed)"
    out = root / "model"
    command = [str(exporter), "--out", str(out)]
    help_text = subprocess.run([str(exporter), "--help"], capture_output=True, text=True, env=env).stdout
    if "--tracking-uri" in help_text:
        command += ["--tracking-uri", tracking_uri]
    log = root / "iris-export.log"
    result = _run(command, log, env)
    if result.returncode != 0 or not (out / ONNX_FILENAME).exists():
        return bundled_model_path().parent, f"bundled assets/model (iris-export failed: {_tail(log)})"
    return out, "exported from the same registered model by iris-export"


def prepare(root: Path, reuse_store: Path | None = None, cv_repeats: int | None = None) -> Workspace:
    """Train into a fresh SQLite store under ``root`` (or reuse one) and export its champion.

    ``cv_repeats`` shortens the gate's repeated cross-validation (quick mode); the fitted model is the same.
    """
    import time

    root.mkdir(parents=True, exist_ok=True)
    if reuse_store is not None:
        store = reuse_store.resolve()
        tracking_uri = f"sqlite:///{store / 'mlflow.db'}"
        model_dir = store / "model"
        if not (model_dir / ONNX_FILENAME).exists():
            model_dir = bundled_model_path().parent
        return Workspace(store, tracking_uri, model_dir, f"reused store {store}", 0.0)

    trainer = console_script("iris-train")
    if not trainer.exists():
        raise SetupError(f"{trainer} does not exist: install the project (uv sync) to get iris-train")
    tracking_uri = f"sqlite:///{root / 'mlflow.db'}"
    env = dict(os.environ, MLFLOW_TRACKING_URI=tracking_uri)
    log = root / "iris-train.log"
    start = time.perf_counter()
    command = [str(trainer), "--tracking-uri", tracking_uri]
    if cv_repeats is not None:
        command += ["--cv-repeats", str(cv_repeats)]
    result = _run(command, log, env)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SetupError(f"iris-train exited with {result.returncode}: {_tail(log)} (log: {log})")
    model_dir, source = _export(root, tracking_uri, env)
    return Workspace(root, tracking_uri, model_dir, source, seconds)
