"""The window shows no percentage for a flower unlike any in training, and names a folder as a folder."""

from pathlib import Path

from PySide6.QtCore import Qt

from desktop.settings import Settings
from desktop.ui import history_model as columns
from desktop.ui.qt_main_window import MainWindow

OUTLIER = {"sepal_length": 7.9, "sepal_width": 4.4, "petal_length": 1.1, "petal_width": 0.1}
SETOSA = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}


def save(window: MainWindow, measurements: dict[str, float]) -> None:
    window.measurements.set_values(measurements)
    window.save_action.trigger()


def cell(window: MainWindow, row: int, column: int, role=Qt.ItemDataRole.DisplayRole) -> str:
    model = window.history.model
    return model.data(model.index(row, column), role)


def test_the_history_table_shows_words_not_a_percentage_for_an_outlier(window: MainWindow) -> None:
    save(window, SETOSA)
    save(window, OUTLIER)
    assert window.result.bar_texts() == {"setosa": "—", "versicolor": "—", "virginica": "—"}
    (outlier,) = [o for o in window.store.list() if o.outlier]
    assert outlier.predicted_species == "setosa" and outlier.confidence > 0.9  # what the model said is kept
    assert cell(window, 0, columns.CONFIDENCE) == "unlike any training flower"
    tooltip = cell(window, 0, columns.CONFIDENCE, Qt.ItemDataRole.ToolTipRole)
    assert "no percentage can be trusted" in tooltip and "%" not in tooltip
    assert cell(window, 1, columns.CONFIDENCE).endswith("%")


def test_in_german_too(open_window, translations) -> None:
    translations.apply("de")
    window = open_window(Settings(language="de"))
    save(window, OUTLIER)
    assert cell(window, 0, columns.CONFIDENCE) == "anders als jede Trainingsblüte"
    assert "%" not in cell(window, 0, columns.CONFIDENCE, Qt.ItemDataRole.ToolTipRole)


def test_a_folder_where_the_history_should_be_is_named_a_folder(
    open_window, shown_boxes, iris_home: Path
) -> None:
    (iris_home / "observations.sqlite3").mkdir(parents=True)
    window = open_window()
    (box,) = shown_boxes(window)
    shown = box.text() + box.informativeText()
    assert "there is a folder or another thing that is not a file" in shown
    assert not window.save_action.isEnabled()
