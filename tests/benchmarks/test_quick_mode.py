"""The benchmark suite runs end to end in --quick mode and reports every section; no timing is asserted."""

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SECTIONS = (
    "prediction",
    "batch",
    "cold_start",
    "gui",
    "bundle",
    "sync",
    "memory",
    "history",
    "model_update",
    "fleet",
    "lab_start",
    "salvage",
)
# Sections that need nothing but training and the inference engine: they must always measure.
ALWAYS_MEASURED = {
    "prediction": 4,
    "batch": 4,
    "cold_start": 2,
}

# The run waits for its servers as long as they live and retries by attempts, so on a busy machine it is
# slower, not red: the module's limit only ends a hung run (pytest-timeout's default would end a slow one).
pytestmark = [pytest.mark.slow, pytest.mark.server, pytest.mark.timeout(3600)]


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], dict]:
    out = tmp_path_factory.mktemp("bench") / "results.json"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MLFLOW_TRACKING_URI")}
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result, json.loads(out.read_text(encoding="utf-8"))


def _is_number(value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value) and value >= 0


def test_quick_run_reports_every_section_without_errors(quick_run: tuple) -> None:
    _, results = quick_run
    assert results["mode"] == "quick"
    assert tuple(results["sections"]) == SECTIONS
    for key, section in results["sections"].items():
        assert section["error"] == "", f"{key}: {section['error']}"
        assert section["figures"], f"{key} has no rows"


def test_every_row_has_numbers_or_says_why_it_was_skipped_or_not_measured(quick_run: tuple) -> None:
    _, results = quick_run
    for key, section in results["sections"].items():
        for figure in section["figures"]:
            label = f"{key} / {figure['name']}"
            if figure["skipped"]:
                why = figure["skipped"].removeprefix("skipped: ").removeprefix("not measured: ")
                assert why != figure["skipped"] and why.strip(), label
                assert figure["median"] is None, label
                continue
            assert _is_number(figure["median"]) and figure["median"] > 0, label
            assert _is_number(figure["p99"]) and figure["p99"] >= figure["median"], label
            assert figure["n"] >= 1, label
            if figure["ratio"] is not None:
                assert _is_number(figure["ratio"]) and figure["ratio"] > 0, label
                assert figure["ratio_label"], label


def test_engine_sections_are_always_measured_side_by_side_with_their_peers(quick_run: tuple) -> None:
    _, results = quick_run
    for key, rows in ALWAYS_MEASURED.items():
        measured = [f for f in results["sections"][key]["figures"] if not f["skipped"]]
        assert len(measured) >= rows, key
        assert any(f["ratio"] is not None for f in measured), f"{key} has no ratio to a peer"


def test_bundle_rows_are_measured_or_point_to_the_build_command(quick_run: tuple) -> None:
    _, results = quick_run
    figures = {f["name"]: f for f in results["sections"]["bundle"]["figures"]}
    assert figures
    if (ROOT / "dist" / "iris-field").exists():
        assert figures["cold --self-test"]["median"] > 0
        assert figures["unpacked size"]["median"] > 0
    else:
        assert all("build_scripts/build.py" in f["skipped"] for f in figures.values())


def test_table_names_every_section_and_the_machine(quick_run: tuple) -> None:
    result, results = quick_run
    for section in results["sections"].values():
        assert section["title"] in result.stdout
    assert "machine:" in result.stdout
    assert results["machine"]["cores"] >= 1
    assert results["machine"]["libraries"]["onnxruntime"] != "absent"
