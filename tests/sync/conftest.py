"""Fixtures for the sync tests: a private data folder, observations, and a fresh experiment name."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def iris_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point IRIS_FIELD_HOME at a fresh folder so no test touches the real user's history or settings."""
    home = tmp_path / "home"
    monkeypatch.setenv("IRIS_FIELD_HOME", str(home))
    for name in (
        "MLFLOW_TRACKING_URI",
        "MLFLOW_TRACKING_USERNAME",
        "MLFLOW_TRACKING_PASSWORD",
        "MLFLOW_TRACKING_TOKEN",
    ):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture
def db_path(iris_home: Path) -> Path:
    """Return the path of this test's history file (created by the first store that opens it)."""
    return iris_home / "observations.sqlite3"


@pytest.fixture
def experiment_name(request: pytest.FixtureRequest) -> str:
    """Return an experiment name no other test uses."""
    return f"{request.node.name[:60]}-{uuid.uuid4().hex[:8]}"
