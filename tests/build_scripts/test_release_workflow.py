"""The release workflow does things in the order that works on each runner, with no step known to fail there.

Its Windows and macOS jobs cannot run here; what can be read is checked: the order of the steps,
the Python they use, how they find their tools. What the steps do is tested beside their scripts
(test_release_tools.py, test_lock_wheels.py, test_frozen_bundle.py on the runners).
"""

from __future__ import annotations

import re

from tests.build_scripts.release_workflow import build_environment, build_steps, step_index


def test_every_runner_uses_uvs_own_python_and_keeps_what_was_synced():
    env = build_environment()
    assert env["UV_PYTHON_PREFERENCE"] == "only-managed"
    assert env["UV_NO_SYNC"] == "1"  # `uv run` would swap the macOS 13.4 wheels for the runner's


def test_windows_packs_its_zip_only_after_signing_the_executables():
    steps = build_steps()
    build = steps[step_index("Build the bundle")]
    assert "--no-archive" in build.run and "runner.os == 'Windows'" in build.run
    sign, pack = step_index("Sign the executables"), step_index("Pack the signed bundle")
    assert sign < pack < step_index("Frozen smoke test") < step_index("Build the installer")
    assert "build.py --pack-only" in steps[pack].run


def test_inno_setup_is_found_on_path_or_where_chocolatey_puts_it():
    script = build_steps()[step_index("Build the installer")].run
    assert "(Get-Command iscc.exe -ErrorAction SilentlyContinue).Source" in script
    assert 'Join-Path ${env:ProgramFiles(x86)} "Inno Setup 6\\ISCC.exe"' in script
    assert "Test-Path -LiteralPath $iscc" in script
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
