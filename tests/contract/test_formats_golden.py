"""The formats an observation takes stay exactly as they were: CSV export, run record, lab table, archive.

The golden (``golden_formats.json``) was written by the code that spelled every name itself, before the
laptop and the lab derived them from ``contract/observation.py``; deriving must change no byte. To accept a
deliberate format change, rewrite it with ``uv run python -m tests.contract.formats_golden``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.contract.formats import outputs

GOLDEN = Path(__file__).with_name("golden_formats.json")


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    return outputs(tmp_path_factory.mktemp("formats"))


@pytest.fixture(scope="module")
def golden() -> dict[str, object]:
    return json.loads(GOLDEN.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["csv_row_by_row", "csv_listed"])
def test_the_history_export_writes_the_same_csv(made: dict, golden: dict, name: str) -> None:
    assert made[name] == golden[name]


def test_the_sync_writes_the_same_runs_keys_values_and_order(made: dict, golden: dict) -> None:
    assert made["runs"] == golden["runs"]


@pytest.mark.parametrize("name", ["lab_columns", "lab_dtypes", "parquet_schema", "lab_csv"])
def test_the_lab_table_keeps_its_columns_and_types(made: dict, golden: dict, name: str) -> None:
    assert made[name] == golden[name]


def test_the_darwin_core_archive_holds_the_same_files(made: dict, golden: dict) -> None:
    assert made["dwca"] == golden["dwca"]
