"""GitHub's hosted runner labels as of 2026-12-06, and which labels a workflow may no longer use.

Kept by hand from actions/runner-images (its README's table of available images and its announcement
issues). A label missing here is unknown: check it there before adding it. A retirement date is the
day jobs stop getting a runner; brownouts (jobs failed on purpose for hours) start weeks before, so a
label is refused ``RETIREMENT_NOTICE`` ahead of its date.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date, timedelta

CHECKED_ON = date(2026, 12, 6)
RETIREMENT_NOTICE = timedelta(days=180)

# label -> the announced retirement date, or None while none is announced
SUPPORTED: dict[str, date | None] = {
    "ubuntu-latest": None,
    "ubuntu-24.04": None,
    "ubuntu-24.04-arm": None,
    "ubuntu-slim": None,
    "ubuntu-22.04": date(2027, 4, 17),
    "ubuntu-22.04-arm": date(2027, 4, 17),
    "windows-latest": None,
    "windows-2025": None,
    "windows-2022": None,
    "windows-11-arm": None,
    "macos-latest": None,
    "macos-26": None,
    "macos-15": None,
    # The last Intel image: "available until August 2027" (no day announced; the 1st is assumed).
    "macos-15-intel": date(2027, 8, 1),
}

# label -> the day it stopped getting runners (runner-images announcements)
RETIRED: dict[str, date] = {
    "macos-14": date(2026, 11, 2),  # actions/runner-images #13518
    "macos-13": date(2025, 12, 4),
    "macos-12": date(2024, 12, 3),
    "windows-2019": date(2025, 6, 30),
    "ubuntu-20.04": date(2025, 4, 15),
}

_EXPRESSION = re.compile(r"^\$\{\{\s*matrix\.([\w-]+)\s*\}\}$")


def label_problem(label: str, today: date) -> str | None:
    """Return one sentence saying why ``label`` may not be used ``today``, or ``None`` when it may."""
    if label in RETIRED:
        return f"{label} was retired on {RETIRED[label].isoformat()}: jobs on it never get a runner"
    if label not in SUPPORTED:
        return f"{label} is not a supported GitHub-hosted label (tests/build_scripts/hosted_runners.py)"
    retires = SUPPORTED[label]
    if retires is not None and retires - today <= RETIREMENT_NOTICE:
        return f"{label} retires on {retires.isoformat()} (brownouts before): move to a newer image"
    return None


def _labels_of(runs_on: object, matrix: dict) -> Iterator[str]:
    values = runs_on if isinstance(runs_on, list) else [runs_on]
    for value in values:
        found = _EXPRESSION.match(str(value).strip())
        if not found:
            yield str(value)
            continue
        key = found.group(1)
        yield from (str(v) for v in matrix.get(key, []))
        yield from (str(entry[key]) for entry in matrix.get("include", []) if key in entry)


def workflow_labels(workflow: dict) -> set[str]:
    """Return every runner label the workflow's jobs ask for, ``${{ matrix.KEY }}`` resolved."""
    labels: set[str] = set()
    for job in workflow.get("jobs", {}).values():
        matrix = job.get("strategy", {}).get("matrix", {})
        labels.update(_labels_of(job.get("runs-on", ""), matrix if isinstance(matrix, dict) else {}))
    return labels


def label_problems(labels: Iterable[str], today: date) -> list[str]:
    """Return one sentence per label that may not be used ``today``."""
    return [problem for label in sorted(labels) if (problem := label_problem(label, today))]
