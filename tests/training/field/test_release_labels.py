"""Release labels name the registry and the sequence wherever the lab groups by release (issue 19)."""

from __future__ import annotations

import io
import json
import uuid
from pathlib import Path

import pandas as pd
import pytest
from sklearn.datasets import load_iris

from contract.registry import release_label
from desktop.cli import main as field_cli
from desktop.history.store import ObservationStore
from desktop.model_delivery.model_store import ModelStore
from desktop.model_delivery.trusted_keys import trust_key_file
from tests.desktop.model_delivery.release_factory import Lab
from tests.mlflow_test_server import MlflowServer
from tests.training.field.laptops import confirm, sync
from training.dataset import collect as field_dataset
from training.field import schema as fs
from training.monitor import field_check as field_monitor
from training.schema import CLASSES, FEATURE_NAMES

pytestmark = pytest.mark.server

BUNDLED = "iris-classifier v1 (release 1 of iris-field-demo)"  # assets/model/model_card.json's release
LAB_FIRST = "iris-classifier v1 (release 1 of test-lab)"


def test_one_label_names_the_model_version_the_sequence_and_the_registry() -> None:
    assert release_label("iris-classifier", "1", 1, "iris-field-demo") == BUNDLED
    assert release_label("iris-classifier", "1", "1", "test-lab") == LAB_FIRST
    assert release_label("iris-classifier", "3", None, "") == "iris-classifier v3"  # an unsigned model
    assert release_label("iris-classifier", "3", "", "lab") == "iris-classifier v3"


def _laptop_predicts_and_confirms(home: Path, rows: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Predict every row with the laptop's active model, save them, and confirm each flower's species."""
    monkeypatch.setenv("IRIS_FIELD_HOME", str(home))
    assert field_cli.run(["predict", "--csv", str(rows), "--save"]) == 0
    truth = pd.read_csv(rows)
    with ObservationStore.open() as store:
        saved = store.list()
        history = store.path
    species = {tuple(r[n] for n in FEATURE_NAMES): r["species"] for _, r in truth.iterrows()}
    confirm(history, {o.id: species[tuple(o.measurements[n] for n in FEATURE_NAMES)] for o in saved})
    return history


def test_the_bundled_demo_release_and_a_labs_first_release_are_never_counted_together(
    mlflow_server: MlflowServer, champion: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    iris = load_iris(as_frame=True).frame.iloc[::15]  # ten flowers, all three species
    rows = tmp_path / "flowers.csv"
    table = iris.rename(columns=dict(zip(iris.columns[:4], FEATURE_NAMES, strict=True)))
    table.assign(species=[CLASSES[t] for t in table.pop("target")]).to_csv(rows, index=False)
    lab = Lab.new("test-lab")
    monkeypatch.setenv("IRIS_FIELD_HOME", str(tmp_path / "lab-laptop"))
    trust_key_file(lab.write_public_key(tmp_path / "keys"))
    ModelStore().install(lab.release(1, version="1"), trusted=lab.trusted)  # the lab's first release: v1
    experiment = f"release-labels-{uuid.uuid4().hex[:8]}"
    for device, home in (("laptop-demo", "demo-laptop"), ("laptop-lab", "lab-laptop")):
        history = _laptop_predicts_and_confirms(tmp_path / home, rows, monkeypatch)
        sync(history, mlflow_server.url, experiment, device)
    monkeypatch.delenv("IRIS_FIELD_HOME")
    base = ["--tracking-uri", mlflow_server.url, "--experiment", experiment]

    assert field_dataset.main([*base, "--out", str(tmp_path / "data")], out=io.StringIO()) == 0
    dataset = pd.read_parquet(tmp_path / "data" / "observations.parquet")
    assert dataset.groupby(fs.DEVICE)[fs.RELEASE].unique().map(list).to_dict() == {
        "laptop-demo": [BUNDLED],
        "laptop-lab": [LAB_FIRST],
    }
    field_monitor.main([*base, "--out", str(tmp_path / "report"), "--all"], out=io.StringIO())
    summary = json.loads((tmp_path / "report" / "summary.json").read_text(encoding="utf-8"))
    releases = {r["release"]: r["confirmed"] for r in summary["field"]["releases"]}
    assert releases == {BUNDLED: 10, LAB_FIRST: 10}
    confusions = sorted(p.name for p in (tmp_path / "report").glob("confusion-*.png"))
    assert len(confusions) == 2, confusions
