"""Specification of what one observation becomes in MLflow."""

import json
from dataclasses import replace
from datetime import datetime

from desktop.sync.run_record import (
    OBSERVATION_ID_TAG,
    RUN_NAME_TAG,
    SYNCED_AT_METRIC,
    build_run_record,
    milliseconds,
    safe_key,
)
from tests.sync.history_factory import make_observation


def test_the_run_starts_at_the_observation_time_in_milliseconds() -> None:
    obs = make_observation(3)
    record = build_run_record(obs, device="d")
    assert record.start_time == int(datetime.fromisoformat(obs.created_at).timestamp() * 1000)
    assert milliseconds("2026-05-01T09:00:00+00:00") == 1777626000000


def test_params_are_the_measurements_and_metrics_the_probabilities_and_confidence() -> None:
    obs = make_observation(1)
    record = build_run_record(obs, device="d")
    assert dict(record.params) == {k: repr(v) for k, v in obs.measurements.items()}
    metrics = {m.key: m for m in record.metrics}
    assert set(metrics) == {
        "probability.setosa",
        "probability.versicolor",
        "probability.virginica",
        "confidence",
        SYNCED_AT_METRIC,
    }
    assert metrics["confidence"].value == obs.confidence


def test_metrics_carry_the_observation_time_and_step_zero_so_a_resend_is_identical() -> None:
    record = build_run_record(make_observation(2), device="d")
    measured = [m for m in record.metrics if m.key != SYNCED_AT_METRIC]
    assert {(m.timestamp, m.step) for m in measured} == {(record.start_time, 0)}


def test_synced_at_says_when_the_laptop_sent_the_record() -> None:
    record = build_run_record(make_observation(2), device="d", sent_at=1_800_000_000_123)
    assert record.synced_at.value == 1_800_000_000_123 and record.synced_at.timestamp == 1_800_000_000_123


def test_the_run_name_says_the_species_and_whether_a_botanist_confirmed_it() -> None:
    predicted = build_run_record(make_observation(), device="d")
    agreed = build_run_record(make_observation(confirmed_species="setosa"), device="d")
    corrected = build_run_record(make_observation(confirmed_species="virginica"), device="d")
    assert predicted.run_name == "setosa (predicted)"
    assert agreed.run_name == "setosa (confirmed)"
    assert corrected.run_name == "virginica (confirmed; predicted setosa)"
    assert dict(corrected.edit_tags)[RUN_NAME_TAG] == corrected.run_name  # an edit renames the run


def test_the_species_tag_is_the_confirmed_species_else_the_prediction() -> None:
    assert build_run_record(make_observation(), device="d").tag_dict["species"] == "setosa"
    corrected = make_observation(confirmed_species="virginica")
    assert build_run_record(corrected, device="d").tag_dict["species"] == "virginica"


def test_the_observation_id_is_the_first_tag_so_it_travels_in_the_create_request() -> None:
    obs = make_observation()
    record = build_run_record(obs, device="laptop")
    assert record.tags[0] == (OBSERVATION_ID_TAG, obs.id)
    tags = record.tag_dict
    assert tags["device"] == "laptop" and tags["predicted_species"] == "setosa"
    assert "confirmed_species" not in tags
    assert OBSERVATION_ID_TAG not in dict(record.edit_tags)


def test_confirmed_species_location_and_unusual_flags_become_tags() -> None:
    obs = make_observation(confirmed_species="versicolor", location="Ridge 4", unusual=("petal_width",))
    tags = build_run_record(obs, device="d").tag_dict
    assert tags["confirmed_species"] == "versicolor"
    assert tags["location"] == "Ridge 4"
    assert tags["unusual.petal_width"] == "true" and tags["unusual.sepal_length"] == "false"


def test_a_long_note_is_shortened_in_the_tag_and_kept_whole_in_observation_json() -> None:
    note = "Growing by the creek, " * 100
    obs = make_observation(note=note.strip())
    record = build_run_record(obs, device="d")
    assert len(record.tag_dict["note"]) == 250 and record.tag_dict["note"].endswith("…")
    document = json.loads(record.artifact)
    assert document["note"] == note.strip()
    assert document["observation_id"] == obs.id
    assert document["measurements_cm"] == obs.measurements


def test_unsafe_characters_in_names_are_replaced_in_keys() -> None:
    assert safe_key("petal width (cm)") == "petal width _cm_"
    obs = replace(make_observation(), measurements={"petal width (cm)": 1.5})
    assert dict(build_run_record(obs, device="d").params) == {"petal width _cm_": "1.5"}


def test_observation_json_is_needed_only_when_a_text_was_shortened_for_its_tag() -> None:
    assert not build_run_record(make_observation(note="short"), device="d").artifact_needed
    assert build_run_record(make_observation(note="x" * 300), device="d").artifact_needed
    assert build_run_record(make_observation(location="y" * 251), device="d").artifact_needed
