"""The window names the model that predicts, takes a signed model file, and can go back to the previous."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from desktop.history.store import ObservationStore
from desktop.model_delivery.model_store import ModelStore, Role
from desktop.model_delivery.trusted_keys import trust_key_file
from tests.desktop.model_delivery.release_factory import Lab, bundle_bytes
from tests.desktop.ui.test_history_panel import save

SETOSA = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}


@pytest.fixture
def lab(iris_home: Path, tmp_path: Path) -> Lab:
    lab = Lab.new()
    trust_key_file(lab.write_public_key(tmp_path / "keys"))
    return lab


def model_text(window) -> str:
    return window.model_controller.describe(window.model_controller.active)


def release_file(tmp_path: Path, files: dict[str, bytes], name: str) -> str:
    path = tmp_path / name
    path.write_bytes(bundle_bytes(files))
    return str(path)


def test_the_status_bar_names_the_bundled_model_and_its_release_date(window) -> None:
    labels = [label.text() for label in window.statusBar().findChildren(type(window.history.empty))]
    assert "Model iris-classifier v1 (champion) · released 11/30/26" in labels


def test_an_installed_release_predicts_is_announced_without_blocking_and_is_saved_with_each_observation(
    window, lab, tmp_path, shown_boxes
) -> None:
    window.model_controller.install_file(release_file(tmp_path, lab.release(1, version="2"), "v2.irismodel"))
    (note,) = shown_boxes(window)
    assert not note.isModal()
    assert note.text().startswith("New model v2 from the lab: cross-validated accuracy 95%")
    assert "replaces the model Iris Field was installed with" in note.text()
    assert model_text(window).startswith("Model iris-classifier v2 (champion)")
    save(window, SETOSA)
    with ObservationStore.open() as store:
        (saved,) = store.list()
    assert (saved.model_registry, saved.model_version, saved.model_sequence) == (lab.registry, "2", 1)


def test_a_refused_model_file_is_explained_and_the_model_stays(window, lab, tmp_path, shown_boxes) -> None:
    stranger = Lab.new(lab.registry)
    window.model_controller.install_file(release_file(tmp_path, stranger.release(1), "odd.irismodel"))
    (box,) = shown_boxes(window)
    assert box.windowTitle() == "The model file was not installed"
    assert "does not trust" in box.text() and box.informativeText() == "The model in use stays as it was."
    assert model_text(window).startswith("Model iris-classifier v1")


def test_help_model_shows_the_card_and_goes_back_to_the_previous_model(window, lab, tmp_path) -> None:
    window.model_controller.install_file(release_file(tmp_path, lab.release(1, version="2"), "v2.irismodel"))
    for box in window.findChildren(QMessageBox):
        box.close()
    dialog = window.model_controller.show_model()
    assert dialog.rows["Registry"] == lab.registry
    assert dialog.rows["Signed by key"] == lab.public.fingerprint
    assert dialog.use_previous.isEnabled()
    dialog.use_previous.click()
    assert model_text(window).startswith("Model iris-classifier v1")
    assert ModelStore().load_active().origin == "bundled"


def test_the_challenger_answers_in_shadow_on_every_save(open_window, lab) -> None:
    store = ModelStore()
    store.install(lab.release(1, version="2"), trusted=lab.trusted)
    store.install(lab.release(2, version="4", alias="challenger"), Role.CHALLENGER, trusted=lab.trusted)
    window = open_window()
    save(window, SETOSA)
    with ObservationStore.open() as history:
        (saved,) = history.list()
    assert saved.model_version == "2"
    assert saved.challenger is not None and saved.challenger.stamp.version == "4"
    assert saved.challenger.species == "setosa"


def test_the_window_says_when_the_labs_confirmation_is_older_than_the_card_allows(
    window, lab, tmp_path
) -> None:
    from datetime import UTC, datetime, timedelta

    window.model_controller.install_file(release_file(tmp_path, lab.release(1, version="2"), "v2.irismodel"))
    for box in window.findChildren(QMessageBox):
        box.close()
    controller = window.model_controller
    signed = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)  # the release's signed_at
    controller.clock = lambda: signed + timedelta(days=12)
    assert "confirmed" not in model_text(window)
    dialog = controller.show_model()
    assert dialog.rows["Confirmed by the lab"] == "12 days ago (11/30/26)" and dialog.stale_note is None
    dialog.close()

    controller.clock = lambda: signed + timedelta(days=91)  # an offline laptop, three months on
    controller._use(controller.active)
    assert model_text(window).endswith(" · ⚠ confirmed 91 days ago")
    labels = [label.text() for label in window.statusBar().findChildren(type(window.history.empty))]
    assert any(text.endswith("⚠ confirmed 91 days ago") for text in labels), labels
    dialog = controller.show_model()
    assert "longer ago than the 90 days its card allows" in dialog.stale_note.text()
    assert "It still predicts" in dialog.stale_note.text()
    save(window, SETOSA)  # and it does
    with ObservationStore.open() as store:
        (saved,) = store.list()
    assert saved.model_version == "2"


def test_a_key_rotation_file_is_taken_in_the_window(window, iris_home, tmp_path, shown_boxes) -> None:
    from training.release import keys

    keys.generate(tmp_path / "old")
    trust_key_file(tmp_path / "old" / keys.PUBLIC_KEY_FILENAME)
    rotated = keys.rotate(tmp_path / "old" / keys.PRIVATE_KEY_FILENAME, tmp_path / "new")
    window.model_controller.install_file(str(rotated.statement_path))
    (note,) = shown_boxes(window)
    assert note.text().startswith(
        f"The lab replaced its signing key {rotated.old_fingerprint} by {rotated.pair.fingerprint}"
    )


def test_help_model_shows_why_the_lab_shipped_a_model_its_gate_did_not_pass(window, lab, tmp_path) -> None:
    from contract.card import CardField, GateVerdict

    reason = "field trial of a one-tree model, agreed by the lab on 2026-12-06"

    def unvetted(card: dict) -> None:
        card[CardField.GATE.value] = GateVerdict.REFUSED.value
        card[CardField.UNVETTED_REASON.value] = reason

    window.model_controller.install_file(
        release_file(tmp_path, lab.release(1, version="3", edit=unvetted), "v3.irismodel")
    )
    for box in window.findChildren(QMessageBox):
        box.close()
    dialog = window.model_controller.show_model()
    assert dialog.rows["Model"].startswith("iris-classifier v3")
    assert dialog.unvetted_note is not None and dialog.unvetted_note.isVisibleTo(dialog)
    assert dialog.unvetted_note.text() == (
        f"Not passed by the lab's quality gate; the lab shipped it because: {reason}"
    )
    dialog.close()

    dialog = window.model_controller.show_model()
    dialog.use_previous.click()  # the bundled model passed its gate: no such note
    assert window.model_controller.show_model().unvetted_note is None
