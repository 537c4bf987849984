"""One list of languages: every part that needs the languages reads desktop/languages.py, and only it."""

import json
from pathlib import Path

import pytest

from build_scripts.bundle_filter import unwanted
from desktop import languages
from desktop.languages import Language
from desktop.resources import asset_path
from desktop.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
FRENCH = Language("fr", "Français")


@pytest.fixture
def french_added(monkeypatch: pytest.MonkeyPatch) -> Language:
    """Add French the way assets/translations/README.md says: one line in the list."""
    monkeypatch.setattr(languages, "LANGUAGES", (*languages.LANGUAGES, FRENCH))
    return FRENCH


def _qt_catalogue(code: str) -> tuple[str, str, str]:
    return (f"PySide6/Qt/translations/qtbase_{code}.qm", f"/site/qtbase_{code}.qm", "DATA")


def test_every_listed_translation_has_its_catalogue_and_every_catalogue_is_listed() -> None:
    on_disk = {p.name for p in asset_path("translations").glob(f"{languages.CATALOGUE_BASENAME}_*.ts")}
    # English has one too: the plural forms of texts written once with "(s)".
    listed = {languages.catalogue_name(language) for language in languages.LANGUAGES}
    assert on_disk == listed
    for language in languages.LANGUAGES:
        assert asset_path("translations", languages.catalogue_name(language, ".qm")).is_file()


def test_english_is_the_source_language_and_comes_first() -> None:
    assert languages.codes()[0] == languages.SOURCE.code == "en"
    assert languages.SOURCE not in languages.translated()
    assert languages.setting_choices()[0] == languages.FOLLOW_SYSTEM


@pytest.mark.parametrize("language", languages.LANGUAGES, ids=lambda language: language.code)
def test_every_listed_language_survives_a_restart_in_the_settings(iris_home: Path, language) -> None:
    Settings(language=language.code).save()
    assert Settings.load().language == language.code


@pytest.mark.parametrize("language", languages.translated(), ids=lambda language: language.code)
def test_the_bundle_keeps_qts_own_catalogue_of_every_listed_language(language) -> None:
    assert unwanted(_qt_catalogue(language.code), windows=False) is None


def test_an_added_language_is_kept_by_settings_and_bundle_without_touching_them(
    iris_home: Path, french_added: Language
) -> None:
    iris_home.mkdir(parents=True)
    (iris_home / "settings.json").write_text(json.dumps({"language": "fr"}), encoding="utf-8")
    assert Settings.load().language == "fr"
    assert unwanted(_qt_catalogue("fr"), windows=False) is None
    assert unwanted(_qt_catalogue("fr_CA"), windows=False) is None


def test_an_unlisted_language_is_dropped_by_settings_and_pruned_from_the_bundle(iris_home: Path) -> None:
    iris_home.mkdir(parents=True)
    (iris_home / "settings.json").write_text(json.dumps({"language": "fr"}), encoding="utf-8")
    assert Settings.load().language == languages.FOLLOW_SYSTEM
    assert unwanted(_qt_catalogue("fr"), windows=False) is not None


@pytest.mark.parametrize(
    ("locale_name", "code"), [("de_AT", "de"), ("de-CH", "de"), ("en_GB", "en"), ("fr_FR", None), ("C", None)]
)
def test_a_locale_name_asks_for_a_listed_language_or_none(locale_name: str, code: str | None) -> None:
    assert languages.spoken(locale_name) == code


def test_no_other_module_keeps_its_own_list_of_language_codes() -> None:
    sources = [*(ROOT / "desktop").rglob("*.py"), *(ROOT / "build_scripts").glob("*.py")]
    listing = [
        str(path.relative_to(ROOT))
        for path in sources
        if path.name != "languages.py"
        and (
            '("en", "de")' in path.read_text(encoding="utf-8")
            or '"de": "Deutsch"' in path.read_text(encoding="utf-8")
        )
    ]
    assert listing == []
