"""iris-export proves parity before writing, and refuses missing, corrupt or mismatched models."""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import unquote, urlparse

import mlflow
import numpy as np
import pytest
from mlflow import MlflowClient
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression

from desktop.prediction.engine import Classifier
from training import register
from training.data import load_bundled, split
from training.errors import ExportError
from training.release import export, vetting
from training.release.card_builder import build_card
from training.release.convert import to_onnx
from training.release.parity import TOLERANCE, check, probe_rows
from training.schema import CHAMPION, EXPERIMENT_NAME, FEATURE_NAMES, MODEL_NAME


def _local(uri: str) -> Path:
    return Path(unquote(urlparse(uri).path))


@pytest.fixture()
def shipped_files(tmp_path: Path) -> Path:
    """Return an output folder that already holds a model and card; a refused export must leave them."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "iris.onnx").write_bytes(b"previous model")
    (out / "model_card.json").write_text("{}", encoding="utf-8")
    return out


def _unchanged(out: Path) -> bool:
    names = sorted(p.name for p in out.iterdir())
    return names == ["iris.onnx", "model_card.json"] and (out / "iris.onnx").read_bytes() == b"previous model"


def _register_version(
    uri: str, model, example, *, data_csv: Path | None = None, fingerprint: str = ""
) -> str:
    """Log and register ``model`` as a new version, the way iris-train does, without promoting it.

    Its gate tag says passed, so the export's other checks are the ones these tests meet.
    """
    mlflow.set_tracking_uri(uri)
    experiment = mlflow.get_experiment_by_name(EXPERIMENT_NAME)
    with mlflow.start_run(experiment_id=experiment.experiment_id) as run:
        if data_csv is not None:
            mlflow.log_artifact(str(data_csv), "data")
            mlflow.set_tag(register.FINGERPRINT_TAG, fingerprint)
        version = register.register(register.log_model(model, example), run.info.run_id)
    register.tag_version(version, vetting.gate_tags(True, ("tagged by the test",)))
    return version


def test_export_without_a_champion_says_to_train_first(tmp_path, capsys, cli):
    code, _ = cli(
        export.main, ["--tracking-uri", f"sqlite:///{tmp_path / 'mlflow.db'}", "--out", str(tmp_path)]
    )
    assert code == export.EXIT_FAILURE
    err = capsys.readouterr().err
    assert "has no iris-classifier alias @champion; run iris-train first" in err
    assert err.count("\n") == 1


def test_exported_model_matches_the_registered_model_on_data_and_20000_random_rows(trained_store):
    mlflow.set_tracking_uri(trained_store.uri)
    model = register.load_version(register.find_version(alias=CHAMPION))
    classifier = Classifier.load(trained_store.out)
    data = load_bundled()
    seen = np.array([[f.stats.min, f.stats.max] for f in classifier.card.features])
    rows = np.vstack([data.features, probe_rows(classifier.card.features, seed=1)])
    beyond = (rows < seen[:, 0]) | (rows > seen[:, 1])
    assert len(rows) >= 20_000 and beyond.any(axis=1).sum() > 5_000  # across *and* beyond the training range
    report = check(classifier, model, rows)
    assert report.max_abs_difference <= TOLERANCE


def test_parity_check_rejects_an_onnx_model_of_another_algorithm(trained_store, tmp_path):
    mlflow.set_tracking_uri(trained_store.uri)
    registered = register.load_version(register.find_version(alias=CHAMPION))
    data = load_bundled()
    parts = split(data, test_size=0.2, seed=42)
    other = LogisticRegression(max_iter=1000).fit(parts.train.frame(), parts.train.labels)
    onnx_bytes = to_onnx(other)
    card = build_card(
        onnx_bytes=onnx_bytes, training_rows=parts.train, metrics={}, model_version="x", alias="", run_id="x"
    )
    (tmp_path / "iris.onnx").write_bytes(onnx_bytes)
    (tmp_path / "model_card.json").write_text(card.to_json(), encoding="utf-8")
    with pytest.raises(ExportError, match="names a different species|probabilities differ"):
        check(Classifier.load(tmp_path), registered, data.features)


def test_export_refuses_a_model_that_reads_other_features_and_writes_nothing(
    trained_store, shipped_files, capsys, cli
):
    frame = load_bundled().frame()[list(FEATURE_NAMES[:3])]
    model = RandomForestClassifier(n_estimators=5, random_state=0).fit(frame, load_bundled().labels)
    version = _register_version(trained_store.uri, model, frame.head(3))

    code, _ = cli(
        export.main, ["--tracking-uri", trained_store.uri, "--version", version, "--out", str(shipped_files)]
    )

    assert code == export.EXIT_FAILURE
    err = capsys.readouterr().err
    assert err.startswith("iris-export: nothing was written:") and "but the model card needs" in err
    assert _unchanged(shipped_files)


def test_export_refuses_a_corrupt_registered_model_and_writes_nothing(
    trained_store, shipped_files, capsys, cli
):
    data = load_bundled()
    model = RandomForestClassifier(n_estimators=5, random_state=0).fit(data.frame(), data.labels)
    version = _register_version(trained_store.uri, model, data.frame().head(3))
    source = MlflowClient(trained_store.uri).get_model_version(MODEL_NAME, version)
    folder = _local(mlflow.get_logged_model(source.source.rsplit("/", 1)[-1]).artifact_location)
    (folder / "model.skops").write_bytes(b"\x00 not a model any more")

    code, _ = cli(
        export.main, ["--tracking-uri", trained_store.uri, "--version", version, "--out", str(shipped_files)]
    )

    assert code == export.EXIT_FAILURE
    assert f"version {version} of iris-classifier cannot be loaded" in capsys.readouterr().err
    assert _unchanged(shipped_files)


def test_export_refuses_training_data_that_no_longer_matches_its_fingerprint(
    trained_store, shipped_files, tmp_path, capsys, cli
):
    data = load_bundled()
    model = RandomForestClassifier(n_estimators=5, random_state=0).fit(data.frame(), data.labels)
    table = data.to_csv_frame()
    table[register.SPLIT_COLUMN] = "train"
    table.loc[0, "sepal_length"] = 5.2  # one value edited after the run logged its fingerprint
    csv = tmp_path / "labelled_data.csv"
    table.to_csv(csv, index=False)
    version = _register_version(
        trained_store.uri, model, data.frame().head(3), data_csv=csv, fingerprint=data.fingerprint()
    )

    code, _ = cli(
        export.main, ["--tracking-uri", trained_store.uri, "--version", version, "--out", str(shipped_files)]
    )

    assert code == export.EXIT_FAILURE
    assert "does not match the run's data fingerprint" in capsys.readouterr().err
    assert _unchanged(shipped_files)


def test_re_exporting_the_champion_replaces_both_files_with_identical_bytes(trained_store, tmp_path, cli):
    before = hashlib.sha256((trained_store.out / "iris.onnx").read_bytes()).hexdigest()
    code, stdout = cli(export.main, ["--tracking-uri", trained_store.uri, "--out", str(tmp_path)])
    assert code == export.EXIT_OK, stdout
    assert Classifier.load(tmp_path).card.sha256 == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["iris.onnx", "model_card.json"]
