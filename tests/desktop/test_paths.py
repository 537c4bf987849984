"""Specification of the per-user folders and their IRIS_FIELD_HOME override."""

import sys
from pathlib import Path

import pytest

from desktop import paths


def test_iris_field_home_holds_data_config_and_logs(iris_home: Path) -> None:
    assert paths.data_dir() == iris_home
    assert iris_home.is_dir()  # the data folder is created on demand
    assert paths.config_dir() == iris_home
    assert paths.log_dir() == iris_home / "logs"
    assert paths.default_db_path() == iris_home / "observations.sqlite3"


@pytest.mark.skipif(sys.platform != "linux", reason="only Linux lets a test move the per-user folders")
def test_without_the_override_the_folders_are_the_platform_ones(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import platformdirs

    monkeypatch.delenv("IRIS_FIELD_HOME")
    # Point the platform's own variables at tmp_path so the test creates nothing in the real home.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert paths.data_dir() == Path(platformdirs.user_data_dir("iris-field", appauthor=False))
    assert paths.config_dir() == Path(platformdirs.user_config_dir("iris-field", appauthor=False))
    assert paths.log_dir() == Path(platformdirs.user_log_dir("iris-field", appauthor=False))
    assert "iris-field" in str(paths.data_dir())


def test_a_corrupt_aside_name_never_overwrites_an_earlier_one(tmp_path: Path) -> None:
    original = tmp_path / "settings.json"
    first = paths.corrupt_aside_path(original)
    first.write_text("kept")
    second = paths.corrupt_aside_path(original)
    assert second != first and not second.exists()
    assert second.name.startswith("settings.json.corrupt-")
