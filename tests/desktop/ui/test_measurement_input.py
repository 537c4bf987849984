"""What the botanist types is what gets measured: taken exactly, or refused on screen with the reason."""

import pytest
from PySide6.QtCore import Qt

from desktop.settings import Settings
from desktop.ui.i18n import Translations
from desktop.ui.qt_main_window import MainWindow


def type_into(window: MainWindow, qtbot, row: int, text: str) -> None:
    spin = window.measurements.spin_boxes()[row]
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin.lineEdit(), text)
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Return)


@pytest.fixture(params=["en", "de"])
def any_language_window(request, open_window, translations: Translations) -> MainWindow:
    translations.apply(request.param)
    return open_window(Settings(language=request.param))


@pytest.mark.parametrize("typed", ["2,5", "2.5"])
def test_a_decimal_point_or_comma_both_mean_two_and_a_half_in_either_language(
    any_language_window: MainWindow, qtbot, typed: str
) -> None:
    window = any_language_window
    type_into(window, qtbot, 2, typed)
    assert window.measurements.values()[2] == 2.5
    spin = window.measurements.spin_boxes()[2]
    assert spin.text() == ("2,5 cm" if spin.locale().decimalPoint() == "," else "2.5 cm")
    assert window.measurements.refusal_text() == ""


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("999", "outside the plausible range 0.1–15.0 cm"),
        ("-5", "outside the plausible range"),
        ("4.75", "more decimals than the model's precision of 0.1 cm"),
        ("1_5", "is not a number"),
        ("abc", "is not a number"),
    ],
)
def test_a_value_it_cannot_take_exactly_is_refused_on_screen_and_the_old_value_stays(
    window: MainWindow, qtbot, typed: str, words: str
) -> None:
    before = window.measurements.values()
    type_into(window, qtbot, 0, typed)
    assert window.measurements.values() == before
    shown = window.measurements.refusal_text()
    assert f"“{typed}” was not taken" in shown
    assert words in shown
    assert "The value stays 5.8 cm" in shown
    assert window.measurements.spin_boxes()[0].text() == "5.8 cm"


def test_leaving_the_box_judges_the_typed_value_too(window: MainWindow, qtbot) -> None:
    spin = window.measurements.spin_boxes()[1]
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin.lineEdit(), "99")
    window.measurements.sliders()[2].setFocus()
    assert "“99” was not taken" in window.measurements.refusal_text()
    assert window.measurements.values()[1] == 3.0


def test_a_refusal_is_said_in_german_with_german_numbers(
    open_window, translations: Translations, qtbot
) -> None:
    translations.apply("de")
    window = open_window(Settings(language="de"))
    type_into(window, qtbot, 0, "999")
    assert "0,1–15,0 cm" in window.measurements.refusal_text()
    assert "nicht übernommen" in window.measurements.refusal_text()


def test_the_precision_shown_is_the_model_cards(window: MainWindow) -> None:
    for feature, spin in zip(window.classifier.card.features, window.measurements.spin_boxes(), strict=True):
        assert spin.decimals() == feature.decimals == 1
