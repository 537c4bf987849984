"""Specification of the settings file: round-trips, survives damage, never holds a secret."""

import json
from pathlib import Path

import pytest

from desktop.settings import Settings


def test_missing_file_gives_defaults(iris_home: Path) -> None:
    assert Settings.load() == Settings()
    assert not (iris_home / "settings.json").exists()


def test_saved_settings_load_back_equal(iris_home: Path) -> None:
    changed = Settings().replace(
        language="de",
        observer="Ada Lovelace",
        device_name="field-laptop-3",
        tracking_uri="https://lab.example.org:5000",
        auth="basic",
        username="ada",
        auto_sync=False,
        window_geometry="AdnQywADAAAAAAAA",
        splitter_state="AAAA/wAAAAEAAAAC",
    )
    changed.save()
    assert (iris_home / "settings.json").exists()
    assert Settings.load() == changed
    assert Settings.load() != Settings()


def test_save_replaces_the_file_atomically_and_leaves_no_temp_files(iris_home: Path) -> None:
    Settings(observer="one").save()
    Settings(observer="two").save()
    assert [p.name for p in iris_home.iterdir()] == ["settings.json"]
    assert Settings.load().observer == "two"


def test_saved_json_holds_exactly_the_known_fields_and_no_secret(iris_home: Path) -> None:
    Settings(auth="token", username="ada", tracking_uri="https://lab.example.org").save()
    data = json.loads((iris_home / "settings.json").read_text(encoding="utf-8"))
    assert set(data) == set(Settings().to_dict())
    lowered = " ".join(data).lower()
    for secret in ("password", "token_value", "secret", "api_key", "apikey"):
        assert secret not in lowered
    assert not any(key.lower() in {"token", "password"} for key in data)


def test_a_secret_written_into_the_file_by_hand_is_ignored_and_dropped_on_save(iris_home: Path) -> None:
    iris_home.mkdir(parents=True)
    path = iris_home / "settings.json"
    path.write_text(json.dumps({"observer": "Ada", "password": "hunter2", "token": "abc"}))
    loaded = Settings.load()
    assert loaded.observer == "Ada"
    loaded.save()
    assert "hunter2" not in path.read_text() and "abc" not in path.read_text()


@pytest.mark.parametrize("content", ["{ not json", "[1, 2, 3]", '"just a string"', "\xff\xfe garbage"])
def test_a_corrupt_file_gives_defaults_and_is_kept_aside(iris_home: Path, content: str) -> None:
    iris_home.mkdir(parents=True)
    path = iris_home / "settings.json"
    path.write_text(content, encoding="latin-1")
    assert Settings.load() == Settings()
    if content.startswith("\xff"):
        return  # undecodable text: defaults, and the file is left where it is
    assert not path.exists()
    kept = list(iris_home.glob("settings.json.corrupt-*"))
    assert len(kept) == 1 and kept[0].read_text(encoding="latin-1") == content


def test_fields_of_the_wrong_type_or_unknown_value_fall_back_to_their_defaults(iris_home: Path) -> None:
    iris_home.mkdir(parents=True)
    (iris_home / "settings.json").write_text(
        json.dumps(
            {"language": "klingon", "auth": "magic", "auto_sync": "yes", "observer": 42, "username": "ada"}
        )
    )
    loaded = Settings.load()
    assert loaded == Settings(username="ada")


def test_an_explicit_path_is_honoured(tmp_path: Path) -> None:
    path = tmp_path / "elsewhere" / "prefs.json"
    Settings(observer="Grace").save(path)
    assert Settings.load(path).observer == "Grace"


def test_replace_returns_a_new_object_and_keeps_the_original(iris_home: Path) -> None:
    original = Settings()
    changed = original.replace(observer="Ada")
    assert original.observer == "" and changed.observer == "Ada"
