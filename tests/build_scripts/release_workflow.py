"""The release workflow as data: its matrix jobs and its steps, read from .github/workflows/release.yml."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

WORKFLOWS = Path(__file__).resolve().parents[2] / ".github" / "workflows"
WORKFLOW = WORKFLOWS / "release.yml"


@dataclass(frozen=True)
class ReleaseJob:
    """One job of the release matrix: its name, the platform uv installs for, and the macOS minimum."""

    name: str
    python_platform: str
    macos_minimum: str | None


@dataclass(frozen=True)
class Step:
    """One step of the build job: its name, condition, script, and the action it uses with its inputs."""

    name: str
    condition: str
    run: str
    uses: str = ""
    inputs: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)


def load_workflow(path: Path = WORKFLOW) -> dict:
    """Return a workflow file as data (``on`` stays ``"on"``, not YAML 1.1's ``True``)."""
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in workflow:
        workflow["on"] = workflow.pop(True)
    return workflow


def _build_job() -> dict:
    return load_workflow()["jobs"]["build"]


def _step(raw: dict) -> Step:
    return Step(
        raw.get("name") or raw.get("uses", ""),
        raw.get("if", ""),
        raw.get("run", "").strip(),
        raw.get("uses", ""),
        {key: str(value) for key, value in raw.get("with", {}).items()},
        {key: str(value) for key, value in raw.get("env", {}).items()},
    )


def release_jobs() -> list[ReleaseJob]:
    """Return the jobs of the release workflow's build matrix."""
    matrix = _build_job()["strategy"]["matrix"]["include"]
    return [ReleaseJob(e["name"], e["python-platform"], e.get("macos-minimum")) for e in matrix]


def build_environment() -> dict[str, str]:
    """Return the environment every step of the build job gets."""
    return {key: str(value) for key, value in _build_job()["env"].items()}


def build_steps() -> list[Step]:
    """Return the build job's steps in order."""
    return [_step(raw) for raw in _build_job()["steps"]]


def job_steps(job: str) -> list[Step]:
    """Return the steps of any job of the release workflow, in order."""
    return [_step(raw) for raw in load_workflow()["jobs"][job]["steps"]]


def matrix_entries() -> list[dict[str, str]]:
    """Return the build matrix's entries as written (name, os, container, python-platform, ...)."""
    return [
        {key: str(value) for key, value in e.items()} for e in _build_job()["strategy"]["matrix"]["include"]
    ]


def step_index(name_part: str) -> int:
    """Return the position of the one step whose name contains ``name_part``."""
    found = [i for i, step in enumerate(build_steps()) if name_part in step.name]
    assert len(found) == 1, f"expected one step named like {name_part!r}, found {len(found)}"
    return found[0]
