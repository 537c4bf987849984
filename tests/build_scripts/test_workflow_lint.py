"""actionlint (the PyPI build in the dev group) passes the workflows, and fails a workflow the runners would.

.ci/run lints .github/workflows with it; these tests show that lint can fail: a typo in an
expression, an unknown key, an action still on Node 20.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.build_scripts.release_workflow import WORKFLOW, WORKFLOWS

ACTIONLINT = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which("actionlint")
pytestmark = pytest.mark.skipif(ACTIONLINT is None, reason="actionlint is in the dev group: uv sync")

GOOD_JOB = """\
name: lint-me
on: [push]
jobs:
  build:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@v7
      - run: echo "${{ github.ref_name }}"
"""


def _lint(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ACTIONLINT, "-no-color", *map(str, paths)], capture_output=True, text=True, timeout=120
    )


def test_the_projects_workflows_lint_clean():
    result = _lint(*sorted(WORKFLOWS.glob("*.y*ml")))
    assert result.returncode == 0, result.stdout + result.stderr
    assert WORKFLOW in sorted(WORKFLOWS.glob("*.y*ml"))


def test_a_clean_workflow_passes(tmp_path: Path):
    good = tmp_path / "good.yml"
    good.write_text(GOOD_JOB, encoding="utf-8")
    result = _lint(good)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize(
    ("change", "complaint", "said"),
    [
        ("${{ github.ref_name }}", "${{ github.ref_nam }}", "ref_nam"),  # a property that does not exist
        (
            "    runs-on: ubuntu-24.04\n",
            "    runs-on: ubuntu-24.04\n    timeout-minute: 5\n",
            "timeout-minute",
        ),
        ("actions/checkout@v7", "actions/checkout@v4", '"node20" is deprecated'),  # removed from the runners
    ],
    ids=["expression", "unknown-key", "node20-action"],
)
def test_a_workflow_the_runners_would_refuse_fails_the_lint(
    tmp_path: Path, change: str, complaint: str, said: str
):
    bad = tmp_path / "bad.yml"
    bad.write_text(GOOD_JOB.replace(change, complaint), encoding="utf-8")
    result = _lint(bad)
    assert result.returncode != 0
    assert "bad.yml:" in result.stdout and said in result.stdout
