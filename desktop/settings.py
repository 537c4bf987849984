"""The user's preferences, kept as a small JSON file that never holds a password or token."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contract.registry import Experiment
from desktop import languages
from desktop.atomic_file import atomic_text_writer
from desktop.paths import config_dir, corrupt_aside_path

SETTINGS_FILENAME = "settings.json"
AUTH_MODES = ("none", "basic", "token")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Settings:
    """Everything the app remembers between runs, except secrets (those live in the OS keyring)."""

    language: str = languages.FOLLOW_SYSTEM  # or a code from desktop.languages
    observer: str = ""
    device_name: str = ""  # "" means socket.gethostname()
    tracking_uri: str = ""  # "" = no server configured
    experiment_name: str = Experiment.FIELD.value
    auth: str = "none"  # "none" | "basic" | "token"
    username: str = ""
    auto_sync: bool = True
    window_geometry: str = ""  # base64 of Qt saveGeometry/saveState, opaque to the core
    splitter_state: str = ""

    @staticmethod
    def default_path() -> Path:
        """Return where settings live unless a path is given."""
        return config_dir() / SETTINGS_FILENAME

    @classmethod
    def load(cls, path: Path | None = None) -> Settings:
        """Read settings; a missing file gives defaults, a corrupt one gives defaults and is kept aside."""
        path = cls.default_path() if path is None else Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (FileNotFoundError, NotADirectoryError):
            return cls()
        except (OSError, UnicodeDecodeError) as exc:
            # Start-up must never fail over preferences: run on defaults, leave the file alone.
            log.warning("settings file %s cannot be read (%s); using defaults", path, exc)
            return cls()
        try:
            data = json.loads(text)
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
        except ValueError as exc:
            aside = _move_aside(path)
            log.warning("settings file %s is damaged (%s); using defaults, kept it as %s", path, exc, aside)
            return cls()
        return cls._from_dict(data)

    @classmethod
    def _from_dict(cls, data: dict[str, Any]) -> Settings:
        """Take each known field whose value has the right type; anything else keeps its default."""
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            if f.name not in data:
                continue
            value = data[f.name]
            if isinstance(value, type(f.default)):
                values[f.name] = value
        if values.get("language", languages.FOLLOW_SYSTEM) not in languages.setting_choices():
            del values["language"]
        if values.get("auth", "none") not in AUTH_MODES:
            del values["auth"]
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        """Return the settings as JSON-ready data (exactly the dataclass fields, nothing secret)."""
        return dataclasses.asdict(self)

    def save(self, path: Path | None = None) -> None:
        """Write the settings atomically (temp file + rename); raise ``OSError`` if that is impossible."""
        path = self.default_path() if path is None else Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"
        with atomic_text_writer(path) as handle:
            handle.write(text)

    def replace(self, **changes: Any) -> Settings:
        """Return a copy with some fields changed."""
        return dataclasses.replace(self, **changes)


def _move_aside(path: Path) -> Path | None:
    """Rename a damaged file to ``<name>.corrupt-<UTC time>`` so nothing the user had is lost."""
    aside = corrupt_aside_path(path)
    try:
        os.replace(path, aside)
    except OSError:
        return None
    return aside
