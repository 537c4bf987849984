"""Per-user folders for data, configuration and logs; ``IRIS_FIELD_HOME`` puts them all in one place."""

from __future__ import annotations

import os
from pathlib import Path

from contract.environment import EnvVar

HOME_ENV = EnvVar.FIELD_HOME.value
APP_NAME = "iris-field"
DB_FILENAME = "observations.sqlite3"


def _home() -> Path | None:
    """Return the override folder from ``IRIS_FIELD_HOME`` (tests, portable installs), if set."""
    value = os.environ.get(HOME_ENV, "").strip()
    return Path(value).expanduser() if value else None


def _created(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def data_dir() -> Path:
    """Return the folder that holds the observation history, creating it if needed."""
    home = _home()
    if home is not None:
        return _created(home)
    import platformdirs  # imported here so `iris-field --version` stays instant

    return _created(Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)))


def config_dir() -> Path:
    """Return the folder that holds settings.json (not created: saving settings creates it)."""
    home = _home()
    if home is not None:
        return home
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def log_dir() -> Path:
    """Return the folder for log files (not created: whoever writes a log creates it)."""
    home = _home()
    if home is not None:
        return home / "logs"
    import platformdirs

    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def default_db_path() -> Path:
    """Return the path of the observation history database in the data folder."""
    return data_dir() / DB_FILENAME


def corrupt_aside_path(path: Path) -> Path:
    """Return an unused ``<name>.corrupt-<UTC time>`` name beside ``path`` for keeping a damaged file."""
    from datetime import UTC, datetime

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    candidate = path.with_name(f"{path.name}.corrupt-{stamp}")
    counter = 1
    while candidate.exists():
        counter += 1
        candidate = path.with_name(f"{path.name}.corrupt-{stamp}-{counter}")
    return candidate
