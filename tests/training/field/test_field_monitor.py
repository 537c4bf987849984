"""Specification of ``iris-monitor`` against a real server: healthy field data, drifted field data."""

from __future__ import annotations

import io
import json
import uuid
from pathlib import Path

import pytest
from mlflow import MlflowClient

from tests.mlflow_test_server import MlflowServer
from tests.training.field.conftest import FieldServer
from tests.training.field.laptops import iris_observations, save, sync
from training import field_monitor
from training import field_schema as fs
from training.schema import CLASSES

pytestmark = pytest.mark.server


def run_monitor(url: str, experiment: str, out: Path) -> tuple[int, str]:
    captured = io.StringIO()
    code = field_monitor.main(
        ["--tracking-uri", url, "--experiment", experiment, "--out", str(out)], out=captured
    )
    return code, captured.getvalue()


def test_field_data_drawn_like_the_training_data_is_healthy_and_logged(
    field_server: FieldServer, champion: str, tmp_path: Path
) -> None:
    code, stdout = run_monitor(field_server.url, field_server.experiment, tmp_path)

    assert code == field_monitor.EXIT_HEALTHY, stdout
    assert stdout.startswith("Healthy: no measurement drifted")
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["retraining_recommended"] is False and summary["drift_share"] == 0.0
    assert {"report.html", "drift.png", "locations.png"} <= {p.name for p in tmp_path.iterdir()}
    [run] = MlflowClient(field_server.url).search_runs(
        [MlflowClient(field_server.url).get_experiment_by_name(fs.MONITORING_EXPERIMENT).experiment_id],
        f"tags.verdict = 'healthy' and metrics.observations = {summary['field']['observations']}",
        max_results=1,
    )
    assert run.data.metrics["drift_share"] == 0.0 and "field_accuracy" in run.data.metrics


def test_corrections_appear_in_the_confusion_matrix_of_their_release(
    field_server: FieldServer, champion: str, tmp_path: Path
) -> None:
    run_monitor(field_server.url, field_server.experiment, tmp_path)
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    [release] = summary["field"]["releases"]
    assert release["release"] == "iris-classifier v3"
    confusion = release["confusion"]
    expected_errors: dict[tuple[int, int], int] = {}
    for observation_id, confirmed in field_server.corrections.items():
        predicted = field_server.observations[observation_id].predicted_species
        key = (CLASSES.index(confirmed), CLASSES.index(predicted))
        expected_errors[key] = expected_errors.get(key, 0) + 1
    for (truth, guess), count in expected_errors.items():
        assert confusion[truth][guess] >= count
    assert release["confirmed"] - release["correct"] >= len(field_server.corrections)
    assert (tmp_path / "confusion-iris-classifier-v3.png").exists()


def test_champion_and_challenger_are_compared_on_the_confirmed_observations_both_predicted(
    field_server: FieldServer, champion: str, tmp_path: Path
) -> None:
    code, _ = run_monitor(field_server.url, field_server.experiment, tmp_path)
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["field"]["challenger"] == {"rows": 4, "champion_correct": 1, "challenger_correct": 4}
    [run] = MlflowClient(field_server.url).search_runs(
        [MlflowClient(field_server.url).get_experiment_by_name(fs.MONITORING_EXPERIMENT).experiment_id],
        order_by=["attributes.start_time DESC"],
        max_results=1,
    )
    assert run.data.metrics["challenger_accuracy_shadowed"] == 1.0
    assert run.data.metrics["champion_accuracy_shadowed"] == 0.25


def test_petals_one_centimetre_longer_recommend_retraining_with_the_reason(
    mlflow_server: MlflowServer, champion: str, tmp_path: Path
) -> None:
    experiment = f"shifted-{uuid.uuid4().hex[:8]}"
    history = tmp_path / "history.sqlite3"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("IRIS_FIELD_HOME", str(tmp_path / "home"))
        save(history, iris_observations(40, seed=5, observer="Cleo", shift_petals_cm=1.0))
        sync(history, mlflow_server.url, experiment, "laptop-cleo")

    code, stdout = run_monitor(mlflow_server.url, experiment, tmp_path / "report")

    assert code == field_monitor.EXIT_RETRAIN, stdout
    first = stdout.splitlines()[0]
    assert (
        first.startswith("Retraining recommended: the field measurements drifted") and "petal length" in first
    )
    summary = json.loads((tmp_path / "report" / "summary.json").read_text(encoding="utf-8"))
    drifted = [f["name"] for f in summary["drift"]["features"] if f["drifted"]]
    assert drifted == ["petal_length"]


def test_an_unknown_experiment_is_one_sentence_and_exit_1(
    mlflow_server: MlflowServer, champion: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = run_monitor(mlflow_server.url, "nobody-synced-here", tmp_path)
    assert code == field_monitor.EXIT_FAILURE
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no experiment 'nobody-synced-here'" in err


def test_since_leaves_out_older_observations(
    field_server: FieldServer, champion: str, tmp_path: Path
) -> None:
    argv = [
        "--tracking-uri",
        field_server.url,
        "--experiment",
        field_server.experiment,
        "--out",
        str(tmp_path),
    ]
    code = field_monitor.main([*argv, "--since", "2026-06-04"], out=io.StringIO())
    assert code == field_monitor.EXIT_HEALTHY
    counts = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))["field"]["per_observer"]
    # Ada's first 30 were made before June 4, Ben's 20 after; the dataset tests may add 4 of Ada's (June 10)
    # and delete one of Ben's.
    assert counts["Ben"] in (19, 20) and counts.get("Ada", 0) in (0, 4)
