"""Shared fixtures: one default training run and export on a temporary SQLite tracking store."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest

from training import train
from training.release import export


@dataclass(frozen=True)
class TrainedStore:
    """A tracking store holding the default run, promoted, and its export."""

    uri: str
    folder: Path
    out: Path
    exit_code: int
    stdout: str
    export_exit_code: int
    export_stdout: str


def store_uri(folder: Path) -> str:
    """Return the SQLite tracking URI of a store in ``folder``."""
    return f"sqlite:///{(folder / 'mlflow.db').as_posix()}"


def run_cli(main, argv: list[str]) -> tuple[int, str]:
    """Run a command's ``main`` in-process; return (exit status, stdout)."""
    captured = io.StringIO()
    with redirect_stdout(captured):
        code = main(argv)
    return code, captured.getvalue()


def train_and_export(folder: Path) -> TrainedStore:
    """Train the default configuration on a fresh store in ``folder`` and export its champion."""
    folder.mkdir(parents=True, exist_ok=True)
    uri = store_uri(folder)
    code, stdout = run_cli(train.main, ["--tracking-uri", uri])
    out = folder / "model"
    export_code, export_stdout = run_cli(export.main, ["--tracking-uri", uri, "--out", str(out)])
    return TrainedStore(uri, folder, out, code, stdout, export_code, export_stdout)


@pytest.fixture(scope="session")
def cli():
    """Give tests ``run_cli(main, argv) -> (exit status, stdout)``."""
    return run_cli


@pytest.fixture(scope="session")
def fresh_store():
    """Give tests ``train_and_export(folder) -> TrainedStore`` for a store of their own."""
    return train_and_export


@pytest.fixture(scope="session")
def trained_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TrainedStore]:
    """Train and export once per session; tests may add versions but never move the champion."""
    yield train_and_export(tmp_path_factory.mktemp("store"))
    import mlflow

    mlflow.set_tracking_uri(None)  # leave no global store behind for other tests
