"""Saves made elsewhere (the command line, another window) appear in an open window, counts included."""

from pathlib import Path

from desktop.store import ObservationStore
from tests.desktop.cli.test_cli import iris
from tests.desktop.test_history_query import varied
from tests.waiting import UNTIL_IT_HAPPENS_MS


def pending(window) -> str:
    return window._pending_label.text()


def test_a_save_by_another_connection_appears_at_the_next_check(window, qtbot, iris_home: Path) -> None:
    assert window.history_watcher.check() is False, "nothing changed yet"
    with ObservationStore.open(iris_home / "observations.sqlite3") as elsewhere:
        elsewhere.add_many([varied(i) for i in range(3)])
    assert window.history_watcher.check() is True
    assert window.history.model.rowCount() == 3
    qtbot.waitUntil(lambda: window.history.count_label.text() == "Observations: 3")
    assert window.history_watcher.check() is False, "one change is shown once"


def test_the_windows_own_save_is_not_mistaken_for_one_from_elsewhere(window) -> None:
    window.measurements.set_values({"sepal_length": 5.1})  # a measured flower, not the defaults
    window.save_action.trigger()
    assert window.history.model.rowCount() == 1
    assert window.history_watcher.check() is False


def test_a_command_line_save_shows_up_in_the_open_window_on_its_own(window, qtbot, iris_home: Path) -> None:
    result = iris(iris_home, "predict", "5.1", "3.5", "1.4", "0.2", "--save", "--note", "from the shell")
    assert result.returncode == 0, result.stderr
    # No call into the window: its own timer notices the commit (within a second).
    qtbot.waitUntil(lambda: window.history.model.rowCount() == 1, timeout=UNTIL_IT_HAPPENS_MS)
    assert window.history.model.observation(0).note == "from the shell"
    qtbot.waitUntil(lambda: pending(window) == "1 pending", timeout=UNTIL_IT_HAPPENS_MS)
