"""End to end: train -> register -> gate -> promote -> export, on temporary SQLite tracking stores."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest
from mlflow import MlflowClient

from desktop.prediction.engine import Classifier
from desktop.prediction.model_card import ModelCard
from training import train
from training.schema import CANDIDATE, CHAMPION, CLASSES, FEATURE_NAMES, MODEL_NAME


@pytest.fixture(scope="module")
def client(trained_store) -> MlflowClient:
    return MlflowClient(tracking_uri=trained_store.uri)


def test_default_configuration_passes_the_gate_and_becomes_champion(trained_store, client):
    assert trained_store.exit_code == train.EXIT_OK, trained_store.stdout
    assert "PROMOTED to champion" in trained_store.stdout
    champion = client.get_model_version_by_alias(MODEL_NAME, CHAMPION)
    assert str(champion.version) == "1"
    assert champion.tags["gate"] == "passed"


def test_training_run_logs_metrics_params_plots_data_and_model(trained_store, client):
    version = client.get_model_version_by_alias(MODEL_NAME, CHAMPION)
    run = client.get_run(version.run_id)
    metrics, params = run.data.metrics, run.data.params
    assert metrics["test_accuracy"] >= 0.9
    assert metrics["cv_accuracy_mean"] >= 0.95
    assert 0 < metrics["cv_accuracy_std"] < 0.1
    assert {f"test_precision_{c}" for c in CLASSES} | {f"test_recall_{c}" for c in CLASSES} <= set(metrics)
    assert "test_macro_f1" in metrics and metrics["gate_passed"] == 1.0
    assert params["model"] == "random-forest" and params["n_estimators"] == "100"
    assert params["max_depth"] == "5" and params["seed"] == "42"
    logged = {
        a.path for folder in ("plots", "data", "gate") for a in client.list_artifacts(run.info.run_id, folder)
    }
    assert {"plots/confusion_matrix.png", "plots/feature_importance.png"} <= logged
    assert {"data/fingerprint.json", "data/labelled_data.csv", "gate/verdict.txt"} <= logged
    assert len(run.data.tags["data_fingerprint"]) == 64


def test_registered_model_has_signature_input_example_and_skops_format(trained_store, client):
    import mlflow

    mlflow.set_tracking_uri(trained_store.uri)
    info = mlflow.models.get_model_info(f"models:/{MODEL_NAME}@{CHAMPION}")
    assert [c.name for c in info.signature.inputs.inputs] == list(FEATURE_NAMES)
    assert info.saved_input_example_info is not None
    assert info.flavors["sklearn"]["serialization_format"] == "skops"
    assert all(t.startswith(("sklearn.", "numpy.")) for t in info.flavors["sklearn"]["skops_trusted_types"])


def test_export_writes_model_and_card_the_app_loads_and_logs_them_to_the_run(trained_store, client):
    assert trained_store.export_exit_code == 0, trained_store.export_stdout
    classifier = Classifier.load(trained_store.out)
    assert classifier.predict([5.1, 3.5, 1.4, 0.2]).species == "setosa"
    card = classifier.card
    version = client.get_model_version_by_alias(MODEL_NAME, CHAMPION)
    assert (card.model_name, card.model_version, card.alias, card.run_id) == (
        MODEL_NAME,
        "1",
        CHAMPION,
        version.run_id,
    )
    assert card.feature_names == FEATURE_NAMES and card.classes == CLASSES
    for feature in card.features:
        assert feature.plausible_min < feature.stats.min <= feature.stats.mean <= feature.stats.max
        assert set(feature.per_class) == set(CLASSES)
    assert {"test_accuracy", "cv_accuracy_mean", "cv_accuracy_std", "test_macro_f1"} <= set(card.metrics)
    assert {"scikit-learn", "skl2onnx", "onnxruntime", "mlflow"} <= set(card.libraries)
    logged = {a.path for a in client.list_artifacts(version.run_id, "export")}
    assert logged == {"export/iris.onnx", "export/model_card.json"}
    local = client.download_artifacts(version.run_id, "export/model_card.json", str(trained_store.folder))
    assert (
        ModelCard.load(local).sha256
        == hashlib.sha256((trained_store.out / "iris.onnx").read_bytes()).hexdigest()
    )
    assert json.loads((trained_store.out / "model_card.json").read_text())["sha256"] == card.sha256
    assert not [p for p in trained_store.out.iterdir() if p.name.startswith(".export-")]


def test_gate_refuses_a_crippled_candidate_and_keeps_the_old_champion(trained_store, client, cli):
    code, stdout = cli(
        train.main,
        ["--tracking-uri", trained_store.uri, "--n-estimators", "1", "--max-depth", "1", "--cv-repeats", "2"],
    )
    assert code == train.EXIT_REFUSED, stdout
    assert "REFUSED" in stdout and "is below the floor" in stdout
    assert str(client.get_model_version_by_alias(MODEL_NAME, CHAMPION).version) == "1"
    refused = client.get_model_version_by_alias(MODEL_NAME, CANDIDATE)
    assert str(refused.version) != "1" and refused.tags["gate"] == "refused"
    assert client.get_run(refused.run_id).data.metrics["gate_passed"] == 0.0


def test_retraining_on_a_fresh_store_reproduces_identical_predictions(trained_store, fresh_store, tmp_path):
    again = fresh_store(tmp_path / "again")
    assert again.exit_code == train.EXIT_OK and again.export_exit_code == 0
    first, second = Classifier.load(trained_store.out), Classifier.load(again.out)
    assert first.card.sha256 == second.card.sha256  # byte-identical ONNX
    rows = np.random.default_rng(7).uniform([4, 2, 1, 0.1], [8, 4.5, 7, 2.5], size=(2000, 4))
    np.testing.assert_array_equal(
        first.predict_many(rows).probability_matrix, second.predict_many(rows).probability_matrix
    )


def test_shipped_model_predicts_like_a_fresh_training_run(trained_store):
    shipped, fresh = Classifier.load(), Classifier.load(trained_store.out)
    assert shipped.card.feature_names == fresh.card.feature_names
    assert shipped.card.features == fresh.card.features  # same schema, same training statistics
    rows = np.random.default_rng(11).uniform([4, 2, 1, 0.1], [8, 4.5, 7, 2.5], size=(2000, 4))
    np.testing.assert_allclose(
        shipped.predict_many(rows).probability_matrix, fresh.predict_many(rows).probability_matrix, atol=1e-6
    )
