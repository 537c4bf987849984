"""The "Recently deleted" view lists deleted observations and brings back one, several or all of them."""

from PySide6.QtCore import QItemSelectionModel, Qt

from desktop.settings import Settings
from desktop.ui.qt_main_window import MainWindow
from desktop.ui.recently_deleted_dialog import RecentlyDeletedDialog
from tests.sync_rows import show_sync_state

VIRGINICA = {"sepal_length": 6.9, "sepal_width": 3.1, "petal_length": 5.4, "petal_width": 2.1}


def save_three(window: MainWindow) -> list[str]:
    """Save three flowers (notes "flower 0" to "flower 2"); return their ids, first saved first."""
    ids = []
    for i in range(3):
        window.measurements.set_values({**VIRGINICA, "petal_width": 2.0 + i / 10})
        window.save_form.note.setText(f"flower {i}")
        window.save_action.trigger()
        ids.append(window.store.list()[0].id)
    return ids


def listed_notes(view: RecentlyDeletedDialog) -> list[str]:
    return [view.table.item(row, view.table.columnCount() - 1).text() for row in range(view.table.rowCount())]


def choose(view: RecentlyDeletedDialog, rows: list[int]) -> None:
    selection = view.table.selectionModel()
    selection.clearSelection()
    for row in rows:
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        selection.select(view.table.model().index(row, 0), flags)


def history_ids(window: MainWindow) -> list[str]:
    model = window.history.model
    return [model.observation(row).id for row in range(model.rowCount())]


def test_deleted_observations_are_listed_last_deleted_first_with_measurements(window: MainWindow) -> None:
    ids = save_three(window)
    window.history.select(ids[1])
    window.history.confirm_species("versicolor")
    for observation_id in ids:
        window.history.delete(observation_id)
    view = window.history.show_recently_deleted()
    assert view.isVisible()
    assert listed_notes(view) == ["flower 2", "flower 1", "flower 0"]
    headers = [view.table.horizontalHeaderItem(c).text() for c in range(view.table.columnCount())]
    assert headers == [
        "Deleted", "Observed", "Species", "Sepal length", "Sepal width", "Petal length", "Petal width",
        "Note / place",
    ]  # fmt: skip
    row = [view.table.item(1, c).text() for c in range(2, 7)]
    assert row == ["Iris versicolor", "6.9", "3.1", "5.4", "2.1"]  # the species shown: the one confirmed
    assert view.summary.text().startswith("3 deleted observations, the last deleted first")


def test_restoring_two_brings_them_back_into_the_history_as_they_were(window: MainWindow, qtbot) -> None:
    ids = save_three(window)
    show_sync_state(window.store.path, ids[0], "synced")
    before = {i: window.store.get(i) for i in ids}
    for observation_id in ids:
        window.history.delete(observation_id)
    assert history_ids(window) == []
    view = window.history.show_recently_deleted()
    choose(view, [0, 2])  # flower 2 and flower 0
    with qtbot.waitSignal(view.restored) as restored:
        qtbot.keyClick(view.table, Qt.Key.Key_Return)  # Enter restores what is chosen
    assert restored.args == [[ids[2], ids[0]]]
    assert history_ids(window) == [ids[2], ids[0]]
    assert window.history.selected().id == ids[2]
    for observation_id in (ids[0], ids[2]):
        assert window.store.get(observation_id) == before[observation_id]
    assert window.store.get(ids[0]).sync_state == "synced"
    assert listed_notes(view) == ["flower 1"]
    assert view.summary.text().startswith("1 deleted observation.")


def test_restore_all_empties_the_view_and_ctrl_z_forgets_what_came_back(window: MainWindow) -> None:
    ids = save_three(window)
    for observation_id in ids:
        window.history.delete(observation_id)
    view = window.history.show_recently_deleted()
    view.restore_all_button.click()
    assert sorted(history_ids(window)) == sorted(ids)
    assert listed_notes(view) == []
    assert not view.restore_all_button.isEnabled() and not view.restore_button.isEnabled()
    assert view.summary.text().startswith("Nothing has been deleted")
    assert not window.history.undo_delete_action.isEnabled()


def test_an_open_view_lists_a_row_deleted_meanwhile(window: MainWindow) -> None:
    ids = save_three(window)
    window.history.delete(ids[0])
    view = window.history.show_recently_deleted()
    window.history.delete(ids[1])
    assert listed_notes(view) == ["flower 1", "flower 0"]
    assert window.history.show_recently_deleted() is view  # one view, brought to the front


def test_a_deletion_is_still_listed_and_restorable_after_a_restart(open_window) -> None:
    first = open_window()
    ids = save_three(first)
    first.history.delete(ids[1])
    first.close()
    first.store.close()
    again = open_window()
    view = again.history.show_recently_deleted()
    assert listed_notes(view) == ["flower 1"]
    choose(view, [0])
    view.restore_button.click()
    assert sorted(history_ids(again)) == sorted(ids)


def test_the_view_is_reached_by_keyboard_and_names_its_parts(window: MainWindow, qtbot) -> None:
    action = window.history.recently_deleted_action
    assert action in window.observation_menu.actions()
    assert "&" in action.text()
    ids = save_three(window)
    window.history.delete(ids[0])
    window.history.delete(ids[1])
    view = window.history.show_recently_deleted()
    assert view.focusWidget() is view.table
    for widget in (view.table, view.restore_button, view.restore_all_button, view.close_button):
        assert widget.accessibleName()
    assert view.restore_button.isDefault()
    assert view.chosen_ids() == [ids[1]], "the last deleted is chosen: Enter brings it back"
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert sorted(history_ids(window)) == sorted([ids[1], ids[2]])


def test_the_view_speaks_german(open_window, translations) -> None:
    translations.apply("de")
    window = open_window(Settings(language="de"))
    ids = save_three(window)
    window.history.delete(ids[0])
    view = window.history.show_recently_deleted()
    assert view.windowTitle() == "Kürzlich gelöschte Beobachtungen"
    assert view.table.horizontalHeaderItem(0).text() == "Gelöscht"
    assert view.table.item(0, 3).text() == "6,9"
    assert "1 gelöschte Beobachtung" in view.summary.text()


def test_a_read_only_history_lists_its_deleted_observations_and_says_why_none_can_come_back(
    open_window, iris_home
) -> None:
    from desktop.history.store import ObservationStore
    from tests.desktop.history.test_salvage import observation

    with ObservationStore.open() as store:
        store.add_many([observation(i) for i in range(2)])
        store.delete(store.list()[0].id)
        path = store.path
    path.chmod(0o444)
    view = open_window().history.show_recently_deleted()
    assert view.table.rowCount() == 1
    assert not view.restore_button.isEnabled() and not view.restore_all_button.isEnabled()
    assert f"Nothing can be restored: the history file {path} is read-only." in view.summary.text()
