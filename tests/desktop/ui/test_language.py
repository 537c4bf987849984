"""English and German: translated labels, the locale's number format, and a live switch."""

import json
from pathlib import Path

from PySide6.QtCore import QLocale, Qt

from desktop.settings import Settings
from desktop.ui import history_model as columns
from desktop.ui.i18n import Translations, locale_for
from desktop.ui.qt_main_window import MainWindow


def test_german_locale_shows_german_labels_and_decimal_commas(
    open_window, translations: Translations
) -> None:
    translations.apply("de")
    window = open_window(Settings(language="de"))
    window.measurements.set_values({"sepal_length": 5.8})
    assert window.measurements.title() == "Maße"
    assert window.measurements.sliders()[0].accessibleName() == "Kelchblattlänge"
    assert window.measurements.spin_boxes()[0].text() == "5,8 cm"
    assert window.save_form.save_button.text().startswith("Beobachtung speichern")
    assert window.file_menu.title() == "&Datei"
    assert "Noch keine Beobachtungen gespeichert" in window.history.empty.text()
    assert window.history.model.headerData(columns.SPECIES, Qt.Orientation.Horizontal) == "Art"
    window.save_action.trigger()
    assert window.history.model.data(window.history.model.index(0, columns.SYNC)) == "● ausstehend"


def test_switching_the_language_in_settings_applies_at_once_and_is_saved(
    window: MainWindow, qtbot, iris_home: Path
) -> None:
    window.measurements.set_values({"sepal_length": 5.8})
    assert window.measurements.spin_boxes()[0].text() == "5.8 cm"
    window.apply_settings(window.settings.replace(language="de"))
    qtbot.waitUntil(lambda: window.save_form.save_button.text().startswith("Beobachtung speichern"))
    assert window.measurements.spin_boxes()[0].text() == "5,8 cm"
    assert window.result.species_text() in {"Iris setosa", "Iris versicolor", "Iris virginica", "Unsicher"}
    assert window.observation_menu.title() == "&Beobachtung"
    assert json.loads((iris_home / "settings.json").read_text(encoding="utf-8"))["language"] == "de"


def test_following_the_system_never_yields_the_bare_c_locale(qapp) -> None:
    # Under LANG=C (minimal Linux sessions, CI) Qt's "C" locale would show dates as "23 11 2026".
    assert locale_for("system").language() != QLocale.Language.C
    assert locale_for("de").language() == QLocale.Language.German


def test_a_salvage_tells_its_counts_grouped_as_the_language_writes_them(translations: Translations) -> None:
    from desktop.history.salvage import SalvageReport
    from desktop.ui.problem_words import salvage_text

    report = SalvageReport(238_880, 1_204, Path("observations.sqlite3.corrupt-20261207T022003Z"))
    translations.apply("de")
    assert salvage_text(report) == (
        "238.880 Beobachtungen wurden aus einem beschädigten Verlauf gerettet; das Original bleibt als "
        "observations.sqlite3.corrupt-20261207T022003Z erhalten. 1.204 konnten nicht gelesen werden."
    )
    translations.apply("en")
    assert salvage_text(report).startswith("238,880 observations were recovered from a damaged history")
    assert salvage_text(report).endswith(" 1,204 could not be read.")


def test_numbers_no_observation_should_hold_are_shown_as_they_are(qapp) -> None:
    """Damage a salvage keeps: formatting them never raises (it ended the process inside Qt's painting)."""
    from desktop.ui.i18n import format_number, format_percent

    german = QLocale(QLocale.Language.German, QLocale.Country.Germany)
    assert [format_percent(p, german).rstrip("%").strip() for p in (0.97, 1e88, float("inf"), -3)] == [
        "97",
        "1e+90",
        "inf",
        "-300",
    ]
    assert format_percent(10**400, german).startswith("1000")
    assert format_number(5.8, german) == "5,8"
    assert format_number(float("nan"), german) == "nan" and format_number(10**400, german).startswith("1000")
