"""Section 11 (lab server start) costs minutes per start, so the quick run says it skipped, and why."""

from pathlib import Path

from benchmarks import lab_start
from benchmarks.context import Context


def test_quick_mode_skips_the_lab_start_and_says_why(tmp_path: Path) -> None:
    section = lab_start.run(Context(quick=True, work=tmp_path))

    [row] = section.figures
    assert row.skipped.startswith("skipped: ") and row.median is None
