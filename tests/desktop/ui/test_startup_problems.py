"""A broken model or history at start-up: a dialog in plain words, and a window that stays useful."""

import hashlib
import json
from pathlib import Path

import pytest

from desktop.history.observation import Observation
from desktop.history.store import ObservationStore
from desktop.prediction.engine import Classifier
from desktop.prediction.model_card import CARD_FILENAME


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
    kept = list(iris_home.glob("observations.sqlite3.corrupt-*"))
    assert len(kept) == 1 and kept[0].read_bytes().startswith(b"SQLite format 3")
    assert box.text().startswith(
        f"No observation could be recovered from a damaged history; the original is kept as {kept[0]}."
    )
    window.measurements.set_values({"sepal_length": 5.1})  # a measured flower, not the defaults
    assert window.save_action.isEnabled()
    window.save_action.trigger()
    assert window.history.model.rowCount() == 1


def _damage_pages(path: Path) -> None:
    import sqlite3

    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    data = bytearray(path.read_bytes())
    page = 4096
    data[3 * page : 6 * page] = b"\xff" * (3 * page)
    path.write_bytes(bytes(data))


def test_a_long_history_is_checked_after_the_window_opens_and_moved_aside_at_the_next_start(
    open_window,
    shown_boxes,
    qtbot,
    iris_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import logging

    from desktop.history import opening
    from desktop.ui import app
    from tests.desktop.history.test_queries import varied

    monkeypatch.setattr(opening, "CHECK_AT_OPEN_BYTES", 0)  # every history counts as long here
    monkeypatch.setattr(app, "CHECK_AT_OPEN_BYTES", 0)
    monkeypatch.setattr(app, "INTEGRITY_CHECK_DELAY_MS", 0)
    path = iris_home / "observations.sqlite3"
    with ObservationStore.open(path) as store:
        store.add_many([varied(i) for i in range(200)])
    _damage_pages(path)

    window = open_window()
    qtbot.waitUntil(lambda: bool(shown_boxes(window)))
    (box,) = shown_boxes(window)
    assert box.windowTitle() == "The history was damaged"
    assert "next starts" in box.text()
    assert path.exists(), "nothing is moved while the window uses the file"
    box.close()
    window.close()
    window.store.close()

    with caplog.at_level(logging.INFO, logger="iris_field.ui"):
        second = open_window()
    assert "repairing the history" in caplog.text, "behind a busy dialog, not a window that looks hung"
    assert [b.windowTitle() for b in shown_boxes(second)] == ["The history was damaged"]
    assert "recovered" in shown_boxes(second)[0].text()
    assert len(list(iris_home.glob("observations.sqlite3.corrupt-*"))) == 1


def test_damage_only_the_opening_finds_is_repaired_behind_a_busy_dialog_too(
    open_window, shown_boxes, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """No mark from an earlier session: the dialog shows as soon as the salvage's record says it began."""
    import logging

    from desktop.ui import app
    from tests.desktop.history.test_salvage import PAGE, many_saved

    monkeypatch.setattr(app, "CHECK_AT_OPEN_BYTES", 0)  # every history counts as long here
    path = many_saved(8_000)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 6 // 10 // PAGE * PAGE])

    with caplog.at_level(logging.INFO, logger="iris_field.ui"):
        window = open_window()
    assert "repairing the history" in caplog.text, "behind a busy dialog, not a window that looks hung"
    (box,) = shown_boxes(window)
    assert "observations were recovered from a damaged history" in box.text()


def three_saved_one_changed(assignment: str) -> None:
    """Save three observations, then set ``assignment`` (SQL) on the second, as damage would."""
    import sqlite3

    from tests.desktop.history.test_salvage import many_saved

    with sqlite3.connect(many_saved(3)) as db:
        db.execute(f"UPDATE observations SET {assignment} WHERE rowid = 2")
    db.close()


def column_texts(window, column: int) -> set:
    """Return what the history table shows in ``column``, row by row."""
    model = window.history.model
    return {model.data(model.index(row, column)) for row in range(model.rowCount())}


def test_an_observation_whose_stored_time_is_no_time_is_listed_with_that_text(
    open_window, iris_home: Path
) -> None:
    """Damage a salvage keeps (minute 60): the window opens and lists it; it used to end the process."""
    from desktop.ui import history_model as columns

    three_saved_one_changed("created_at = '2026-05-01T09:60:00+00:00'")

    window = open_window()
    times = column_texts(window, columns.TIME)
    assert window.history.model.rowCount() == 3 and "2026-05-01T09:60:00+00:00" in times
    (odd,) = [o for o in window.store.list() if o.created_at.startswith("2026-05-01T09:60")]
    window.store.set_note(odd.id, "still editable")
    assert window.store.get(odd.id).note == "still editable"


def test_an_observation_holding_a_confidence_no_model_gives_is_listed_with_it(open_window) -> None:
    """Damage a salvage keeps (a number is a number): the window lists it as stored instead of raising."""
    from desktop.ui import history_model as columns

    three_saved_one_changed("confidence = 1e88")

    window = open_window()
    shown = column_texts(window, columns.CONFIDENCE)
    assert window.history.model.rowCount() == 3
    assert {"1e+90 %", "1e+90%"} & shown, "the stored number, as a percentage"


def test_a_history_with_a_damaged_record_opens_with_every_other_observation(
    open_window, shown_boxes, iris_home: Path
) -> None:
    import sqlite3

    from desktop.history.observation import Observation
    from desktop.history.store import ObservationStore
    from desktop.prediction.engine import Classifier

    classifier = Classifier.load()
    flower = classifier.predict([5.1, 3.5, 1.4, 0.2])
    with ObservationStore.open() as store:
        store.add_many([Observation.from_prediction(flower, classifier.card, note=f"n{i}") for i in range(5)])
        path, victim = store.path, store.list()[2].id
    db = sqlite3.connect(path)
    db.execute("UPDATE observations SET measurements = 'garbage' WHERE id = ?", (victim,))
    db.commit()
    db.close()

    window = open_window()

    (box,) = shown_boxes(window)
    assert "4 observations were recovered from a damaged history; the original is kept as " in box.text()
    assert box.text().endswith(". 1 could not be read.")
    assert window.history.model.rowCount() == 4
    assert window.save_action.isEnabled()


def test_a_long_history_from_before_the_search_index_is_upgraded_behind_a_busy_dialog(
    open_window, iris_home: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    from benchmarks.history import build_history
    from desktop.ui import app

    # 40 observations as an app from before the search index left them (then migrated the rest).
    build_history(iris_home / "observations.sqlite3", 40, upgrade=False)
    monkeypatch.setattr(app, "CHECK_AT_OPEN_BYTES", 0)  # every history counts as long here

    with caplog.at_level(logging.INFO, logger="iris_field.ui"):
        window = open_window()
    assert "upgrading the history" in caplog.text
    window.history.search.setText("Rhön")
    assert window.history.model.rowCount() == 5  # every eighth place


def test_a_stale_index_file_that_cannot_be_removed_is_one_sentence_not_a_crash(
    open_window, shown_boxes, iris_home: Path
) -> None:
    with ObservationStore.open() as store:
        path = store.path
    shm = path.with_name(path.name + "-shm")
    shm.mkdir()  # left over and beyond removal: unlink refuses it
    shm.chmod(0o555)
    try:
        window = open_window()
    finally:
        shm.chmod(0o755)

    assert window.store is None and not window.save_action.isEnabled()
    (box,) = shown_boxes(window)
    assert box.windowTitle() == "The history cannot be opened"
    said = box.text() + " " + box.informativeText()
    assert f"The history's index file {shm} is left over from an earlier run and cannot be removed" in said
    assert "Remove it (it holds no observations)" in said


def test_a_salvage_that_found_nothing_is_said_at_every_start_until_the_file_is_moved(
    open_window, shown_boxes, iris_home: Path
) -> None:
    iris_home.mkdir(parents=True, exist_ok=True)
    (iris_home / "observations.sqlite3").write_bytes(b"field notes, not a history" * 500)
    first = open_window()
    (aside,) = iris_home.glob("observations.sqlite3.corrupt-*")
    for window in (first, open_window()):
        (box,) = shown_boxes(window)
        assert f"the original is kept as {aside}" in box.text()
        assert "This message returns at every start until that file is moved away." in box.text()
        box.accept()
    aside.rename(iris_home.parent / aside.name)
    assert shown_boxes(open_window()) == []


def test_recovered_observations_are_told_with_the_damaged_files_name(
    open_window, shown_boxes, iris_home: Path
) -> None:
    from tests.desktop.history.test_salvage import observation

    with ObservationStore.open() as store:
        store.add_many([observation(i) for i in range(30)])
        path = store.path
    import sqlite3

    with sqlite3.connect(path) as db:
        db.execute("UPDATE observations SET probabilities = 'garbage' WHERE rowid = 7")
    db.close()
    window = open_window()
    (aside,) = iris_home.glob("observations.sqlite3.corrupt-*")
    (box,) = shown_boxes(window)
    assert box.text() == (
        f"29 observations were recovered from a damaged history; the original is kept as {aside}. "
        "1 could not be read."
    )
    assert window.history.model.rowCount() == 29
    box.accept()
    assert shown_boxes(open_window()) == [], "recovered observations are told once"
