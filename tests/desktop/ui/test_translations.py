"""Every catalogue covers every text of the window, and each shipped .qm is built from its catalogue."""

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLocale
from PySide6.QtWidgets import QLabel, QMessageBox

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


def test_the_english_catalogue_gives_every_plural_text_its_forms(tmp_path: Path) -> None:
    fresh = tmp_path / languages.catalogue_name(languages.SOURCE)
    shutil.copy(asset_path("translations", fresh.name), fresh)
    sources = sorted(str(p) for p in (ROOT / "desktop" / "ui").glob("*.py"))
    subprocess.run(
        [qt_tool("pyside6-lupdate"), "-pluralonly", "-no-obsolete", *sources, "-ts", str(fresh)],
        check=True,
        capture_output=True,
    )
    messages = list(ET.parse(fresh).getroot().iter("message"))
    assert messages, "lupdate found no plural text"
    untranslated = [
        m.findtext("source")
        for m in messages
        if m.find("translation").get("type") in ("unfinished", "vanished")
    ]
    assert untranslated == [], f"run pyside6-lupdate -pluralonly and give these their forms in {fresh.name}"


def test_english_says_one_observation_and_two_observations(translations) -> None:
    text = "Exported %n observation(s) to {path}."
    assert QCoreApplication.translate("HistoryPanel", text, "", 1) == "Exported 1 observation to {path}."
    assert QCoreApplication.translate("HistoryPanel", text, "", 2) == "Exported 2 observations to {path}."
    translations.apply("fr")  # a language the app does not speak: English, plurals included
    assert QCoreApplication.translate("HistoryPanel", text, "", 2) == "Exported 2 observations to {path}."


@pytest.mark.parametrize("language", languages.LANGUAGES, ids=lambda language: language.code)
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


# ----------------------------------------------------------------- what the core reports, in the window
# The core reports what happened as data; the window says it in the user's language. Per catalogue: the
# numbers are right and no English sentence of the core shows through. German is also checked word for word.
GERMAN = {
    "salvage": "4 Beobachtungen wurden aus einem beschädigten Verlauf gerettet; das Original bleibt als "
    "{file} erhalten. 1 konnte nicht gelesen werden.",
    "read-only": "Es kann nichts gespeichert werden: die Verlaufsdatei {path} ist schreibgeschützt.",
    "newer": "wurde von einer neueren Version von Iris Field geschrieben (Schema {version}, diese Version "
    "kennt {known}). Bitte aktualisieren Sie Iris Field.",
    "export": "{path} kann nicht geschrieben werden: Der Ordner {folder} existiert nicht.",
    "unknown key": "Das Modell ist mit dem Schlüssel {key} signiert, dem dieser Laptop nicht vertraut.",
    "not newer": "Release 1 ist nicht neuer als Release 2, das vom selben Labor bereits installiert ist.",
    "no server": "„ftp://lab.example“ ist keine http://- oder https://-Adresse eines MLflow-Servers. "
    "Korrigieren Sie sie unter Einstellungen → Abgleich.",
    "model changed": "Die Modelldatei {path} passt nicht zu ihrer Modellkarte: Sie wurde verändert oder "
    "beschädigt.",
    "unvetted": "Von der Qualitätsprüfung des Labors nicht freigegeben; das Labor hat es trotzdem "
    "ausgeliefert, weil: {reason}",
    "model record": "Das Verzeichnis der installierten Modelle ist beschädigt, daher sagt das mitgelieferte "
    "Modell voraus.",
}


@pytest.fixture(params=CATALOGUES, ids=lambda language: language.code)
def speaking(request, open_window, translations):
    """Open windows in one catalogue's language; return (language, open_window)."""
    language = request.param
    translations.apply(language.code)
    return language, lambda **more: open_window(Settings(language=language.code), **more)


def _history_with_five_observations() -> Path:
    from desktop.history.store import ObservationStore
    from tests.desktop.history.test_salvage import observation

    with ObservationStore.open() as store:
        store.add_many([observation(i) for i in range(5)])
        return store.path


def _only_box(window):
    boxes = [box for box in window.findChildren(QMessageBox) if box.isVisible()]
    assert len(boxes) == 1, [box.text() for box in boxes]
    return boxes[0]


def test_a_salvaged_history_is_reported_in_the_language_with_its_counts(speaking, iris_home: Path) -> None:
    import sqlite3

    language, open_one = speaking
    path = _history_with_five_observations()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE observations SET measurements = 'garbage' WHERE rowid = 3")
    db.close()
    window = open_one()
    text = _only_box(window).text()
    aside = str(window.store.salvaged.aside)
    assert "4" in text and "1" in text and aside in text
    assert "were recovered" not in text and "could not be read" not in text
    if language.code == "de":
        assert text == GERMAN["salvage"].format(file=aside)


def test_saving_into_a_read_only_history_is_refused_in_the_language(speaking, iris_home: Path) -> None:
    language, open_one = speaking
    path = _history_with_five_observations()
    path.chmod(0o444)
    window = open_one()
    window.history.table.selectRow(0)
    window.history.confirm_species("versicolor")
    box = _only_box(window)
    assert str(path) in box.text()
    assert "Nothing can be saved" not in box.text() and "is read-only" not in box.text()
    assert "read-only" not in window.read_only_notice.text()
    if language.code == "de":
        assert box.text() == GERMAN["read-only"].format(path=path)


def test_a_history_from_a_newer_app_is_refused_in_the_language(speaking, iris_home: Path) -> None:
    import sqlite3

    from desktop.history.migrations import known_version

    language, open_one = speaking
    path = _history_with_five_observations()
    newer = known_version() + 3
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {newer}")
    db.close()
    window = open_one()
    text = _only_box(window).text()
    assert str(newer) in text and str(known_version()) in text
    assert "written by a newer version" not in text
    if language.code == "de":
        assert GERMAN["newer"].format(version=newer, known=known_version()) in text


def test_a_csv_export_into_a_missing_folder_is_refused_in_the_language(
    speaking, qtbot, tmp_path: Path
) -> None:
    language, open_one = speaking
    _history_with_five_observations()
    window = open_one()
    target = tmp_path / "gone" / "export.csv"
    window.history.export_to(target)
    qtbot.waitUntil(lambda: not window.history._exporting)
    details = _only_box(window).informativeText()
    assert str(target) in details and "does not exist" not in details and "cannot write" not in details
    if language.code == "de":
        assert GERMAN["export"].format(path=target, folder=target.parent) in details


def _lab(tmp_path: Path):
    from desktop.model_delivery.trusted_keys import trust_key_file
    from tests.desktop.model_delivery.release_factory import Lab

    lab = Lab.new()
    trust_key_file(lab.write_public_key(tmp_path / "keys"))
    return lab


def test_a_model_file_signed_by_an_unknown_key_is_refused_in_the_language(speaking, tmp_path: Path) -> None:
    from tests.desktop.model_delivery.release_factory import Lab, bundle_bytes

    language, open_one = speaking
    lab = _lab(tmp_path)
    window = open_one()
    stranger = Lab.new(lab.registry)
    path = tmp_path / "odd.irismodel"
    path.write_bytes(bundle_bytes(stranger.release(1)))
    window.model_controller.install_file(str(path))
    text = _only_box(window).text()
    assert stranger.public.fingerprint in text and "does not trust" not in text
    if language.code == "de":
        assert text.startswith(GERMAN["unknown key"].format(key=stranger.public.fingerprint))


def test_an_update_that_is_not_newer_is_refused_in_the_language(speaking, tmp_path: Path) -> None:
    from desktop.model_delivery.errors import ReleaseRefused
    from desktop.model_delivery.model_store import ModelStore, Role
    from desktop.model_delivery.updater import UpdateResult, UpdateStatus

    language, open_one = speaking
    lab = _lab(tmp_path)
    models = ModelStore()
    models.install(lab.release(2, version="3"), trusted=lab.trusted)
    with pytest.raises(ReleaseRefused) as refused:  # what an update check meets when the lab replays v2
        models.install(lab.release(1, version="2"), trusted=lab.trusted)
    exc = refused.value
    window = open_one()
    result = UpdateResult(
        Role.CHAMPION, UpdateStatus.REFUSED, "2", refusal=str(exc), reason=exc.reason, facts=exc.facts
    )
    window.model_controller._on_checked([result], True)
    text = _only_box(window).text()
    assert "1" in text and "2" in text and "is not newer" not in text
    if language.code == "de":
        assert GERMAN["not newer"] in text


def test_the_model_dialog_says_why_the_lab_shipped_an_unvetted_model_in_the_language(
    speaking, tmp_path: Path
) -> None:
    from contract.card import CardField, GateVerdict
    from desktop.model_delivery.model_store import ModelStore

    language, open_one = speaking
    lab = _lab(tmp_path)
    reason = "field trial agreed on 2026-12-06"
    card = {CardField.GATE.value: GateVerdict.REFUSED.value, CardField.UNVETTED_REASON.value: reason}
    ModelStore().install(lab.release(1, version="3", edit=lambda d: d.update(card)), trusted=lab.trusted)
    dialog = open_one().model_controller.show_model()
    text = dialog.unvetted_note.text()
    assert text.endswith(f": {reason}") and ("quality gate" in text) == (language.code == "en")
    if language.code == "de":
        assert text == GERMAN["unvetted"].format(reason=reason)


def test_a_damaged_model_record_is_explained_in_the_language(speaking, tmp_path: Path) -> None:
    from desktop.model_delivery.model_store import ModelStore

    language, open_one = speaking
    lab = _lab(tmp_path)
    models = ModelStore()
    models.install(lab.release(1, version="2"), trusted=lab.trusted)
    models.state_path.write_text("{not json", encoding="utf-8")
    window = open_one()
    shown = window.statusBar().currentMessage()
    assert shown and "bundled model predicts" not in shown
    if language.code == "de":
        assert shown == GERMAN["model record"]


def test_an_update_check_that_cannot_ask_the_lab_says_why_in_the_language(speaking, qtbot) -> None:
    language, open_one = speaking
    window = open_one()
    controller = window.model_controller
    window.apply_settings(window.settings.replace(tracking_uri="ftp://lab.example"))
    qtbot.waitUntil(lambda: not controller._checking)  # the automatic check a new server starts
    for box in window.findChildren(QMessageBox):
        box.close()
    controller.check_now(by_hand=True)
    qtbot.waitUntil(lambda: any(box.isVisible() for box in window.findChildren(QMessageBox)))
    text = _only_box(window).text()
    assert "ftp://lab.example" in text and "is not the http" not in text
    if language.code == "de":
        assert text == GERMAN["no server"]


def test_a_damaged_model_at_start_is_explained_in_the_language(speaking, model_copy: Path) -> None:
    from tests.desktop.ui.test_startup_problems import flip_a_byte

    language, open_one = speaking
    model = model_copy / "iris.onnx"
    flip_a_byte(model)
    window = open_one(model_path=model)
    details = _only_box(window).informativeText()
    assert str(model) in details and "does not match its card" not in details
    assert "does not match its card" not in window.unavailable_notice.text()
    if language.code == "de":
        assert GERMAN["model changed"].format(path=model) in details


GERMAN_KEYS = {
    "missing": "Die Schlüsseldatei {path} kann nicht gelesen werden (",
    "not a key": "{path} ist keine Datei mit einem öffentlichen Schlüssel.",
    "already": "Dem Schlüssel {fingerprint} wird bereits vertraut.",
    "private": "{path} ist der private Signaturschlüssel des Labors.",
}


@pytest.mark.parametrize("language", CATALOGUES, ids=lambda language: language.code)
def test_a_key_file_that_cannot_be_trusted_is_refused_in_the_language(
    qtbot, translations, iris_home: Path, tmp_path: Path, language
) -> None:
    from desktop.ui.trusted_keys_page import TrustedKeysPage
    from tests.desktop.model_delivery.release_factory import Lab

    translations.apply(language.code)
    page = TrustedKeysPage(Settings())
    qtbot.addWidget(page)
    lab = Lab.new()
    public = lab.write_public_key(tmp_path / "keys")
    text_file = tmp_path / "notes.txt"
    text_file.write_text("petal lengths, not a key\n", encoding="utf-8")
    private = tmp_path / "lab.key"
    private.write_text("-----BEGIN PRIVATE KEY-----\nMC4CAQ\n-----END PRIVATE KEY-----\n", encoding="utf-8")
    missing = tmp_path / "gone.pub"
    said = {}
    for case, path in (("missing", missing), ("not a key", text_file), ("private", private)):
        page.add_key(str(path))
        said[case] = page.message.text()
        assert str(path) in said[case]
    page.add_key(str(public))
    page.add_key(str(public))
    said["already"] = page.message.text()
    fingerprint = lab.public.fingerprint
    assert fingerprint in said["already"]
    english = ("cannot be read", "is not a PEM", "private signing key", "already trusted")
    assert not any(words in text for text in said.values() for words in english), said
    if language.code == "de":
        assert said["missing"].startswith(GERMAN_KEYS["missing"].format(path=missing))
        assert said["not a key"] == GERMAN_KEYS["not a key"].format(path=text_file)
        assert said["private"].startswith(GERMAN_KEYS["private"].format(path=private))
        assert said["already"] == GERMAN_KEYS["already"].format(fingerprint=fingerprint)


@pytest.mark.parametrize("language", CATALOGUES, ids=lambda language: language.code)
def test_a_key_is_withdrawn_in_settings_in_the_language(
    qtbot, translations, iris_home: Path, tmp_path: Path, language
) -> None:
    from desktop.ui.trusted_keys_page import TrustedKeysPage
    from tests.desktop.model_delivery.release_factory import Lab

    translations.apply(language.code)
    page = TrustedKeysPage(Settings())
    qtbot.addWidget(page)
    lab = Lab.new()
    page.add_key(str(lab.write_public_key(tmp_path / "keys")))
    fingerprint = lab.public.fingerprint
    assert not page.distrust_button.isEnabled()
    page.keys.setCurrentRow(
        [page.keys.item(i).text() for i in range(page.keys.count())].index(
            f"{fingerprint}  ({'hinzugefügt' if language.code == 'de' else 'added'})"
        )
    )
    assert page.distrust_button.isEnabled()
    page.distrust_button.click()
    items = [page.keys.item(i).text() for i in range(page.keys.count())]
    withdrawn = "zurückgezogen am" if language.code == "de" else "withdrawn"
    assert [text for text in items if text.startswith(fingerprint)] == [
        f"{fingerprint}  ({withdrawn} {datetime.now(UTC).date().isoformat()})"
    ]
    if language.code == "de":
        assert page.message.text() == (
            f"Mit dem Schlüssel {fingerprint} signierte Modelle werden ab jetzt abgelehnt."
        )
    page.distrust(fingerprint)  # not trusted any more: said, not raised
    assert fingerprint in page.message.text() and ("Kein" in page.message.text()) == (language.code == "de")


def test_the_status_bar_counts_in_the_languages_number_format(speaking, iris_home: Path, qtbot) -> None:
    from desktop.history.store import ObservationStore
    from tests.desktop.history.test_salvage import observation

    language, open_one = speaking
    with ObservationStore.open() as store:
        store.add_many([observation(i) for i in range(1234)])
    window = open_one()
    qtbot.waitUntil(lambda: window.history.counter.last is not None)
    texts = [label.text() for label in window.statusBar().findChildren(QLabel)]
    number = QLocale(language.code).toString(1234)  # 1.234 in German, 1,234 in English
    assert any(text.startswith(f"{number} ") for text in texts), texts


# ----------------------------------------------------------------- what the sync reports, in the window
GERMAN_SYNC = {
    "unreachable": "Der Server des Labors unter lab.example:5000 ist nicht erreichbar. Die Beobachtungen "
    "werden gesendet, sobald er erreichbar ist.",
    "credentials": "Der Server des Labors unter lab.example:5000 hat Benutzername, Passwort oder Token "
    "abgelehnt (HTTP 403). Prüfen Sie die Angaben unter Einstellungen → Abgleich.",
    "server error": "Der Server des Labors unter lab.example:5000 hatte ein Problem (HTTP 503: Service "
    "Unavailable). Der Abgleich versucht es später erneut.",
    "certificate": "Das Zertifikat des Servers lab.example:5000 lässt sich nicht prüfen (certificate has "
    "expired). Prüfen Sie die Adresse unter Einstellungen → Abgleich oder fragen Sie im Labor nach.",
    "refused": "Der Server des Labors hat die Anfrage abgelehnt (HTTP 400 INVALID_PARAMETER_VALUE: "
    "Invalid value 'x').",
    "run deleted": "Der Run dieser Beobachtung wurde auf dem Server des Labors gelöscht, daher wird sie "
    "nicht erneut gesendet.",
    "two not synced": "2 nicht übertragen",
    "one failed": "1 fehlgeschlagen: Der Verlauf zeigt in der Zeile, warum.",
    "three elsewhere": "3 gehören zu einem anderen Server oder Experiment: siehe Menü Abgleich.",
    "one elsewhere": "1 gehört zu einem anderen Server oder Experiment: siehe Menü Abgleich.",
    "not an address": "„ftp://lab.example“ ist keine http://- oder https://-Adresse eines MLflow-Servers.",
    "password": "Das Passwort von „anna“ für https://lab.example ist auf diesem Laptop nicht bekannt. "
    "Tragen Sie es unter Einstellungen → Abgleich ein.",
}
# Facts with values that show where each lands; every kind of problem is worded with them.
SYNC_FACTS = {
    "uri": "https://lab.example:5000",
    "host": "lab.example:5000",
    "detail": "certificate has expired",
    "status": 403,
    "target": "https://login.example",
    "content": "text/html",
    "code": " INVALID_PARAMETER_VALUE",
    "experiment": "meadow-2026",
    "location": "s3://lab-bucket/runs",
    "run": "4f1c0ffee",
    "holder": "Iris Field",
    "pid": 4242,
    "address": "ftp://lab.example",
    "user": "anna",
    "server": "https://lab.example",
    "cert": "MLFLOW_TRACKING_SERVER_CERT_PATH",
    "insecure": "MLFLOW_TRACKING_INSECURE_TLS",
}


def _english_words(template: str) -> list[str]:
    """Return the longer stretches of plain English between a core sentence's facts."""
    import re

    return [part.strip() for part in re.split(r"\{\w+\}", template) if len(part.strip()) > 12]


@pytest.mark.parametrize("language", CATALOGUES, ids=lambda language: language.code)
def test_every_sync_problem_is_said_in_the_language_with_its_facts(translations, language) -> None:
    import re

    from desktop.mlflow_http.problems import ENGLISH as SERVER_ENGLISH
    from desktop.sync.problems import ENGLISH, SyncProblem, english
    from desktop.ui.sync_words import sync_problem_text

    translations.apply(language.code)
    for problem, template in {**ENGLISH, **SERVER_ENGLISH}.items():
        facts = {name: SYNC_FACTS[name] for name in re.findall(r"\{(\w+)\}", template)}
        text = sync_problem_text(problem, facts, english(problem, facts))
        for value in facts.values():
            assert str(value) in text, (problem, text)
        assert not any(words in text for words in _english_words(template)), (problem, text)
        assert "{" not in text and "?" not in text.replace("? noch #", ""), (problem, text)
    assert SyncProblem.HISTORY not in ENGLISH  # worded by the history's own words (below)


def test_the_sync_problems_read_in_german(translations) -> None:
    from desktop.mlflow_http.problems import ServerProblem
    from desktop.sync.problems import SyncProblem, english
    from desktop.sync.row_failure import RowFailure
    from desktop.ui.sync_words import row_failure_text, sync_problem_text

    translations.apply("de")

    def said(problem: SyncProblem | ServerProblem, **facts: object) -> str:
        return sync_problem_text(problem, facts, english(problem, facts))

    host = SYNC_FACTS["host"]
    assert said(ServerProblem.UNREACHABLE, host=host) == GERMAN_SYNC["unreachable"]
    assert said(ServerProblem.CREDENTIALS, status=403, host=host) == GERMAN_SYNC["credentials"]
    server_error = said(ServerProblem.SERVER_ERROR, host=host, status=503, detail="Service Unavailable")
    assert server_error == GERMAN_SYNC["server error"]
    assert (
        said(ServerProblem.CERTIFICATE, host=host, detail="certificate has expired")
        == GERMAN_SYNC["certificate"]
    )
    assert said(ServerProblem.NOT_AN_ADDRESS, address="ftp://lab.example") == GERMAN_SYNC["not an address"]
    # A row's failure is stored as its kind and facts, and said in German.
    refused = RowFailure(
        ServerProblem.REFUSED,
        {"status": 400, "code": " INVALID_PARAMETER_VALUE", "detail": "Invalid value 'x'"},
    )
    assert row_failure_text(refused.stored()) == GERMAN_SYNC["refused"]
    assert row_failure_text(RowFailure(SyncProblem.RUN_DELETED).stored()) == GERMAN_SYNC["run deleted"]
    # What an earlier version stored as an English sentence, or anything of no known kind, shows as written.
    assert row_failure_text("something a future version wrote") == "something a future version wrote"
    unreadable = {"store_problem": "not-read", "path": "/data/history.sqlite3", "detail": "disk I/O error"}
    assert sync_problem_text(SyncProblem.HISTORY, unreadable, "the history cannot be read") == (
        "Der Beobachtungsverlauf /data/history.sqlite3 kann nicht gelesen werden (disk I/O error)."
    )


@pytest.mark.parametrize("language", CATALOGUES, ids=lambda language: language.code)
def test_the_sync_counts_are_said_in_the_language_with_plural_forms(translations, language) -> None:
    from desktop.sync.report import Phase, SyncProgress
    from desktop.ui.sync_status import status_text, status_tooltip

    locale = translations.apply(language.code)
    two_left = SyncProgress(Phase.DONE, unsynced=2, failed=1, elsewhere=1)
    three_elsewhere = SyncProgress(Phase.DONE, unsynced=3, elsewhere=3)
    text, tooltip = status_text(two_left, locale), status_tooltip(two_left, "https://lab.example")
    more = status_tooltip(three_elsewhere, "https://lab.example")
    assert text.startswith("2") and "not synced" not in text
    assert "failed" not in tooltip and "belong" not in tooltip + more
    many = status_text(SyncProgress(Phase.DONE, unsynced=1234), locale)
    assert many.startswith(f"{locale.toString(1234)} ")  # 1.234 in German: the language's number format
    if language.code == "de":
        assert text == GERMAN_SYNC["two not synced"]
        assert GERMAN_SYNC["one failed"] in tooltip and GERMAN_SYNC["one elsewhere"] in tooltip
        assert GERMAN_SYNC["three elsewhere"] in more


def test_english_counts_observations_in_the_singular_and_the_plural(translations) -> None:
    from desktop.sync.report import Phase, SyncProgress
    from desktop.ui.sync_status import status_tooltip

    one = status_tooltip(SyncProgress(Phase.DONE, unsynced=2, failed=1, elsewhere=1), "https://lab.example")
    two = status_tooltip(SyncProgress(Phase.DONE, unsynced=4, failed=2, elsewhere=2), "https://lab.example")
    assert "1 failed: the history shows why on its row." in one and "1 belongs to another server" in one
    assert "2 failed: the history shows why on each row." in two and "2 belong to another server" in two


def test_a_failed_row_says_why_in_the_language(speaking) -> None:
    from PySide6.QtCore import Qt

    from desktop.sync.problems import SyncProblem
    from desktop.sync.row_failure import RowFailure
    from tests.sync_rows import show_sync_state

    language, open_one = speaking
    path = _history_with_five_observations()
    window = open_one()
    first = window.store.list()[0]
    show_sync_state(path, first.id, "failed", RowFailure(SyncProblem.RUN_DELETED).stored())
    window.refresh_history()
    model = window.history.model
    row = next(r for r in range(model.rowCount()) if model.observation(r).id == first.id)
    tooltip = model.data(model.index(row, 0), Qt.ItemDataRole.ToolTipRole)
    assert "deleted on the MLflow server" not in tooltip
    if language.code == "de":
        assert GERMAN_SYNC["run deleted"] in tooltip


def test_a_missing_password_and_a_wrong_address_are_said_in_the_language(speaking, qtbot) -> None:
    from desktop.sync.credentials import SecretStore
    from desktop.ui.sync_controller import install_sync
    from desktop.ui.sync_settings_page import SyncSettingsPage

    language, open_one = speaking
    window = open_one()
    controller = install_sync(window, SecretStore(use_keyring=False))
    controller.restart(
        window.settings.replace(tracking_uri="https://lab.example", auth="basic", username="anna")
    )
    text, why = controller.status_label.text(), controller.status_label.toolTip()
    assert "anna" in why and "is not known" not in why and "password or token missing" not in text
    page = SyncSettingsPage(window.settings, SecretStore(use_keyring=False))
    qtbot.addWidget(page)
    page.server.setText("ftp://lab.example")
    assert "ftp://lab.example" in page.problem() and "is not an http" not in page.problem()
    if language.code == "de":
        assert text == "Abgleich: Passwort oder Token fehlt" and why == GERMAN_SYNC["password"]
        assert page.problem() == GERMAN_SYNC["not an address"]
    controller.shutdown()


@pytest.mark.parametrize("end", ["ended", "promoted"])
def test_a_challenger_that_ended_is_said_in_the_model_note_in_the_language(speaking, end: str) -> None:
    from desktop.model_delivery.model_store import ChallengerEnd, EndedChallenger, Role
    from desktop.model_delivery.updater import UpdateResult, UpdateStatus

    language, open_one = speaking
    window = open_one()
    ended = EndedChallenger("7", ChallengerEnd(end))
    window.model_controller._on_checked(
        [UpdateResult(Role.CHALLENGER, UpdateStatus.ENDED, "7", ended=ended)], False
    )
    text = _only_box(window).text()
    words = {
        ("en", "ended"): "The lab ended the challenger model v7; it no longer runs in the background.",
        (
            "en",
            "promoted",
        ): "The challenger model v7 became the champion; it no longer runs in the background.",
        ("de", "ended"): "Das Labor hat das Herausforderer-Modell v7 beendet;",
        ("de", "promoted"): "Das Herausforderer-Modell v7 ist jetzt das Hauptmodell;",
    }
    assert text.startswith(words[(language.code, end)])
