"""Saving observations and working with the history pane, against a real SQLite file."""

import csv
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from desktop.history_query import HistoryQuery
from desktop.settings import Settings
from desktop.store import ObservationStore
from desktop.tables.export_cells import column_wise
from desktop.tables.observation_csv import columns_for, export_history
from desktop.ui import history_model as columns
from desktop.ui.qt_main_window import MainWindow
from tests.sync_rows import show_sync_state

SETOSA = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}
VIRGINICA = {"sepal_length": 6.3, "sepal_width": 3.3, "petal_length": 6.0, "petal_width": 2.5}


def save(window: MainWindow, measurements: dict[str, float], note: str = "", location: str = "") -> None:
    window.measurements.set_values(measurements)
    window.save_form.note.setText(note)
    window.save_form.location.setText(location)
    window.save_action.trigger()


def cell(window: MainWindow, row: int, column: int) -> str:
    model = window.history.model
    return model.data(model.index(row, column))


def test_an_empty_history_explains_how_to_save_the_first_observation(window: MainWindow) -> None:
    assert window.history.model.rowCount() == 0
    assert window.history.empty.isVisibleTo(window)
    assert "Save observation" in window.history.empty.text()
    assert "Ctrl+S" in window.history.empty.text()


def test_ctrl_s_saves_an_observation_that_is_on_disk_with_note_place_and_observer(
    open_window, qtbot, iris_home: Path
) -> None:
    window = open_window(Settings(language="en", observer="A. Botanist"))
    window.measurements.set_values(VIRGINICA)
    window.save_form.note.setText("meadow by the stream")
    window.save_form.location.setText("Isar floodplain")
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.measurements.sliders()[0].setFocus()
    qtbot.keyClick(window.measurements.sliders()[0], Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)

    assert window.history.model.rowCount() == 1
    assert cell(window, 0, columns.SPECIES) == "virginica"
    assert cell(window, 0, columns.SYNC) == "● pending"
    assert window.save_form.status.text().startswith("✓ Saved Iris virginica")
    assert window.save_form.note.text() == "", "the note belongs to one flower"
    assert window.save_form.location.text() == "Isar floodplain", "the place stays for the next flower"
    with ObservationStore.open(iris_home / "observations.sqlite3") as other_connection:
        (saved,) = other_connection.list()
    assert saved.measurements == VIRGINICA
    assert saved.predicted_species == "virginica"
    assert (saved.note, saved.location, saved.observer) == (
        "meadow by the stream",
        "Isar floodplain",
        "A. Botanist",
    )
    assert saved.model_sha256 == window.classifier.card.sha256
    assert abs(sum(saved.probabilities.values()) - 1) < 1e-5


def test_coordinates_typed_as_location_are_saved_as_latitude_and_longitude(window: MainWindow) -> None:
    save(window, SETOSA, location="48,137; 11,575")
    (saved,) = window.store.list()
    assert (saved.latitude, saved.longitude, saved.location) == (48.137, 11.575, "")
    assert window.history.model.data(window.history.model.index(0, columns.NOTE)) == "48.137; 11.575"


def test_impossible_coordinates_are_refused_in_a_dialog_and_nothing_is_saved(
    window: MainWindow, shown_boxes
) -> None:
    save(window, SETOSA, location="148.0, 11.5")
    (box,) = shown_boxes(window)
    assert "Latitude must lie between -90 and 90" in box.text()
    assert window.store.list() == []
    assert window.save_form.status.text() == ""


def test_history_lists_newest_first_and_search_filters_it(window: MainWindow, qtbot) -> None:
    save(window, SETOSA, note="shady bank")
    save(window, VIRGINICA, note="open meadow")
    assert [cell(window, r, columns.SPECIES) for r in range(2)] == ["virginica", "setosa"]
    qtbot.keyClicks(window.history.search, "shady")
    assert window.history.model.rowCount() == 1
    assert cell(window, 0, columns.NOTE) == "shady bank"
    window.history.search.setText("no such flower")
    assert window.history.model.rowCount() == 0
    assert "No saved observation matches" in window.history.empty.text()


def test_sync_state_is_shown_with_a_symbol_and_a_word(window: MainWindow) -> None:
    save(window, SETOSA)
    save(window, VIRGINICA)
    first, second = window.store.list()
    show_sync_state(window.store.path, first.id, "synced")
    show_sync_state(window.store.path, second.id, "failed", "the server refused the login")
    window.refresh_history()
    assert cell(window, 0, columns.SYNC) == "✓ synced"
    assert cell(window, 1, columns.SYNC) == "✕ failed"
    tooltip = window.history.model.data(window.history.model.index(1, 0), Qt.ItemDataRole.ToolTipRole)
    assert "the server refused the login" in tooltip


def test_confirming_or_correcting_the_species_is_stored_for_retraining(window: MainWindow) -> None:
    save(window, VIRGINICA)
    window.history.select(window.store.list()[0].id)
    window.history.confirm_species("virginica")
    assert cell(window, 0, columns.CHECKED) == "✓ confirmed"
    window.history.confirm_species("versicolor")
    assert cell(window, 0, columns.CHECKED) == "✎ corrected"
    assert cell(window, 0, columns.SPECIES) == "versicolor"
    (saved,) = window.store.list()
    assert (saved.confirmed_species, saved.predicted_species) == ("versicolor", "virginica")


def test_the_confirm_menu_offers_every_species_the_model_knew(window: MainWindow) -> None:
    save(window, SETOSA)
    window.history.select(window.store.list()[0].id)
    window.history.confirm_menu.aboutToShow.emit()
    texts = [a.text() for a in window.history.confirm_menu.actions() if not a.isSeparator()]
    assert texts == ["Iris setosa (as predicted)", "Iris versicolor", "Iris virginica", "Not checked yet"]


def test_restore_puts_an_observations_measurements_back_into_the_sliders(window: MainWindow) -> None:
    save(window, VIRGINICA)
    window.measurements.set_values(SETOSA)
    window.history.select(window.store.list()[0].id)
    window.history.restore_action.trigger()
    assert window.measurements.values() == tuple(VIRGINICA.values())
    assert window.measurements.sliders()[2].value() == 60
    assert window.result.species_text() == "Iris virginica"


def test_delete_asks_first_and_cancel_keeps_the_observation(window: MainWindow, shown_boxes) -> None:
    save(window, SETOSA)
    window.history.select(window.store.list()[0].id)
    window.history.delete_action.trigger()
    (box,) = shown_boxes(window)
    assert "Delete the observation of Iris setosa" in box.text()
    assert box.defaultButton() == box.escapeButton(), "Enter must not delete"
    box.escapeButton().click()
    assert window.history.model.rowCount() == 1

    window.history.delete_action.trigger()
    (box,) = shown_boxes(window)
    next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole).click()
    assert window.history.model.rowCount() == 0
    assert window.store.list() == []


def test_export_writes_the_shown_observations_to_csv(window: MainWindow, tmp_path: Path, qtbot) -> None:
    save(window, SETOSA, note="shady bank")
    save(window, VIRGINICA, note="open meadow")
    target = tmp_path / "export.csv"
    with qtbot.waitSignal(window.history.exporter.finished):  # written in the background
        window.history.export_to(target)
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["predicted_species"] for r in rows] == ["virginica", "setosa"]
    assert rows[1]["note"] == "shady bank"
    assert "Exported 2 observations" in window.statusBar().currentMessage()


def test_export_writes_the_bytes_one_observation_at_a_time_would(
    window: MainWindow, tmp_path: Path, qtbot
) -> None:
    save(window, SETOSA, note='shady bank, "north" side', location="Isar; km 3")
    save(window, VIRGINICA, note="Wiese\nam Bach")
    save(window, SETOSA)
    window.store.confirm_species(window.store.list()[0].id, "versicolor")
    target = tmp_path / "export.csv"
    with qtbot.waitSignal(window.history.exporter.finished):  # column by column, as `history --csv`
        window.history.export_to(target)
    one_at_a_time = tmp_path / "one_at_a_time.csv"
    columns = columns_for(*window.store.measured_names())
    export_history(window.store.iterate(HistoryQuery(), page_size=2), one_at_a_time, columns)
    assert column_wise(columns)
    assert target.read_bytes() == one_at_a_time.read_bytes()


def test_export_into_a_missing_folder_says_so_in_a_dialog(
    window: MainWindow, tmp_path: Path, shown_boxes, qtbot
) -> None:
    save(window, SETOSA)
    with qtbot.waitSignal(window.history.exporter.failed):
        window.history.export_to(tmp_path / "no such folder" / "export.csv")
    (box,) = shown_boxes(window)
    assert box.windowTitle() == "The CSV file could not be written"
    assert not (tmp_path / "no such folder").exists()


def test_status_bar_names_model_pending_count_and_data_folder(
    window: MainWindow, iris_home: Path, qtbot
) -> None:
    card = window.classifier.card
    save(window, SETOSA)
    save(window, VIRGINICA)

    def texts() -> list[str]:
        return [label.text() for label in window.statusBar().findChildren(type(window.history.empty))]

    assert any(t.startswith(f"Model {card.model_name} v{card.model_version} ({card.alias})") for t in texts())
    qtbot.waitUntil(lambda: "2 pending" in texts())  # counted in the background
    data = next(
        label
        for label in window.statusBar().findChildren(type(window.history.empty))
        if label.text().startswith("Data:")
    )
    assert data.toolTip() == str(iris_home)
