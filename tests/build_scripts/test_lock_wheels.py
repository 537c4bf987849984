"""The lock installs from wheels alone on every release target, exactly as the release workflow installs it.

Each job of .github/workflows/release.yml runs ``uv sync --locked --no-build --python-platform <target>`` (on
macOS with MACOSX_DEPLOYMENT_TARGET at the app's minimum, so that every wheel is built for that
macOS, not for the runner's newer one). Here the same command runs with ``--dry-run --no-build
--offline`` for each job of the matrix: uv picks a wheel for every locked package from the wheel
lists in uv.lock, and names the first package that has none. No network, well under a second each.
A slow test then fetches the macOS runtime wheels so chosen and reads their binaries' minimum macOS.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from build_scripts.bundle_check import MACOS_MINIMUM, binaries_above_macos
from build_scripts.macho import MacOSVersion
from tests.build_scripts.release_workflow import ReleaseJob, build_steps, release_jobs, step_index

ROOT = Path(__file__).resolve().parents[2]
RELEASE_PYTHON = "3.11"
SYNC_COMMAND = "uv sync --locked --no-build --python-platform ${{ matrix.python-platform }}"


def _sync_dry_run(job: ReleaseJob, environment: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, UV_PROJECT_ENVIRONMENT=str(environment))
    for inherited in ("MACOSX_DEPLOYMENT_TARGET", "VIRTUAL_ENV"):
        env.pop(inherited, None)
    if job.macos_minimum:
        env["MACOSX_DEPLOYMENT_TARGET"] = job.macos_minimum
    command = ["uv", "sync", "--locked", "--python-platform", job.python_platform, "--python", RELEASE_PYTHON]
    return subprocess.run(
        [*command, "--dry-run", "--no-build", "--offline"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _missing_wheel(uv_stderr: str) -> str:
    """Return the package uv could not find a wheel for, as it named it, or uv's last words."""
    named = re.search(r"Distribution `([^`@ ]+)", uv_stderr)
    return named.group(1) if named else uv_stderr.strip().splitlines()[-1]


def test_the_release_matrix_names_the_four_targets():
    assert {job.python_platform for job in release_jobs()} == {
        "x86_64-pc-windows-msvc",
        "aarch64-apple-darwin",
        "x86_64-apple-darwin",
        # ubuntu-22.04's glibc, the oldest the Linux bundle promises (docs/install.md)
        "x86_64-manylinux_2_35",
    }


def test_every_macos_job_targets_the_minimum_the_app_declares():
    macos_jobs = [job for job in release_jobs() if job.python_platform.endswith("apple-darwin")]
    assert macos_jobs
    assert {job.macos_minimum for job in macos_jobs} == {MACOS_MINIMUM}


def test_the_workflow_installs_with_the_command_resolved_here():
    runs = [step.run for step in build_steps()]
    assert SYNC_COMMAND in runs
    target = step_index("Target the oldest supported macOS")
    assert "MACOSX_DEPLOYMENT_TARGET=${{ matrix.macos-minimum }}" in runs[target]
    assert runs.index(SYNC_COMMAND) > target


@pytest.mark.parametrize("job", release_jobs(), ids=lambda job: job.name)
def test_every_locked_package_has_a_wheel_for_the_release_target(job: ReleaseJob, tmp_path: Path):
    result = _sync_dry_run(job, tmp_path / "venv")

    target = f"{job.python_platform}, Python {RELEASE_PYTHON}"
    if job.macos_minimum:
        target += f", macOS {job.macos_minimum}"
    assert result.returncode == 0, (
        f"{job.name}: {_missing_wheel(result.stderr)} has no wheel in uv.lock for {target}; "
        f"the release job would build it from source.\n{result.stderr}"
    )


def test_a_package_without_a_wheel_is_named(tmp_path: Path):
    # numpy has no wheel for macOS 10.4 on Intel: the check must fail, and say which package.
    ancient_mac = ReleaseJob("ancient-mac", "x86_64-apple-darwin", "10.4")
    result = _sync_dry_run(ancient_mac, tmp_path / "venv")
    assert result.returncode != 0
    assert re.fullmatch(r"[a-z0-9-]+==[\w.]+", _missing_wheel(result.stderr))


# PySide6-Essentials' wheel is 150 MB; shiboken6, built with it and 0.5 MB, tells its macOS target
# (6.10 and later: macOS 15, although the wheels say 13.0).
TOO_BIG_TO_FETCH_HERE = "pyside6-essentials"


def _locked_runtime_requirements(folder: Path) -> Path:
    """Write the runtime group's pinned requirements (markers kept) without the wheel too big to fetch."""
    exported = subprocess.run(
        [
            "uv",
            "export",
            "--locked",
            "--no-default-groups",
            "--no-hashes",
            "--no-emit-project",
            "--no-header",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    kept = [line for line in exported.splitlines() if not line.startswith(TOO_BIG_TO_FETCH_HERE)]
    requirements = folder / "runtime.txt"
    requirements.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return requirements


@pytest.mark.slow
@pytest.mark.parametrize("job", [j for j in release_jobs() if j.macos_minimum], ids=lambda job: job.name)
def test_the_macos_runtime_binaries_run_on_the_minimum_they_are_installed_for(
    job: ReleaseJob, tmp_path: Path
):
    # Wheel names can understate: read the binaries themselves, as build.py does on the runner.
    target = tmp_path / "site-packages"
    env = dict(os.environ, MACOSX_DEPLOYMENT_TARGET=job.macos_minimum)
    installed = subprocess.run(
        ["uv", "pip", "install", "--target", str(target), "--python-platform", job.python_platform]
        + ["--python-version", RELEASE_PYTHON, "--only-binary", ":all:", "--no-deps"]
        + ["-r", str(_locked_runtime_requirements(tmp_path))],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert installed.returncode == 0, installed.stderr
    arch = "arm64" if job.python_platform.startswith("aarch64") else "x86_64"

    assert (target / "onnxruntime").is_dir() and (target / "shiboken6").is_dir()
    assert binaries_above_macos(target, MacOSVersion.parse(job.macos_minimum), arch) == []
