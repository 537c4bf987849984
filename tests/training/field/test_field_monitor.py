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
from training.field import schema as fs
from training.monitor import field_check as field_monitor
from training.schema import CLASSES

pytestmark = pytest.mark.server


def run_monitor(url: str, experiment: str, out: Path, *window: str) -> tuple[int, str]:
    """Run iris-monitor; every observation unless ``window`` says otherwise (the fixtures' are from June)."""
    captured = io.StringIO()
    code = field_monitor.main(
        ["--tracking-uri", url, "--experiment", experiment, "--out", str(out), *(window or ["--all"])],
        out=captured,
    )
    return code, captured.getvalue()


def test_field_data_drawn_like_the_training_data_is_healthy_and_logged(
    field_server: FieldServer, champion: str, tmp_path: Path
) -> None:
    code, stdout = run_monitor(field_server.url, field_server.experiment, tmp_path)

    assert code == field_monitor.EXIT_HEALTHY, stdout
    assert stdout.startswith("Healthy: nothing to do.\nWhy: no measurement drifted")
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["retraining_recommended"] is False and summary["drift_share"] == 0.0
    assert {"report.html", "drift.png", "locations.png"} <= {p.name for p in tmp_path.iterdir()}
    [run] = MlflowClient(field_server.url).search_runs(
        [MlflowClient(field_server.url).get_experiment_by_name(fs.MONITORING_EXPERIMENT).experiment_id],
        f"tags.verdict = 'nothing' and metrics.observations = {summary['field']['observations']}",
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
    first, why = stdout.splitlines()[:2]
    assert first.startswith("Retraining recommended: retrain the champion")
    assert why.startswith("Why: all observations: petal length ") and "cm longer than in training" in why
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


def _days_ago(days: int) -> int:
    """Return the ``start_day`` of observations made ``days`` days before now."""
    from datetime import UTC, datetime

    from tests.training.field.laptops import START

    return (datetime.now(UTC) - START).days - days


def test_three_laptops_one_with_longer_petals_recommend_checking_that_laptop(
    mlflow_server: MlflowServer, champion: str, tmp_path: Path
) -> None:
    experiment = f"three-laptops-{uuid.uuid4().hex[:8]}"
    recent = _days_ago(10)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("IRIS_FIELD_HOME", str(tmp_path / "home"))
        # The field: 220 observations, the 100 of one laptop with petals 1 cm longer.
        laptops = {"laptop-a": (60, 0.0), "laptop-b": (60, 0.0), "laptop-c": (100, 1.0)}
        for k, (device, (count, shift)) in enumerate(laptops.items()):
            history = tmp_path / f"{device}.sqlite3"
            observations = iris_observations(
                count, seed=20 + k, observer=f"Botanist {k}", shift_petals_cm=shift, start_day=recent
            )
            save(history, observations)
            sync(history, mlflow_server.url, experiment, device)

    code, stdout = run_monitor(mlflow_server.url, experiment, tmp_path / "report", "--since", "2000-01-01")

    assert code == field_monitor.EXIT_RETRAIN, stdout
    first, why = stdout.splitlines()[:2]
    assert "check how laptop-c (observer Botanist 2) measured" in first
    assert (
        "laptop-c (observer Botanist 2): petal length " in why
        and "cm longer than in training (KS p = " in why
    )
    assert "laptop-a:" not in why and "laptop-b:" not in why
    summary = json.loads((tmp_path / "report" / "summary.json").read_text(encoding="utf-8"))
    assert "check-measurements" in summary["actions"]
    report = (tmp_path / "report" / "report.html").read_text(encoding="utf-8")
    assert report.index("What to do:") < report.index("Headline figures")
    assert "champion (iris-classifier version)" in report and "made_at" not in report


def test_a_shift_older_than_30_days_is_healthy_by_default_and_found_with_all(
    mlflow_server: MlflowServer, champion: str, tmp_path: Path
) -> None:
    experiment = f"old-shift-{uuid.uuid4().hex[:8]}"
    history = tmp_path / "history.sqlite3"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("IRIS_FIELD_HOME", str(tmp_path / "home"))
        old = iris_observations(100, seed=31, observer="Dora", shift_petals_cm=1.0, start_day=_days_ago(60))
        new = iris_observations(30, seed=32, observer="Dora", start_day=_days_ago(3))
        save(history, old + new)
        sync(history, mlflow_server.url, experiment, "laptop-dora")

    code, stdout = run_monitor(mlflow_server.url, experiment, tmp_path / "recent", "--since", _recent_date())
    default_code, default_stdout = _monitor_default(mlflow_server.url, experiment, tmp_path / "default")
    all_code, all_stdout = run_monitor(mlflow_server.url, experiment, tmp_path / "all", "--all")

    assert default_code == field_monitor.EXIT_HEALTHY, default_stdout
    assert code == field_monitor.EXIT_HEALTHY, stdout
    assert all_code == field_monitor.EXIT_RETRAIN, all_stdout
    assert "petal length" in all_stdout
    summary = json.loads((tmp_path / "default" / "summary.json").read_text(encoding="utf-8"))
    assert summary["field"]["observations"] == 30


def _recent_date() -> str:
    from datetime import UTC, datetime, timedelta

    return (datetime.now(UTC) - timedelta(days=30)).date().isoformat()


def _monitor_default(url: str, experiment: str, out: Path) -> tuple[int, str]:
    captured = io.StringIO()
    argv = ["--tracking-uri", url, "--experiment", experiment, "--out", str(out)]
    return field_monitor.main(argv, out=captured), captured.getvalue()


def test_a_challenger_better_on_40_paired_confirmations_gives_promote(
    mlflow_server: MlflowServer, champion: str, tmp_path: Path
) -> None:
    from dataclasses import replace

    from tests.training.field.laptops import CHALLENGER, confirm, mispredicted, shadow
    from training.monitor.challenger_test import mcnemar_exact

    experiment = f"challenger-{uuid.uuid4().hex[:8]}"
    history = tmp_path / "history.sqlite3"
    flowers = iris_observations(40, seed=41, observer="Elif", start_day=_days_ago(5))
    truth = {o.id: o.predicted_species for o in flowers}
    other = {c: CLASSES[(CLASSES.index(c) + 1) % 3] for c in CLASSES}
    # The challenger, in shadow, names all 40 right; the champion gets 10 of them wrong.
    observations = [
        replace(mispredicted(o, other[truth[o.id]]) if i % 4 == 0 else o, challenger=shadow(truth[o.id]))
        for i, o in enumerate(flowers)
    ]
    with pytest.MonkeyPatch.context() as env:
        env.setenv("IRIS_FIELD_HOME", str(tmp_path / "home"))
        save(history, observations)
        confirm(history, truth)  # a botanist confirmed every one
        sync(history, mlflow_server.url, experiment, "laptop-elif")

    code, stdout = _monitor_default(mlflow_server.url, experiment, tmp_path / "report")

    assert code == field_monitor.EXIT_RETRAIN, stdout
    label = (
        f"{CHALLENGER.name} v{CHALLENGER.version} (release {CHALLENGER.sequence} of {CHALLENGER.registry})"
    )
    summary = json.loads((tmp_path / "report" / "summary.json").read_text(encoding="utf-8"))
    [paired] = summary["challengers"]
    assert paired["release"] == label and paired["advice"] == "promote"
    assert (paired["rows"], paired["champion_correct"], paired["challenger_correct"]) == (40, 30, 40)
    assert (paired["champion_only"], paired["challenger_only"]) == (0, 10)  # only the challenger right
    assert paired["p_value"] == mcnemar_exact(0, 10) == 2 * 0.5**10  # exact McNemar
    assert "promote-challenger" in summary["actions"]
    assert f"promote the {CHALLENGER.name} v{CHALLENGER.version} challenger" in stdout.splitlines()[0]
    assert f"challenger {label}: 40/40 right against the champion's 30/40" in stdout
