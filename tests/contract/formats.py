"""Every file and record an observation becomes, made from fixed observations: the formats a golden pins.

``outputs(folder)`` saves two observations (one with everything, one bare) into a real history in
``folder`` and returns, as plain text and lists, what the laptop and the lab make of them: the CSV export
(row by row and column by column), the sync's run records and observation.json, the lab's table (its
columns, Parquet types and CSV) and the Darwin Core Archive's files.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pyarrow.parquet as pq

from desktop.history_query import HistoryQuery
from desktop.model_delivery.release import ModelStamp, ShadowPrediction
from desktop.store import Observation, ObservationStore
from desktop.sync.run_record import RunRecord, build_run_record
from desktop.tables.observation_csv import export_listed, write_history
from tests.sync.history_factory import make_observation
from training.dataset import dwca
from training.field import table as field_table
from training.field.runs import row_from_run

SENT_AT = 1_780_000_000_000
PUBLISHED = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)


def observations() -> list[Observation]:
    """Return an observation with every field filled, and a bare one."""
    stamp = ModelStamp("https://lab.example/", "iris-classifier", "7", "cd" * 32, 3)
    challenger = ShadowPrediction(stamp, "versicolor", {"setosa": 0.1, "versicolor": 0.8, "virginica": 0.1})
    full = replace(
        make_observation(1, confirmed_species="versicolor", note="by the brook, left bank", location="Alp"),
        id="0190f1c2-0000-7000-8000-000000000001",
        latitude=47.1,
        longitude=8.25,
        unusual=("petal_width",),
        outlier=True,
        outlier_score=3.5,
        model_registry="https://lab.example/",
        model_sequence=2,
        challenger=challenger,
    )
    bare = replace(make_observation(2, observer=""), id="0190f1c2-0000-7000-8000-000000000002")
    return [full, bare]


def _record(obs: Observation) -> RunRecord:
    return build_run_record(obs, device="field-laptop-A", app_version="9.9.9", sent_at=SENT_AT)


def _run(record: RunRecord, run_id: str) -> SimpleNamespace:
    """Return the run MLflow gives back for ``record`` (the shape ``row_from_run`` reads)."""
    data = SimpleNamespace(
        tags=record.tag_dict,
        params=dict(record.params),
        metrics={m.key: m.value for m in record.metrics},
    )
    return SimpleNamespace(data=data, info=SimpleNamespace(run_id=run_id, start_time=record.start_time))


def _csv(observations: list[Observation], folder: Path) -> dict[str, str]:
    text = io.StringIO()
    write_history(observations, text)
    path = folder / "history.sqlite"
    with ObservationStore.open(path) as store:
        store.add_many(observations)
        export_listed(store, HistoryQuery(), folder / "export.csv")
    listed = (folder / "export.csv").read_bytes().decode("utf-8-sig")
    return {"csv_row_by_row": text.getvalue(), "csv_listed": listed}


def _lab(records: list[RunRecord], folder: Path) -> dict[str, object]:
    rows = [row_from_run(_run(r, f"run-{i}")) for i, r in enumerate(records)]
    table = field_table.from_rows([r for r in rows if r is not None])
    table["integrity"] = "verified"
    field_table.write_parquet(table, folder / "observations.parquet")
    field_table.write_csv(table, folder / "observations.csv")
    schema = pq.read_schema(folder / "observations.parquet")
    archive = zipfile.ZipFile(io.BytesIO(dwca.archive_bytes(table, published=PUBLISHED)))
    return {
        "lab_columns": list(table.columns),
        "lab_dtypes": [str(t) for t in field_table.typed(table).dtypes],
        "parquet_schema": [f"{f.name}: {f.type}" for f in schema],
        "lab_csv": (folder / "observations.csv").read_text(encoding="utf-8"),
        "dwca": {name: archive.read(name).decode("utf-8") for name in sorted(archive.namelist())},
    }


def outputs(folder: Path) -> dict[str, object]:
    """Return every format the fixed observations take, laptop and lab (see the module's summary)."""
    saved = observations()
    records = [_record(o) for o in saved]
    runs = [
        {
            "run_name": r.run_name,
            "start_time": r.start_time,
            "params": [list(p) for p in r.params],
            "metrics": [m.to_json() for m in r.metrics],
            "tags": [list(t) for t in r.tags],
            "artifact": r.artifact.decode("utf-8"),
        }
        for r in records
    ]
    return {**_csv(saved, folder), "runs": runs, **_lab(records, folder)}
