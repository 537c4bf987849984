"""A release is published only from the tag ``v`` + the project's version; any other tag stops the build."""

from __future__ import annotations

import subprocess
import sys

import desktop
from build_scripts.build import ROOT
from build_scripts.release_tag import expected_tag, tag_problem

SCRIPT = ROOT / "build_scripts" / "release_tag.py"


def _check(tag: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), tag], capture_output=True, text=True, timeout=60)


def test_the_tag_of_the_projects_version_passes():
    result = _check(f"v{desktop.__version__}")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"tag v{desktop.__version__} releases version {desktop.__version__}"


def test_a_tag_of_another_version_fails_with_one_sentence_naming_both():
    result = _check("v99.0.0")
    assert result.returncode == 1
    assert result.stdout == ""
    (sentence,) = result.stderr.strip().splitlines()
    assert "'v99.0.0'" in sentence and desktop.__version__ in sentence and "Traceback" not in result.stderr


def test_the_version_without_its_v_or_with_a_suffix_is_not_the_tag():
    assert expected_tag("0.2.0") == "v0.2.0"
    assert tag_problem("v0.2.0", "0.2.0") is None
    for tag in ("0.2.0", "v0.2.0-rc1", "V0.2.0", "v0.2", "release-0.2.0"):
        assert tag_problem(tag, "0.2.0"), tag


def test_no_tag_is_a_usage_error():
    result = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "usage" in result.stderr
