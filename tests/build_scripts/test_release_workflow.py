"""The release workflow does things in the order that works on each runner, with no step known to fail there.

Its Windows and macOS jobs cannot run here; what can be read is checked: the order of the steps,
the Python they use, how they find their tools. What the steps do is tested beside their scripts
(test_release_tools.py, test_lock_wheels.py, test_frozen_bundle.py on the runners).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib

import pytest

from tests.build_scripts.release_workflow import (
    WORKFLOW,
    build_environment,
    build_steps,
    job_steps,
    load_workflow,
    matrix_entries,
    step_index,
)

# The newest major of each action the workflow uses (checked 2026-12-06 against each action's releases).
# setup-uv publishes no major tags since v8: a full version is the only way to name one.
CURRENT_ACTIONS = {
    "actions/checkout": "v7",
    "actions/setup-python": "v7",
    "astral-sh/setup-uv": "v10.0.1",
    "actions/upload-artifact": "v7",
    "actions/download-artifact": "v8",
    "softprops/action-gh-release": "v3",
}
XCB_PACKAGES = (
    "libxcb-cursor0",
    "libxcb-icccm4",
    "libxcb-image0",
    "libxcb-keysyms1",
    "libxcb-render-util0",
    "libxcb-shape0",
    "libxkbcommon-x11-0",
)


def _matrix(name: str) -> dict[str, str]:
    (entry,) = [e for e in matrix_entries() if e["name"] == name]
    return entry


def test_windows_and_macos_use_uvs_own_python_and_every_runner_keeps_what_was_synced():
    env = build_environment()
    assert env["UV_PYTHON_PREFERENCE"] == "${{ matrix.python-preference }}"
    for name in ("windows-x64", "macos-arm64", "macos-x86_64"):
        assert _matrix(name)["python-preference"] == "only-managed"
        assert "container" not in _matrix(name)
    assert env["UV_NO_SYNC"] == "1"  # `uv run` would swap the macOS 13.4 wheels for the runner's


def test_linux_builds_in_ubuntu_22_04_with_the_python_its_size_budget_is_measured_on():
    linux = _matrix("linux-x86_64")
    assert (
        linux["os"] == "ubuntu-24.04" and linux["container"] == "ubuntu:22.04"
    )  # glibc 2.35 stays the floor
    assert load_workflow()["jobs"]["build"]["container"] == "${{ matrix.container }}"
    assert linux["python-preference"] == "only-system"  # never uv's own build, whose libpython is bigger
    steps = build_steps()
    python = steps[step_index("The Python the Linux size budget")]
    assert python.uses.startswith("actions/setup-python@") and python.condition == "runner.os == 'Linux'"
    assert python.inputs["python-version"] == steps[step_index("astral-sh/setup-uv")].inputs["python-version"]
    assert step_index("The Python the Linux size budget") < step_index("Install the locked dependencies")


def test_the_linux_container_gets_qts_xcb_libraries_before_anything_runs():
    steps = build_steps()
    packages = steps[step_index("The container's tools")]
    assert step_index("The container's tools") == 0 and packages.condition == "runner.os == 'Linux'"
    tools = ("git", "lsb-release", "binutils", "libegl1", "libgl1", "libssl3", "libsqlite3-0")
    for package in (*XCB_PACKAGES, *tools):
        assert re.search(rf"(^|\s){re.escape(package)}(\s|$)", packages.run), package
    assert "sudo" not in packages.run  # the container runs as root and has no sudo


def test_uv_is_the_version_pyproject_requires():
    required = tomllib.loads((WORKFLOW.parents[2] / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "uv"
    ]["required-version"]
    setup_uv = build_steps()[step_index("astral-sh/setup-uv")]
    assert required == f"=={setup_uv.inputs['version']}"


def test_every_action_is_on_its_current_major():
    used = [step.uses for job in load_workflow()["jobs"] for step in job_steps(job) if step.uses]
    assert used
    for uses in used:
        action, _, version = uses.partition("@")
        assert CURRENT_ACTIONS.get(action) == version, f"{uses}: expected @{CURRENT_ACTIONS.get(action)}"


def test_a_tag_that_is_not_v_plus_the_version_stops_the_build_before_it_starts():
    steps = build_steps()
    check = steps[step_index("Check the tag is v + the project's version")]
    assert check.condition == "github.ref_type == 'tag'"
    assert check.run == 'uv run python build_scripts/release_tag.py "$GITHUB_REF_NAME"'
    assert (
        step_index("Install the locked dependencies")
        < step_index("Check the tag")
        < step_index("Build the bundle")
    )


def _secrets(expression: str) -> set[str]:
    return set(re.findall(r"secrets\.(\w+)", expression))


def test_each_signing_switch_needs_every_secret_its_steps_use():
    env = build_environment()
    for step in build_steps():
        switches = re.findall(r"env\.(HAVE_\w+) == 'true'", step.condition)
        used = set().union(*(_secrets(value) for value in step.env.values()))
        if switches:
            needed = set().union(*(_secrets(env[switch]) for switch in switches))
            assert used <= needed, f"{step.name}: {' and '.join(switches)} do not test {used - needed}"
        else:
            assert not used or step.name.startswith("Refuse a partial"), (
                f"{step.name} uses secrets unswitched"
            )
    assert _secrets(env["HAVE_MACOS_CERT"]) == {
        "MACOS_CERTIFICATE",
        "MACOS_CERTIFICATE_PASSWORD",
        "MACOS_CODESIGN_IDENTITY",
    }
    assert _secrets(env["HAVE_MACOS_CERT"]) | {"APPLE_ID", "APPLE_TEAM_ID", "APPLE_APP_PASSWORD"} == _secrets(
        env["HAVE_NOTARY"]
    )
    assert _secrets(env["HAVE_WINDOWS_CERT"]) == {"WINDOWS_CERTIFICATE", "WINDOWS_CERTIFICATE_PASSWORD"}


def test_a_partial_set_of_signing_secrets_fails_the_build():
    env = build_environment()
    refuse = build_steps()[step_index("Refuse a partial set of signing secrets")]
    every_secret = set().union(*(_secrets(env[name]) for name in env if name.startswith("HAVE_")))
    assert set().union(*(_secrets(value) for value in refuse.env.values())) == every_secret
    assert refuse.condition == "" and step_index("Refuse a partial") < step_index("Build the bundle")


@pytest.mark.skipif(shutil.which("bash") is None, reason="the step is a bash script")
@pytest.mark.parametrize(
    ("windows", "macos", "notary", "refused"),
    [
        ("false false", "false false false", "false false false", False),  # unsigned
        ("true true", "true true true", "true true true", False),  # everything signed and notarized
        ("false false", "true true true", "false false false", False),  # signed, not notarized
        ("true false", "false false false", "false false false", True),  # a certificate without password
        ("false false", "true true false", "false false false", True),  # no identity: signed ad hoc
        ("false false", "false false false", "true true true", True),  # notarizing an unsigned app
        ("false false", "true true true", "false false true", True),  # an app password alone
    ],
)
def test_the_partial_secrets_step_refuses_exactly_the_partial_sets(windows, macos, notary, refused):
    script = build_steps()[step_index("Refuse a partial set of signing secrets")].run
    env = {"WINDOWS_SIGNING": windows, "MACOS_SIGNING": macos, "MACOS_NOTARY": notary, "PATH": os.defpath}
    result = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True, timeout=30)
    assert (result.returncode != 0) == refused, result.stdout
    assert ("::error::" in result.stdout) == refused


def test_a_manual_run_builds_every_target_and_only_a_pushed_tag_publishes():
    workflow = load_workflow()
    assert "workflow_dispatch" in workflow["on"] and workflow["on"]["push"]["tags"] == ["v*"]
    assert "if" not in workflow["jobs"]["build"]
    publish = workflow["jobs"]["publish"]
    assert publish["needs"] == "build"
    assert publish["if"] == "github.event_name == 'push' && startsWith(github.ref, 'refs/tags/v')"


def test_windows_packs_its_zip_only_after_signing_the_executables():
    steps = build_steps()
    build = steps[step_index("Build the bundle")]
    assert "--no-archive" in build.run and "runner.os == 'Windows'" in build.run
    sign, pack = step_index("Sign the executables"), step_index("Pack the signed bundle")
    assert sign < pack < step_index("Frozen smoke test") < step_index("Build the installer")
    assert "build.py --pack-only" in steps[pack].run


def test_inno_setup_is_found_on_path_or_in_the_folder_of_version_6_or_7():
    script = build_steps()[step_index("Build the installer")].run
    assert "(Get-Command iscc.exe -ErrorAction SilentlyContinue).Source" in script
    assert 'Join-Path ${env:ProgramFiles} "Inno Setup 7\\ISCC.exe"' in script  # 64-bit, windows-2025
    assert 'Join-Path ${env:ProgramFiles(x86)} "Inno Setup 6\\ISCC.exe"' in script
    assert "Test-Path -LiteralPath $candidate" in script
    # Looked for again after Chocolatey installs it, in either folder.
    assert script.index("choco install innosetup") < script.rindex("$iscc = Find-Iscc")
    assert ".Source /D" not in script  # a FileInfo from Get-Item has no .Source


def test_the_installer_check_looks_for_both_start_menu_entries():
    script = build_steps()[step_index("Install, run and uninstall")].run
    assert "Iris Field.lnk" in script
    assert "Iris Field (command line).lnk" in script


def test_the_mac_app_is_notarized_and_stapled_before_it_goes_into_the_disk_image():
    steps = build_steps()
    app, image = step_index("Notarize and staple the app"), step_index("Notarize and staple the disk image")
    assert app < step_index("Build the disk image") < image < step_index("Run the app from the mounted")
    assert 'notarize.py "dist/Iris Field.app"' in steps[app].run
    assert "notarize.py" in steps[image].run


def test_every_hdiutil_call_of_the_workflow_is_retried():
    for step in build_steps():
        for line in step.run.splitlines():
            if re.search(r"\bhdiutil\b", line):
                assert re.match(r"\s*retry \d+ hdiutil ", line), f"{step.name}: {line.strip()}"


def test_the_install_guide_says_how_to_start_the_dry_run_of_this_workflow():
    guide = (WORKFLOW.parents[2] / "docs" / "install.md").read_text(encoding="utf-8")
    assert f"gh workflow run {WORKFLOW.name} --ref main" in guide
    assert "workflow_dispatch" in load_workflow()["on"]
    assert "a manual run never publishes" in guide
