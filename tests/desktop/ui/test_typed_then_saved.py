"""What the box shows is what is saved: text typed but not yet committed is taken (or refused) before Save."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from desktop.settings import Settings
from desktop.ui.i18n import Translations
from desktop.ui.qt_main_window import MainWindow

SEPAL_LENGTH = 0


def select_and_type(window: MainWindow, qtbot, row: int, text: str) -> None:
    """Click into a box, select all and type, without Enter or Tab: the text is not committed yet."""
    spin = window.measurements.spin_boxes()[row]
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin.lineEdit(), text)


def press_ctrl_s(window: MainWindow, qtbot) -> None:
    """Press the save shortcut where the focus is (the spin box still being typed into)."""
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)


def saved_sepal_lengths(window: MainWindow) -> list[float]:
    return sorted(o.measurements["sepal_length"] for o in window.store.list())


def shown(window: MainWindow, qtbot) -> MainWindow:
    """Show the window and make it the active one, so its Ctrl+S shortcut is live."""
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return window


@pytest.fixture
def shown_window(window: MainWindow, qtbot) -> MainWindow:
    """Return the test's window, shown and active."""
    return shown(window, qtbot)


def test_ctrl_s_right_after_typing_saves_what_the_box_shows(shown_window: MainWindow, qtbot) -> None:
    window = shown_window
    select_and_type(window, qtbot, SEPAL_LENGTH, "5.0")
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Tab)
    select_and_type(window, qtbot, SEPAL_LENGTH, "6.3")
    press_ctrl_s(window, qtbot)
    assert saved_sepal_lengths(window) == [6.3]
    assert window.measurements.values()[SEPAL_LENGTH] == 6.3
    assert window.measurements.sliders()[SEPAL_LENGTH].value() == 63, "the slider follows the saved value"
    assert window.prediction.values[SEPAL_LENGTH] == 6.3
    assert "Saved" in window.save_form.status.text()


def test_a_value_saved_before_and_then_retyped_is_not_called_already_saved(
    shown_window: MainWindow, qtbot
) -> None:
    window = shown_window
    select_and_type(window, qtbot, SEPAL_LENGTH, "5.0")
    press_ctrl_s(window, qtbot)
    assert saved_sepal_lengths(window) == [5.0]
    select_and_type(window, qtbot, SEPAL_LENGTH, "6.3")
    press_ctrl_s(window, qtbot)
    assert getattr(window, "duplicate_question", None) is None, "6.3 was never saved: no question"
    assert saved_sepal_lengths(window) == [5.0, 6.3]


def test_after_a_refused_paste_the_next_typed_value_is_saved(shown_window: MainWindow, qtbot) -> None:
    window = shown_window
    select_and_type(window, qtbot, SEPAL_LENGTH, "8.0")
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Tab)
    spin = window.measurements.spin_boxes()[SEPAL_LENGTH]
    spin.setFocus()
    spin.selectAll()
    QGuiApplication.clipboard().setText("6,55 cm")
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Return)
    assert "was not taken" in window.measurements.refusal_text()
    select_and_type(window, qtbot, SEPAL_LENGTH, "6.5")
    press_ctrl_s(window, qtbot)
    assert saved_sepal_lengths(window) == [6.5]


def test_in_a_fresh_window_one_typed_value_and_ctrl_s_saves_it(shown_window: MainWindow, qtbot) -> None:
    window = shown_window
    select_and_type(window, qtbot, 3, "1.9")
    press_ctrl_s(window, qtbot)
    assert [o.measurements["petal_width"] for o in window.store.list()] == [1.9]
    assert "Set the measurements first" not in window.save_form.status.text()


def test_a_typed_value_that_cannot_be_taken_stops_the_save_and_says_why(
    shown_window: MainWindow, qtbot
) -> None:
    window = shown_window
    select_and_type(window, qtbot, SEPAL_LENGTH, "99")
    press_ctrl_s(window, qtbot)
    assert window.store.list() == []
    assert "“99” was not taken" in window.measurements.refusal_text()
    assert "Not saved" in window.save_form.status.text()


def test_the_menu_and_the_button_take_the_typed_text_too(shown_window: MainWindow, qtbot) -> None:
    window = shown_window
    select_and_type(window, qtbot, SEPAL_LENGTH, "6.1")
    window.save_action.trigger()  # as the Observation menu does
    select_and_type(window, qtbot, SEPAL_LENGTH, "6.2")
    window.save_form.save_button.click()
    assert saved_sepal_lengths(window) == [6.1, 6.2]


def test_in_german_the_typed_comma_value_is_saved(open_window, translations: Translations, qtbot) -> None:
    translations.apply("de")
    window = shown(open_window(Settings(language="de")), qtbot)
    select_and_type(window, qtbot, SEPAL_LENGTH, "6,3")
    press_ctrl_s(window, qtbot)
    assert saved_sepal_lengths(window) == [6.3]


def test_in_german_a_refused_typed_value_stops_the_save_in_german(
    open_window, translations: Translations, qtbot
) -> None:
    translations.apply("de")
    window = shown(open_window(Settings(language="de")), qtbot)
    select_and_type(window, qtbot, SEPAL_LENGTH, "6,35")
    press_ctrl_s(window, qtbot)
    assert window.store.list() == []
    assert "„6,35“ wurde nicht übernommen" in window.measurements.refusal_text()
    assert window.save_form.status.text().startswith("Nicht gespeichert")
