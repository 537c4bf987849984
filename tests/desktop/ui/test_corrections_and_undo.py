"""A corrected species is the row's species, the model's own answer beside it; a delete can be undone."""

from PySide6.QtCore import Qt

from desktop.history.store import ObservationStore
from desktop.ui import history_model as columns
from desktop.ui.qt_main_window import MainWindow

VIRGINICA = {"sepal_length": 6.9, "sepal_width": 3.1, "petal_length": 5.4, "petal_width": 2.1}


def save(window: MainWindow, values: dict[str, float], note: str) -> str:
    window.measurements.set_values(values)
    window.save_form.note.setText(note)
    window.save_action.trigger()
    return window.store.list()[0].id


def cell(window: MainWindow, row: int, column: int) -> str:
    return window.history.model.data(window.history.model.index(row, column))


def test_a_corrected_row_shows_the_confirmed_species_and_the_models_own_answer(window: MainWindow) -> None:
    saved = save(window, VIRGINICA, "tall one")
    predicted = window.store.get(saved)
    window.history.select(saved)
    window.history.confirm_species("versicolor")
    assert cell(window, 0, columns.SPECIES) == "versicolor"
    assert cell(window, 0, columns.CHECKED) == "✎ corrected"
    percent = f"{round(predicted.confidence * 100)}%"
    assert cell(window, 0, columns.CONFIDENCE) == f"model: {predicted.predicted_species} {percent}"


def test_ctrl_z_brings_back_a_deleted_observation(window: MainWindow, qtbot) -> None:
    first = save(window, VIRGINICA, "first")
    second = save(
        window, {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}, "b"
    )
    window.history.delete(first)
    window.history.delete(second)
    assert window.store.list() == []
    window.history.table.setFocus()
    qtbot.keyClick(window.history.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert [o.id for o in window.store.list()] == [second]
    window.history.undo_delete_action.trigger()
    assert {o.id for o in window.store.list()} == {first, second}
    assert not window.history.undo_delete_action.isEnabled()


def test_a_delete_stays_undoable_after_a_restart(window: MainWindow, iris_home) -> None:
    saved = save(window, VIRGINICA, "keep me")
    window.history.delete(saved)
    with ObservationStore.open() as store:
        assert [d.observation.id for d in store.recently_deleted()] == [saved]
        store.undelete(saved)
        assert store.get(saved).deleted is False
