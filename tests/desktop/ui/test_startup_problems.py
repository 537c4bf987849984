"""A broken model or history at start-up: a dialog in plain words, and a window that stays useful."""

import hashlib
import json
from pathlib import Path

import pytest

from desktop.inference import Classifier
from desktop.model_card import CARD_FILENAME
from desktop.store import Observation, ObservationStore


def flip_a_byte(model: Path) -> None:
    data = bytearray(model.read_bytes())
    data[len(data) // 2] ^= 0xFF
    model.write_bytes(bytes(data))


def garbage_with_a_matching_card(model: Path) -> None:
    data = b"this is not an ONNX model" * 10
    model.write_bytes(data)
    card_path = model.with_name(CARD_FILENAME)
    card = json.loads(card_path.read_text(encoding="utf-8"))
    card["sha256"] = hashlib.sha256(data).hexdigest()
    card_path.write_text(json.dumps(card), encoding="utf-8")


@pytest.mark.parametrize(
    ("damage", "named_problem"),
    [(flip_a_byte, "does not match its card"), (garbage_with_a_matching_card, "is not a usable ONNX model")],
)
def test_a_corrupt_model_shows_an_error_dialog_and_the_history_stays_browsable(
    open_window, shown_boxes, model_copy: Path, iris_home: Path, damage, named_problem: str
) -> None:
    good = Classifier.load(model_copy)
    with ObservationStore.open() as store:
        store.add(Observation.from_prediction(good.predict([5.1, 3.5, 1.4, 0.2]), good.card, note="before"))
    model = model_copy / "iris.onnx"
    damage(model)

    window = open_window(model_path=model)

    (box,) = shown_boxes(window)
    assert box.windowTitle() == "The model could not be loaded"
    assert str(model) in box.informativeText()
    assert named_problem in box.informativeText()
    assert window.classifier is None and window.measurements is None
    assert not window.save_action.isEnabled()
    assert window.history.model.rowCount() == 1, "saved observations are still listed"
    window.history.select(window.store.list()[0].id)
    assert window.history.delete_action.isEnabled()
    assert not window.history.restore_action.isEnabled(), "there are no sliders to restore into"
    assert "Predictions are switched off" in window.unavailable_notice.text()
    assert named_problem in window.unavailable_notice.text()
    box.accept()
    assert shown_boxes(window) == []


def test_a_damaged_history_is_moved_aside_and_a_new_one_started(
    open_window, shown_boxes, iris_home: Path
) -> None:
    iris_home.mkdir(parents=True, exist_ok=True)
    damaged = iris_home / "observations.sqlite3"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\x13" * 4096)

    window = open_window()

    (box,) = shown_boxes(window)
    assert box.windowTitle() == "The history was damaged"
    assert "moved aside" in box.text()
    kept = list(iris_home.glob("observations.sqlite3.corrupt-*"))
    assert len(kept) == 1 and kept[0].read_bytes().startswith(b"SQLite format 3")
    assert window.save_action.isEnabled()
    window.save_action.trigger()
    assert window.history.model.rowCount() == 1
