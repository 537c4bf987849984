"""The release workflow as data: its matrix jobs and its steps, read from .github/workflows/release.yml."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

WORKFLOW = Path(__file__).resolve().parents[2] / ".github" / "workflows" / "release.yml"


@dataclass(frozen=True)
class ReleaseJob:
    """One job of the release matrix: its name, the platform uv installs for, and the macOS minimum."""

    name: str
    python_platform: str
    macos_minimum: str | None


@dataclass(frozen=True)
class Step:
    """One step of the build job: its name, condition and script."""

    name: str
    condition: str
    run: str


def _build_job() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]["build"]


def release_jobs() -> list[ReleaseJob]:
    """Return the jobs of the release workflow's build matrix."""
    matrix = _build_job()["strategy"]["matrix"]["include"]
    return [ReleaseJob(e["name"], e["python-platform"], e.get("macos-minimum")) for e in matrix]


def build_environment() -> dict[str, str]:
    """Return the environment every step of the build job gets."""
    return {key: str(value) for key, value in _build_job()["env"].items()}


def build_steps() -> list[Step]:
    """Return the build job's steps in order."""
    return [
        Step(s.get("name") or s.get("uses", ""), s.get("if", ""), s.get("run", "").strip())
        for s in _build_job()["steps"]
    ]


def step_index(name_part: str) -> int:
    """Return the position of the one step whose name contains ``name_part``."""
    found = [i for i, step in enumerate(build_steps()) if name_part in step.name]
    assert len(found) == 1, f"expected one step named like {name_part!r}, found {len(found)}"
    return found[0]
