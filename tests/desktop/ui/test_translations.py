"""Every catalogue covers every text of the window, and each shipped .qm is built from its catalogue."""

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication

from desktop import languages
from desktop.resources import asset_path
from desktop.settings import Settings
from desktop.ui.settings_dialog import GeneralSettingsPage

ROOT = Path(__file__).resolve().parents[3]
CATALOGUES = languages.translated()


def qt_tool(name: str) -> str:
    # The PySide6 tools sit beside the interpreter of the environment the tests run in.
    return shutil.which(name, path=str(Path(sys.executable).parent)) or name


@pytest.mark.parametrize("language", CATALOGUES, ids=lambda language: language.code)
def test_every_window_text_has_a_translation(tmp_path: Path, language: languages.Language) -> None:
    fresh = tmp_path / languages.catalogue_name(language)
    shutil.copy(asset_path("translations", fresh.name), fresh)
    sources = sorted(str(p) for p in (ROOT / "desktop" / "ui").glob("*.py"))
    subprocess.run(
        [qt_tool("pyside6-lupdate"), "-no-obsolete", *sources, "-ts", str(fresh)],
        check=True,
        capture_output=True,
    )
    untranslated = [
        message.findtext("source")
        for message in ET.parse(fresh).getroot().iter("message")
        if message.find("translation").get("type") in ("unfinished", "vanished", "obsolete")
    ]
    assert untranslated == [], f"run pyside6-lupdate and translate these in {fresh.name}"


@pytest.mark.parametrize("language", CATALOGUES, ids=lambda language: language.code)
def test_the_shipped_qm_file_is_compiled_from_the_catalogue(tmp_path: Path, language) -> None:
    built = tmp_path / languages.catalogue_name(language, ".qm")
    catalogue = asset_path("translations", languages.catalogue_name(language))
    subprocess.run(
        [qt_tool("pyside6-lrelease"), str(catalogue), "-qm", str(built)], check=True, capture_output=True
    )
    assert built.read_bytes() == asset_path("translations", built.name).read_bytes(), (
        f"run pyside6-lrelease on {catalogue.name}"
    )


def test_the_settings_dialog_offers_every_language_named_in_itself(qtbot, translations) -> None:
    page = GeneralSettingsPage(Settings())
    qtbot.addWidget(page)
    offered = {page.language.itemData(i): page.language.itemText(i) for i in range(page.language.count())}
    assert offered == {languages.FOLLOW_SYSTEM: "Same as the system"} | {
        language.code: language.name for language in languages.LANGUAGES
    }


def test_a_language_added_to_the_list_is_offered_and_its_setting_kept(
    qtbot, translations, monkeypatch: pytest.MonkeyPatch
) -> None:
    french = languages.Language("fr", "Français")
    monkeypatch.setattr(languages, "LANGUAGES", (*languages.LANGUAGES, french))
    page = GeneralSettingsPage(Settings(language="fr"))
    qtbot.addWidget(page)
    assert page.language.currentText() == "Français"
    assert page.apply(Settings()).language == "fr"


def _first_translated_message(language: languages.Language) -> tuple[str, str, str]:
    """Return (context, source, translation) of the catalogue's first finished single-form message."""
    root = ET.parse(asset_path("translations", languages.catalogue_name(language))).getroot()
    for context in root.iter("context"):
        for message in context.iter("message"):
            translation = message.find("translation")
            if message.get("numerus") != "yes" and translation.get("type") is None and translation.text:
                return context.findtext("name"), message.findtext("source"), translation.text
    raise AssertionError(f"{language.code}: no translated message")


@pytest.mark.parametrize("language", CATALOGUES, ids=lambda language: language.code)
def test_each_catalogue_is_loaded_for_its_language(translations, language) -> None:
    context, source, translation = _first_translated_message(language)
    translations.apply(language.code)
    assert QCoreApplication.translate(context, source) == translation


def test_a_system_language_the_app_does_not_speak_stays_english(translations) -> None:
    context, source, _ = _first_translated_message(CATALOGUES[0])
    translations.apply("fr")
    assert QCoreApplication.translate(context, source) == source
