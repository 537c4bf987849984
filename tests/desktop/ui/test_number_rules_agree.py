"""The window and the command line take and refuse the very same typed measurements."""

import pytest

from desktop.errors import InputError
from desktop.prediction.measurement_rules import check_text
from desktop.ui.qt_main_window import MainWindow

LONG = "1" * 100_000


@pytest.mark.parametrize(
    "typed", ["5.123456789", "0.0000001", "15.0000001", "15.1", "0", "-5", "4.75", "1_5", "abc", LONG]
)
def test_what_the_window_refuses_the_command_line_refuses(window: MainWindow, typed: str) -> None:
    spin = window.measurements.spin_boxes()[0]
    assert spin.refusal(typed) != ""
    with pytest.raises(InputError):
        check_text(window._classifier.card.features[0], typed)


@pytest.mark.parametrize("typed", ["0.1", "15", "15.0", "5.1", "5.10", "7.9"])
def test_what_the_window_takes_the_command_line_takes(window: MainWindow, typed: str) -> None:
    spin = window.measurements.spin_boxes()[0]
    assert spin.refusal(typed) == ""
    assert check_text(window._classifier.card.features[0], typed) == float(typed)


def test_a_value_of_100000_digits_is_named_shortened_never_as_inf(window: MainWindow, qtbot) -> None:
    spin = window.measurements.spin_boxes()[0]
    spin.setFocus()
    spin.lineEdit().setText(LONG)
    spin.clearFocus()
    window.measurements.setFocus()
    shown = window.measurements.refusal_text()
    # (a line edit holds at most 32,767 characters: Qt cut the paste, the sentence counts what it holds)
    assert "“1111111111… (32,767 digits)” was not taken" in shown, shown
    assert "inf" not in shown and len(shown) < 300
    assert spin.text() == "5.8 cm"
