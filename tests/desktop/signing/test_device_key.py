"""Specification of the laptop's device key: made once, kept privately beside the history, survives damage."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest

from desktop.cli import main as cli
from desktop.paths import data_dir
from desktop.signing import device_key


def test_the_first_start_makes_a_key_in_the_data_folder_and_later_starts_use_it(iris_home: Path) -> None:
    first = device_key.load_or_create()
    assert first.path == data_dir() / "device-key.pem" and first.path.parent == iris_home
    again = device_key.load_or_create()
    assert again.fingerprint == first.fingerprint and again.public_key == first.public_key
    assert len(first.fingerprint) == 16
    assert [p.name for p in iris_home.iterdir()] == ["device-key.pem"]  # no temporary file left


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_only_the_user_may_read_the_key() -> None:
    key = device_key.load_or_create()
    assert stat.S_IMODE(os.stat(key.path).st_mode) == 0o600


def test_a_damaged_key_is_set_aside_and_a_new_one_made(iris_home: Path) -> None:
    old = device_key.load_or_create()
    old.path.write_bytes(b"-----BEGIN PRIVATE KEY-----\ngarbage\n")
    new = device_key.load_or_create()
    assert new.fingerprint != old.fingerprint
    aside = [p for p in iris_home.iterdir() if p.name.startswith("device-key.pem.corrupt-")]
    assert len(aside) == 1 and aside[0].read_bytes().endswith(b"garbage\n")


def test_a_key_another_process_made_first_is_kept_not_replaced(tmp_path: Path) -> None:
    path = tmp_path / "device-key.pem"
    theirs = device_key.load_or_create(path)
    ours = device_key._create(path)  # lost the race: the file appeared between the read and the link
    assert ours.fingerprint == theirs.fingerprint
    assert device_key.load_or_create(path).fingerprint == theirs.fingerprint


def test_the_command_line_shows_the_device_and_its_key_never_the_private_half(
    iris_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    iris_home.mkdir(parents=True, exist_ok=True)
    (iris_home / "settings.json").write_text(json.dumps({"device_name": "laptop-7"}))
    assert cli.run(["device-key"]) == 0
    key = device_key.load_or_create()
    shown = capsys.readouterr().out
    assert f"Device 'laptop-7' signs its observations with key {key.fingerprint}." in shown
    assert key.public_key in shown and "PRIVATE" not in shown
    assert cli.run(["device-key", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed == {
        "format": "iris-field device keys",
        "version": 1,
        "devices": {"laptop-7": [{"fingerprint": key.fingerprint, "public_key": key.public_key}]},
    }
