"""Specification of the device signature on every synced run: what it covers, and what stays free."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from contract import observation as fields
from desktop.model_delivery.signing import fingerprint_of
from desktop.signing import observation_signature as sig
from desktop.signing.observation_signature import SealState
from desktop.sync.run_record import RunRecord, build_run_record
from tests.sync.history_factory import make_observation

KEY = Ed25519PrivateKey.generate()


def signed_record(**changes: object) -> RunRecord:
    obs = make_observation(4, location="Meadow 2", latitude=47.1, longitude=8.2, note="by the brook")
    return build_run_record(replace(obs, **changes), device="laptop-ada").signed(KEY)


def seal(record: RunRecord, *, params=None, metrics=None, tags=None) -> sig.Seal:
    """Check the run as the lab reads it back: params and tags as text, metrics as numbers."""
    return sig.seal_of(
        dict(record.params) | (params or {}),
        {m.key: m.value for m in record.metrics} | (metrics or {}),
        record.tag_dict | (tags or {}),
    )


def test_a_signed_run_carries_version_fingerprint_public_key_and_signature() -> None:
    tags = signed_record().tag_dict
    assert tags[sig.SIGNATURE_VERSION_TAG] == "1"
    assert tags[sig.SIGNATURE_KEY_TAG] == fingerprint_of(KEY.public_key())
    assert tags[sig.SIGNATURE_PUBLIC_KEY_TAG] == sig.public_key_text(KEY.public_key())
    assert all(len(tags[name]) <= 250 for name in sig.SIGNATURE_TAGS)
    found = seal(signed_record())
    assert found == sig.Seal(
        SealState.INTACT, "laptop-ada", tags[sig.SIGNATURE_PUBLIC_KEY_TAG], tags[sig.SIGNATURE_KEY_TAG]
    )


@pytest.mark.parametrize(
    ("where", "key", "value"),
    [
        ("tags", fields.CONFIRMED_SPECIES.key, "virginica"),
        ("tags", fields.PREDICTED_SPECIES.key, "virginica"),
        ("tags", fields.OUTLIER.key, "true"),
        ("tags", "unusual.petal_width", "true"),
        ("tags", fields.OBSERVER.key, "Mallory"),
        ("tags", fields.DEVICE.key, "laptop-ben"),
        ("tags", fields.OBSERVED_AT.key, "2026-05-02T09:00:00+00:00"),
        ("tags", fields.LOCATION.key, "Meadow 3"),
        ("tags", fields.LATITUDE.key, "47.2"),
        ("tags", fields.NOTE.key, "edited"),
        ("tags", fields.MODEL_VERSION.key, "2"),
        ("tags", fields.MODEL_SHA256.key, "cd" * 32),
        ("tags", fields.OBSERVATION_ID.key, "another-id"),
        ("params", "petal_width", "2.4"),
        ("params", "extra", "1.0"),
        ("metrics", "confidence", 0.5),
        ("metrics", "probability.setosa", 0.5),
    ],
)
def test_any_change_to_a_signed_field_breaks_the_seal(where: str, key: str, value: object) -> None:
    assert seal(signed_record(), **{where: {key: value}}).state is SealState.BROKEN


def test_tags_the_lab_adds_and_fields_outside_the_signature_stay_free() -> None:
    record = signed_record()
    free_tags = {
        "reviewed_by": "Dr. Iris",
        "mlflow.runName": "renamed",
        "species": "virginica",  # derived from the confirmed and predicted species: not signed itself
        "app_version": "9",
    }
    free_metrics = {"synced_at": 1.0, "challenger_probability.setosa": 0.1, "lab_score": 3.0}
    assert seal(record, tags=free_tags, metrics=free_metrics).state is SealState.INTACT


def test_a_signed_field_removed_or_added_breaks_the_seal() -> None:
    record = signed_record(confirmed_species="setosa")
    without = record.tag_dict
    del without[fields.CONFIRMED_SPECIES.key]
    found = sig.seal_of(dict(record.params), {m.key: m.value for m in record.metrics}, without)
    assert found.state is SealState.BROKEN
    assert seal(signed_record(), tags={fields.CONFIRMED_SPECIES.key: "setosa"}).state is SealState.BROKEN


def test_a_run_without_signature_tags_is_unsigned_and_a_damaged_one_broken() -> None:
    plain = build_run_record(make_observation(1), device="d")
    assert not set(sig.SIGNATURE_TAGS) & set(plain.tag_dict)
    assert seal(plain).state is SealState.ABSENT
    record = signed_record()
    assert seal(record, tags={sig.SIGNATURE_VALUE_TAG: "not base64!"}).state is SealState.BROKEN
    assert seal(record, tags={sig.SIGNATURE_PUBLIC_KEY_TAG: "AAAA"}).state is SealState.BROKEN
    assert seal(record, tags={sig.SIGNATURE_VERSION_TAG: "2"}).state is SealState.BROKEN
    assert seal(record, tags={sig.SIGNATURE_KEY_TAG: "0" * 16}).state is SealState.BROKEN
    assert seal(record, metrics={"confidence": float("nan")}).state is SealState.BROKEN


def test_another_key_resigning_changed_fields_is_intact_but_names_its_own_key() -> None:
    """The seal says only that the fields match the key on the run; trusting that key is the lab's call."""
    forger = Ed25519PrivateKey.generate()
    record = build_run_record(
        replace(make_observation(4), confirmed_species="virginica"), device="laptop-ada"
    ).signed(forger)
    found = seal(record)
    assert found.state is SealState.INTACT and found.public_key == sig.public_key_text(forger.public_key())


def test_the_signed_document_is_versioned_sorted_compact_json_of_the_values_as_sent() -> None:
    record = signed_record(note="ä" * 300)
    params, tags = dict(record.params), record.tag_dict
    metrics = {m.key: m.value for m in record.metrics}
    text = sig.canonical_bytes(params, metrics, tags).decode("utf-8")
    document = json.loads(text)
    assert text == json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert document["version"] == sig.SIGNATURE_VERSION
    assert document["tags"][fields.NOTE.key] == tags[fields.NOTE.key] and len(tags[fields.NOTE.key]) == 250
    assert set(document["metrics"]) == {"confidence", *(k for k in metrics if k.startswith("probability."))}
    assert "synced_at" not in document["metrics"] and "species" not in document["tags"]
    assert {k for k in tags if k.startswith("unusual.")} <= set(document["tags"])


def test_an_edit_re_signs_the_edit_tags() -> None:
    obs = make_observation(4)
    before = build_run_record(obs, device="laptop-ada").signed(KEY)
    corrected = replace(obs, confirmed_species="virginica", note="corrected")
    after = build_run_record(corrected, device="laptop-ada").signed(KEY)
    edit = dict(after.edit_tags)
    assert edit[sig.SIGNATURE_VALUE_TAG] != before.tag_dict[sig.SIGNATURE_VALUE_TAG]
    on_server = before.tag_dict | edit
    assert seal(before, tags=on_server).state is SealState.INTACT


def test_every_key_of_a_signed_run_is_declared_in_the_contract() -> None:
    from tests.contract.test_contract import _declared

    assert all(_declared(key) for key in signed_record().tag_dict)
