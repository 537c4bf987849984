"""What lands in MLflow (real server): one finished run per observation; edits, deletions, adoption."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from datetime import datetime
from pathlib import Path

import pytest

from desktop.store import ObservationStore
from desktop.sync.experiment_view import DESCRIPTION
from desktop.sync.problems import SyncProblem
from desktop.sync.retry import RetryPolicy
from desktop.sync.row_failure import failure_english, read_failure
from desktop.sync.target import SyncOptions, SyncTarget
from desktop.sync.worker import SyncReport, SyncWorker
from tests.mlflow_test_server import MlflowServer, experiment_id, rest
from tests.sync.history_factory import fill_history, make_observation
from tests.sync.server.exactly_once import assert_exactly_once
from tests.sync.server.fault_tools import leave_in_creating

pytestmark = pytest.mark.server

QUICK = SyncOptions(settle_seconds=0.5, policy=RetryPolicy(base_seconds=0.2, cap_seconds=2.0))


def sync(db_path: Path, server: MlflowServer, experiment: str, **options: object) -> SyncReport:
    target = SyncTarget(server.url, experiment, device_name="field-laptop-7")
    return SyncWorker(db_path, target, QUICK).run_pass(patience=30, **options)  # type: ignore[arg-type]


def artifact(server: MlflowServer, experiment: str, run_id: str) -> dict:
    exp_id = experiment_id(server.url, experiment)
    url = f"{server.url}/api/2.0/mlflow-artifacts/artifacts/{exp_id}/{run_id}/artifacts/observation.json"
    with urllib.request.urlopen(url, timeout=30) as answer:
        return json.loads(answer.read())


def metric_history(server: MlflowServer, run_id: str, key: str) -> list[dict]:
    return rest(server.url, f"metrics/get-history?run_id={run_id}&metric_key={key}").get("metrics", [])


def test_every_observation_lands_once_as_a_finished_run_with_its_time_values_and_tags(
    each_store_server: MlflowServer, db_path: Path, experiment_name: str
) -> None:
    observations = fill_history(db_path, 25)

    report = sync(db_path, each_store_server, experiment_name)

    assert report.complete and report.synced_now == 25
    assert_exactly_once(each_store_server, experiment_name, observations)
    by_observation = {r.tags["observation_id"]: r for r in each_store_server.list_runs(experiment_name)}
    for obs in observations:
        run = by_observation[obs.id]
        assert run.start_time == int(datetime.fromisoformat(obs.created_at).timestamp() * 1000)
        assert run.metrics["confidence"] == pytest.approx(obs.confidence)
        assert run.metrics["probability.setosa"] == pytest.approx(obs.probabilities["setosa"])
        assert run.tags["predicted_species"] == obs.predicted_species
        assert run.tags["device"] == "field-laptop-7"
        assert run.tags["observer"] == "Ada"
        assert run.tags["model_sha256"] == obs.model_sha256
    with ObservationStore.open(db_path) as store:
        assert store.counts()["synced"] == 25


def test_metrics_carry_the_observation_time_and_step_zero(
    mlflow_server: MlflowServer, db_path: Path, experiment_name: str
) -> None:
    [obs] = fill_history(db_path, 1)
    sync(db_path, mlflow_server, experiment_name)
    [run] = mlflow_server.list_runs(experiment_name)
    [point] = metric_history(mlflow_server, run.run_id, "confidence")
    assert int(point["timestamp"]) == run.start_time and int(point.get("step", 0)) == 0


def test_a_long_note_is_shortened_in_its_tag_and_whole_in_observation_json(
    mlflow_server: MlflowServer, db_path: Path, experiment_name: str
) -> None:
    note = ("Three plants by the creek, leaves spotted; " * 40).strip()
    obs = make_observation(note=note, location="Ridge 4", confirmed_species="versicolor")
    with ObservationStore.open(db_path) as store:
        store.add(obs)

    assert sync(db_path, mlflow_server, experiment_name).complete

    [run] = mlflow_server.list_runs(experiment_name)
    assert len(run.tags["note"]) == 250 and run.tags["note"].endswith("…")
    assert run.tags["confirmed_species"] == "versicolor"
    document = artifact(mlflow_server, experiment_name, run.run_id)
    assert document["note"] == note and document["observation_id"] == obs.id


def test_running_sync_again_sends_nothing_new(
    mlflow_server: MlflowServer, db_path: Path, experiment_name: str
) -> None:
    observations = fill_history(db_path, 6)
    assert sync(db_path, mlflow_server, experiment_name).synced_now == 6
    again = sync(db_path, mlflow_server, experiment_name)
    assert again.complete and again.synced_now == 0 and again.total_synced == 6
    assert_exactly_once(mlflow_server, experiment_name, observations)


def test_local_edits_update_the_tags_of_the_existing_run(
    mlflow_server: MlflowServer, db_path: Path, experiment_name: str
) -> None:
    first, second = fill_history(db_path, 2)
    sync(db_path, mlflow_server, experiment_name)
    run_ids = {r.tags["observation_id"]: r.run_id for r in mlflow_server.list_runs(experiment_name)}
    with ObservationStore.open(db_path) as store:
        store.confirm_species(first.id, "virginica")
        store.set_note(second.id, "flower was wilted")

    report = sync(db_path, mlflow_server, experiment_name)

    assert report.complete and report.updated_now == 2 and report.synced_now == 0
    runs = {r.tags["observation_id"]: r for r in mlflow_server.list_runs(experiment_name)}
    assert {oid: r.run_id for oid, r in runs.items()} == run_ids
    assert runs[first.id].tags["confirmed_species"] == "virginica"
    assert runs[first.id].tags["species"] == "virginica"
    assert runs[first.id].tags["mlflow.runName"] == "virginica (confirmed; predicted setosa)"  # renamed
    assert runs[second.id].tags["note"] == "flower was wilted"
    assert artifact(mlflow_server, experiment_name, run_ids[second.id])["note"] == "flower was wilted"

    with ObservationStore.open(db_path) as store:
        store.confirm_species(first.id, None)
    assert sync(db_path, mlflow_server, experiment_name).updated_now == 1
    [run] = mlflow_server.runs_by_tag(experiment_name, "observation_id", first.id)
    assert "confirmed_species" not in run.tags
    assert run.tags["mlflow.runName"] == "setosa (predicted)" and run.tags["species"] == "setosa"


def experiment_tags(server: MlflowServer, name: str) -> dict[str, str]:
    query = urllib.parse.urlencode({"experiment_name": name})
    found = rest(server.url, f"experiments/get-by-name?{query}")["experiment"]
    return {t["key"]: t["value"] for t in found.get("tags", [])}


def test_the_experiment_says_what_a_run_is_and_opens_as_model_training(
    mlflow_server: MlflowServer, db_path: Path, experiment_name: str
) -> None:
    fill_history(db_path, 1)
    sync(db_path, mlflow_server, experiment_name)
    tags = experiment_tags(mlflow_server, experiment_name)
    assert tags["mlflow.note.content"] == DESCRIPTION
    assert tags["mlflow.experimentKind"] == "custom_model_development"


def test_an_experiment_the_lab_created_gets_the_description_but_a_lab_written_one_is_kept(
    mlflow_server: MlflowServer, db_path: Path, experiment_name: str
) -> None:
    bare = rest(mlflow_server.url, "experiments/create", {"name": experiment_name})["experiment_id"]
    described = rest(mlflow_server.url, "experiments/create", {"name": experiment_name + "-described"})
    note = {
        "experiment_id": described["experiment_id"],
        "key": "mlflow.note.content",
        "value": "Our own words",
    }
    rest(mlflow_server.url, "experiments/set-experiment-tag", note)
    fill_history(db_path, 1)

    sync(db_path, mlflow_server, experiment_name)
    sync(db_path, mlflow_server, experiment_name + "-described", release_bindings=True)

    assert experiment_tags(mlflow_server, experiment_name)["mlflow.note.content"] == DESCRIPTION
    assert experiment_id(mlflow_server.url, experiment_name) == bare
    assert (
        experiment_tags(mlflow_server, experiment_name + "-described")["mlflow.note.content"]
        == "Our own words"
    )


def test_deleting_locally_never_deletes_on_the_server_and_an_unsent_deleted_one_is_never_sent(
    mlflow_server: MlflowServer, db_path: Path, experiment_name: str
) -> None:
    sent, unsent = fill_history(db_path, 2)
    with ObservationStore.open(db_path) as store:
        store.delete(unsent.id)
    assert sync(db_path, mlflow_server, experiment_name).complete
    with ObservationStore.open(db_path) as store:
        store.delete(sent.id)

    report = sync(db_path, mlflow_server, experiment_name)

    assert report.complete
    assert_exactly_once(mlflow_server, experiment_name, [sent])


def test_a_run_deleted_on_the_server_is_reported_and_not_recreated(
    mlflow_server: MlflowServer, db_path: Path, experiment_name: str
) -> None:
    kept, victim = fill_history(db_path, 2)
    sync(db_path, mlflow_server, experiment_name)
    [run] = mlflow_server.runs_by_tag(experiment_name, "observation_id", victim.id)
    rest(mlflow_server.url, "runs/delete", {"run_id": run.run_id})
    with ObservationStore.open(db_path) as store:
        store.set_note(victim.id, "edited after the lab deleted its run")

    report = sync(db_path, mlflow_server, experiment_name)

    assert not report.complete and report.unsynced == 1
    assert [oid for oid, _ in report.failed] == [victim.id]
    assert read_failure(report.failed[0][1]).problem is SyncProblem.RUN_DELETED  # stored as kind and facts
    assert "deleted on the MLflow server" in failure_english(report.failed[0][1])
    runs = mlflow_server.runs_by_tag(experiment_name, "observation_id", victim.id)
    assert [r.lifecycle_stage for r in runs] == ["deleted"]
    with ObservationStore.open(db_path) as store:
        row = store.get(victim.id)
        assert row is not None and row.sync_state == "failed" and "deleted" in failure_english(row.sync_error)
    # Retrying on request does not bring it back either.
    assert sync(db_path, mlflow_server, experiment_name, retry_failed=True).unsynced == 1
    assert len(mlflow_server.runs_by_tag(experiment_name, "observation_id", victim.id)) == 1


def test_a_run_created_before_a_crash_is_found_adopted_and_completed_not_recreated(
    mlflow_server: MlflowServer, db_path: Path, experiment_name: str
) -> None:
    [obs] = fill_history(db_path, 1)
    exp_id = leave_in_creating(db_path, mlflow_server, experiment_name, obs.id)
    # The create the crashed worker sent did arrive: a run, still RUNNING, with only its identity.
    orphan = rest(
        mlflow_server.url,
        "runs/create",
        {"experiment_id": exp_id, "start_time": 1, "tags": [{"key": "observation_id", "value": obs.id}]},
    )["run"]["info"]["run_id"]

    report = sync(db_path, mlflow_server, experiment_name)

    assert report.complete and report.synced_now == 1
    assert_exactly_once(mlflow_server, experiment_name, [obs])
    [run] = mlflow_server.list_runs(experiment_name)
    assert run.run_id == orphan


def test_a_create_that_never_arrived_is_sent_after_the_search_finds_nothing(
    mlflow_server: MlflowServer, db_path: Path, experiment_name: str
) -> None:
    [obs] = fill_history(db_path, 1)
    leave_in_creating(db_path, mlflow_server, experiment_name, obs.id)
    assert sync(db_path, mlflow_server, experiment_name).complete
    assert_exactly_once(mlflow_server, experiment_name, [obs])


def test_a_deleted_run_found_for_an_unanswered_create_is_reported_not_recreated(
    mlflow_server: MlflowServer, db_path: Path, experiment_name: str
) -> None:
    [obs] = fill_history(db_path, 1)
    exp_id = leave_in_creating(db_path, mlflow_server, experiment_name, obs.id)
    body = {"experiment_id": exp_id, "start_time": 1, "tags": [{"key": "observation_id", "value": obs.id}]}
    orphan = rest(mlflow_server.url, "runs/create", body)["run"]["info"]["run_id"]
    rest(mlflow_server.url, "runs/delete", {"run_id": orphan})

    report = sync(db_path, mlflow_server, experiment_name)

    assert [oid for oid, _ in report.failed] == [obs.id]
    assert [r.run_id for r in mlflow_server.list_runs(experiment_name)] == [orphan]


def test_observations_bound_to_another_experiment_wait_for_an_explicit_decision_and_are_never_duplicated(
    mlflow_server: MlflowServer, db_path: Path, experiment_name: str
) -> None:
    observations = fill_history(db_path, 4)
    first, second = experiment_name + "-a", experiment_name + "-b"
    assert sync(db_path, mlflow_server, first).complete
    newer = fill_history(db_path, 1, start=100)

    untouched = sync(db_path, mlflow_server, second)
    assert untouched.synced_now == 1  # never sent anywhere: goes to the current target
    assert len(mlflow_server.list_runs(second)) == 1

    moved = sync(db_path, mlflow_server, second, release_bindings=True)
    assert moved.complete and moved.synced_now == 5  # four created there, one found there and adopted
    assert_exactly_once(mlflow_server, second, observations + newer)
    # Going back: every run in the first experiment is found again, none is created twice.
    back = sync(db_path, mlflow_server, first, release_bindings=True)
    assert back.complete
    assert_exactly_once(mlflow_server, first, observations + newer)
