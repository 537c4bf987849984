"""A field declared once in the contract reaches every format, with no other file touched.

The test copies the packages to a scratch folder, adds two fields to the copy's ``contract/observation.py``
only (an altitude in metres and a habitat text, each a tag with a CSV header and a Darwin Core term),
and follows them in a process that runs the copy: saved in the window's history, exported to CSV (row
by row and column by column) and imported back, sent as the sync's run (signed), read into the lab's
table and its Parquet file, and published in the Darwin Core Archive.
"""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from contract import observation as fields

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("contract", "desktop", "training")
NEW_FIELDS = """
ALTITUDE = _F("altitude", _K.NUMBER, _S.TAG, "altitude", "altitude", "minimumElevationInMeters", unit="m")
HABITAT = _F("habitat", _K.TEXT, _S.TAG, "habitat", "habitat", "habitat")
"""
DWC = "http://rs.tdwg.org/dwc/terms/"

# Runs in the scratch copy: prints what each format made of the new fields, as JSON.
FOLLOW = r"""
import io, json, sys, zipfile
from pathlib import Path
from types import SimpleNamespace

import pyarrow.parquet as pq
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from dwca.read import DwCAReader

import desktop
from desktop.signing import observation_signature as sig
from desktop.errors import InputError
from desktop.history_query import HistoryQuery
from desktop.tables.observation_csv import export_history, export_listed, import_history
from desktop.store import Observation, ObservationStore
from desktop.sync.run_record import build_run_record
from training.dataset import dwca
from training.field import table as field_table
from training.field.runs import row_from_run, seal_of_run

folder = Path(sys.argv[1])
created = "2026-05-01T09:00:00.000000+00:00"
obs = Observation(
    id="0190f1c2-0000-7000-8000-00000000a1a1", created_at=created, updated_at=created,
    measurements={"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2},
    probabilities={"setosa": 0.97, "versicolor": 0.02, "virginica": 0.01}, predicted_species="setosa",
    confidence=0.97, unusual=(), model_name="iris-classifier", model_version="3", model_sha256="ab" * 32,
    observer="Ada", extras={"altitude": 1234.5, "habitat": "=wet meadow, by the brook"},
)
history = folder / "history.sqlite"
with ObservationStore.open(history) as store:
    store.add(obs)
with ObservationStore.open(history) as store:
    saved = store.get(obs.id)
    export_listed(store, HistoryQuery(), folder / "listed.csv")
export_history([saved], folder / "rows.csv")
imported = import_history(folder / "listed.csv")
bad = folder / "bad.csv"
bad.write_text((folder / "listed.csv").read_text(encoding="utf-8-sig").replace(",1234.5,", ",high,"))
try:
    import_history(bad)
    refused = ""
except InputError as exc:
    refused = str(exc)

record = build_run_record(saved, device="field-laptop-A", sent_at=1780000000000)
record = record.signed(Ed25519PrivateKey.generate())
data = SimpleNamespace(
    tags=record.tag_dict, params=dict(record.params), metrics={m.key: m.value for m in record.metrics}
)
run = SimpleNamespace(data=data, info=SimpleNamespace(run_id="run-1", start_time=record.start_time))
table = field_table.from_rows([row_from_run(run)])
table["integrity"] = "verified"
field_table.write_parquet(table, folder / "observations.parquet")
read_back = field_table.read(folder)
(folder / "dwca.zip").write_bytes(dwca.archive_bytes(table))
with DwCAReader(str(folder / "dwca.zip")) as archive:
    published = {term.rsplit("/", 1)[-1]: value for term, value in archive.rows[0].data.items()}

print(json.dumps({
    "desktop_from": desktop.__file__,
    "saved": saved.extras,
    "listed_csv": (folder / "listed.csv").read_text(encoding="utf-8-sig"),
    "rows_csv": (folder / "rows.csv").read_text(encoding="utf-8-sig"),
    "imported": imported[0].extras,
    "refused": refused,
    "tags": record.tag_dict,
    "signed_tags": sorted(sig.SIGNED_TAGS),
    "seal": str(seal_of_run(run).state),
    "artifact": json.loads(record.artifact),
    "lab_row": {c: read_back[c][0] for c in ("altitude", "habitat")},
    "parquet": [f"{f.name}: {f.type}" for f in pq.read_schema(folder / "observations.parquet")],
    "dwca": published,
}))
"""


def _scratch_copy(folder: Path) -> Path:
    """Copy the packages to ``folder`` and declare the new fields in the copy's contract only."""
    for package in PACKAGES:
        shutil.copytree(ROOT / package, folder / package, ignore=shutil.ignore_patterns("__pycache__"))
    contract = folder / "contract" / "observation.py"
    text = contract.read_text(encoding="utf-8")
    assert text.count("\nFIELDS: tuple[ObservationField, ...] = (\n") == 1
    assert text.count("    SIGNATURE,\n)\n") == 1
    text = text.replace("\nFIELDS: tuple", NEW_FIELDS + "\nFIELDS: tuple")
    contract.write_text(
        text.replace("    SIGNATURE,\n)\n", "    SIGNATURE,\n    ALTITUDE,\n    HABITAT,\n)\n")
    )
    return folder


def _changed_files(copy: Path) -> list[str]:
    """Return the files of the copy that differ from the project's (or that only one of them has)."""
    changed: list[str] = []

    def walk(compared: filecmp.dircmp, at: Path) -> None:
        changed.extend(str(at / n) for n in (*compared.diff_files, *compared.left_only, *compared.right_only))
        for name, sub in compared.subdirs.items():
            walk(sub, at / name)

    for package in PACKAGES:
        walk(filecmp.dircmp(ROOT / package, copy / package, ignore=["__pycache__"]), Path(package))
    return sorted(changed)


@pytest.fixture(scope="module")
def followed(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Return what the scratch copy made of the new fields, from the history to the archive."""
    copy = _scratch_copy(tmp_path_factory.mktemp("scratch"))
    assert _changed_files(copy) == ["contract/observation.py"]
    work = tmp_path_factory.mktemp("work")
    done = subprocess.run(
        [sys.executable, "-c", FOLLOW, str(work)],
        cwd=copy,
        env={**os.environ, "PYTHONPATH": str(copy), "IRIS_FIELD_HOME": str(work)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert Path(result["desktop_from"]).is_relative_to(copy)  # the copy ran, not the project
    return result


def test_the_history_keeps_the_new_fields(followed: dict) -> None:
    assert followed["saved"] == {"altitude": 1234.5, "habitat": "=wet meadow, by the brook"}


def test_the_csv_export_carries_them_after_every_column_it_had_and_reads_them_back(followed: dict) -> None:
    header, row = followed["listed_csv"].splitlines()
    assert header.split(",")[-2:] == ["altitude", "habitat"]
    assert row.endswith(',1234.5,"\'=wet meadow, by the brook"')  # a text a spreadsheet shows as text
    assert followed["rows_csv"] == followed["listed_csv"]
    assert followed["imported"] == followed["saved"]
    assert "column 32 (altitude): 'high' is not a finite number" in followed["refused"]


def test_the_sync_sends_them_as_tags_and_the_device_signs_them(followed: dict) -> None:
    assert followed["tags"]["altitude"] == "1234.5"
    assert followed["tags"]["habitat"] == "=wet meadow, by the brook"
    assert {"altitude", "habitat"} <= set(followed["signed_tags"])
    assert followed["seal"] == "intact"
    assert followed["artifact"]["altitude"] == 1234.5


def test_the_lab_table_holds_them_typed_by_their_kind(followed: dict) -> None:
    assert followed["lab_row"] == {"altitude": 1234.5, "habitat": "=wet meadow, by the brook"}
    assert "altitude: double" in followed["parquet"]
    assert "habitat: large_string" in followed["parquet"]


def test_the_archive_publishes_them_under_their_darwin_core_terms(followed: dict) -> None:
    assert followed["dwca"]["minimumElevationInMeters"] == "1234.5"
    assert followed["dwca"]["habitat"] == "=wet meadow, by the brook"


def test_every_file_a_new_field_may_still_need_is_there() -> None:
    listed = [path for path, _why in fields.TOUCH_WHEN_ADDING_A_FIELD]
    assert listed and all((ROOT / path).is_file() for path in listed), listed
    assert all(why for _path, why in fields.TOUCH_WHEN_ADDING_A_FIELD)
