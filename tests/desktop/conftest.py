"""Shared fixtures for the desktop core tests: every test gets its own data folder."""

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def iris_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point IRIS_FIELD_HOME at a fresh folder so no test touches the real user's history or settings."""
    home = tmp_path / "home"
    monkeypatch.setenv("IRIS_FIELD_HOME", str(home))
    return home
