"""Every workflow asks only for runner labels GitHub hosts today, none retired or about to retire.

The list of today's labels is tests/build_scripts/hosted_runners.py. A release job on a retired
label never starts, and the publish job that needs every build never runs: this fails CI first.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.build_scripts.hosted_runners import CHECKED_ON, SUPPORTED, label_problems, workflow_labels
from tests.build_scripts.release_workflow import WORKFLOWS, load_workflow

WORKFLOW_FILES = sorted(WORKFLOWS.glob("*.y*ml"))


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda path: path.name)
def test_every_runner_label_is_supported_today_and_not_about_to_retire(path):
    labels = workflow_labels(load_workflow(path))
    assert labels
    assert label_problems(labels, date.today()) == []


def test_the_release_builds_on_the_four_runners_it_needs():
    assert workflow_labels(load_workflow()) == {
        "ubuntu-24.04",  # the Linux build itself runs in an ubuntu:22.04 container (glibc 2.35)
        "windows-2022",
        "macos-15",
        "macos-15-intel",
    }


def test_a_retired_label_is_refused_with_its_date():
    assert label_problems({"macos-14", "macos-15"}, CHECKED_ON) == [
        "macos-14 was retired on 2026-11-02: jobs on it never get a runner"
    ]


def test_a_label_is_refused_half_a_year_before_it_retires():
    assert label_problems({"ubuntu-22.04"}, CHECKED_ON) == [
        "ubuntu-22.04 retires on 2027-04-17 (brownouts before): move to a newer image"
    ]
    assert label_problems({"ubuntu-22.04"}, date(2026, 10, 1)) == []


def test_an_unknown_label_is_refused():
    (problem,) = label_problems({"macos-99"}, CHECKED_ON)
    assert problem.startswith("macos-99 is not a supported GitHub-hosted label")


def test_matrix_expressions_are_resolved_to_their_labels():
    workflow = {
        "jobs": {
            "a": {
                "runs-on": "${{ matrix.os }}",
                "strategy": {"matrix": {"os": ["ubuntu-24.04", "macos-14"]}},
            },
            "b": {
                "runs-on": "${{matrix.runner}}",
                "strategy": {"matrix": {"include": [{"runner": "windows-2025"}, {"other": 1}]}},
            },
            "c": {"runs-on": ["ubuntu-latest"]},
        }
    }
    assert workflow_labels(workflow) == {"ubuntu-24.04", "macos-14", "windows-2025", "ubuntu-latest"}


def test_the_list_was_checked_recently():
    # The supported labels change: someone re-checks them against actions/runner-images once a year.
    assert (date.today() - CHECKED_ON).days < 366, "re-check hosted_runners.py against actions/runner-images"
    assert "ubuntu-24.04" in SUPPORTED
