"""The model store installs verified releases only, records the active one durably, falls back to bundled."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.model_delivery.errors import NoPreviousModel, Refusal, ReleaseRefused
from desktop.model_delivery.model_store import STAGING_PREFIX, ModelOrigin, ModelStore, Role
from desktop.model_delivery.verification import REFERENCE_TOLERANCE
from tests.desktop.model_delivery.release_factory import ONNX, Lab, bundle_bytes


@pytest.fixture
def lab() -> Lab:
    return Lab.new()


@pytest.fixture
def store(iris_home: Path) -> ModelStore:
    return ModelStore()


def install(store: ModelStore, lab: Lab, files: dict[str, bytes], role: Role = Role.CHAMPION):
    return store.install(files, role, trusted=lab.trusted)


def snapshot(store: ModelStore) -> tuple[str, list[str]]:
    """Return what must not change when a release is refused: the state record and the folder listing."""
    state = store.state_path.read_text() if store.state_path.exists() else ""
    return state, sorted(
        str(p.relative_to(store.root)) for p in store.root.rglob("*")
    ) if store.root.exists() else []


def test_the_bundled_model_predicts_until_a_release_is_installed(store: ModelStore) -> None:
    active = store.load_active()
    assert active.origin is ModelOrigin.BUNDLED
    assert active.note == ""
    assert active.release is not None and active.release.registry == "iris-field-demo"


def test_the_first_release_from_the_labs_registry_replaces_the_bundled_model_and_says_so(store, lab) -> None:
    outcome = install(store, lab, lab.release(1, version="2"))
    assert outcome.replaced_other_registry
    active = store.load_active()
    assert active.origin is ModelOrigin.INSTALLED
    assert (active.stamp.registry, active.stamp.version, active.stamp.sequence) == (lab.registry, "2", 1)
    assert ModelStore().load_active().stamp == active.stamp  # recorded durably: a new process sees it


def test_a_newer_release_from_the_same_registry_replaces_the_installed_one(store, lab) -> None:
    install(store, lab, lab.release(1, version="2"))
    outcome = install(store, lab, lab.release(2, version="3"))
    assert not outcome.replaced_other_registry
    assert outcome.replaced is not None and outcome.replaced.stamp.version == "2"
    assert store.load_active().stamp.version == "3"


def test_a_rollback_is_an_older_version_under_a_new_higher_sequence(store, lab) -> None:
    install(store, lab, lab.release(1, version="2"))
    install(store, lab, lab.release(2, version="3"))
    install(store, lab, lab.release(3, version="2"))
    assert (store.load_active().stamp.version, store.load_active().stamp.sequence) == ("2", 3)


def _other_features(card: dict) -> None:
    card["features"][0]["name"] = "stem_length"


def _other_classes(card: dict) -> None:
    card["classes"] = ["setosa", "versicolor", "germanica"]


def _off_reference(card: dict) -> None:
    card["release"]["reference_rows"][1]["probabilities"][0] += 10 * REFERENCE_TOLERANCE


@pytest.mark.parametrize(
    ("make", "reason", "words"),
    [
        (lambda lab: lab.release(2, signed=False), Refusal.UNSIGNED, "not signed"),
        (lambda lab: Lab.new(lab.registry).release(2), Refusal.UNKNOWN_KEY, "does not trust"),
        (lambda lab: lab.release(2, onnx=Path(__file__).read_bytes()), Refusal.SHA256_MISMATCH, "sha256"),
        (lambda lab: lab.release(2, edit=_other_features), Refusal.WRONG_SCHEMA, "stem_length"),
        (lambda lab: lab.release(2, edit=_other_classes), Refusal.WRONG_SCHEMA, "germanica"),
        (lambda lab: lab.release(2, edit=_off_reference), Refusal.REFERENCE_MISMATCH, "reference"),
    ],
    ids=["unsigned", "unknown-key", "changed-onnx", "other-features", "other-classes", "reference-rows"],
)
def test_a_bad_release_is_refused_in_one_sentence_and_nothing_changes(
    store, lab, make, reason, words
) -> None:
    install(store, lab, lab.release(1, version="2"))
    before = snapshot(store)
    with pytest.raises(ReleaseRefused, match=words) as refused:
        install(store, lab, make(lab))
    assert refused.value.reason is reason
    assert "\n" not in str(refused.value)
    assert snapshot(store) == before
    assert store.load_active().stamp.sequence == 1


@pytest.mark.parametrize("sequence", [1, 2], ids=["older", "same-again"])
def test_a_replayed_release_is_refused_because_its_sequence_is_not_higher(store, lab, sequence) -> None:
    install(store, lab, lab.release(1, version="2"))
    install(store, lab, lab.release(2, version="3"))
    before = snapshot(store)
    with pytest.raises(ReleaseRefused, match="not newer") as refused:
        install(store, lab, lab.release(sequence, version="2"))
    assert refused.value.reason is Refusal.NOT_NEWER
    assert snapshot(store) == before


def test_a_release_cannot_replay_the_bundled_registrys_own_sequence(store) -> None:
    demo = Lab.new("iris-field-demo")  # same registry name as the bundled release (sequence 1)
    with pytest.raises(ReleaseRefused) as refused:
        store.install(demo.release(1), trusted=demo.trusted)
    assert refused.value.reason is Refusal.NOT_NEWER


def test_a_truncated_release_file_is_refused(store, lab, tmp_path: Path) -> None:
    whole = bundle_bytes(lab.release(1))
    path = tmp_path / "cut.irismodel"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ReleaseRefused, match="incomplete") as refused:
        store.install_bundle(path)
    assert refused.value.reason is Refusal.TRUNCATED
    assert store.load_active().origin is ModelOrigin.BUNDLED


def test_use_previous_goes_back_one_release_then_to_the_bundled_model(store, lab) -> None:
    with pytest.raises(NoPreviousModel):
        store.use_previous()
    install(store, lab, lab.release(1, version="2"))
    install(store, lab, lab.release(2, version="3"))
    assert store.use_previous().stamp.version == "2"
    assert store.use_previous().stamp.version == "3"  # the newer one stayed installed: back again


def test_the_challenger_is_kept_apart_from_the_champion(store, lab) -> None:
    install(store, lab, lab.release(1, version="2"))
    install(store, lab, lab.release(2, version="4", alias="challenger"), Role.CHALLENGER)
    assert store.load_active().stamp.version == "2"
    challenger = store.load_challenger()
    assert challenger is not None and challenger.stamp.version == "4"


@pytest.mark.parametrize(
    "damage",
    [
        lambda store: store.state_path.write_text("{not json"),
        lambda store: store.state_path.write_text(json.dumps({"active": "../../etc"})),
        lambda store: next(store.releases.glob(f"*/{ONNX}")).write_bytes(b"garbage"),
        lambda store: [p.unlink() for p in store.releases.glob("*/*")],
    ],
    ids=["state-not-json", "state-escapes", "onnx-damaged", "release-files-gone"],
)
def test_a_damaged_model_store_falls_back_to_the_bundled_model_with_a_note(store, lab, damage) -> None:
    install(store, lab, lab.release(1, version="2"))
    damage(store)
    active = ModelStore().load_active()
    assert active.origin is ModelOrigin.BUNDLED
    assert "bundled model predicts" in active.note
    assert active.fallback is not None  # the same as data, for the window's words
    assert active.classifier.predict([5.1, 3.5, 1.4, 0.2]).species == "setosa"


def test_debris_of_an_install_killed_earlier_is_cleared_at_the_next_start(store, lab) -> None:
    install(store, lab, lab.release(1, version="2"))
    dead_pid = 2**22 + 17  # above Linux's pid_max default of 4194304: no such process
    debris = store.root / f"{STAGING_PREFIX}{dead_pid}-abc"
    debris.mkdir()
    (debris / ONNX).write_bytes(b"half a model")
    reopened = ModelStore()
    assert not debris.exists()
    assert reopened.load_active().stamp.version == "2"
