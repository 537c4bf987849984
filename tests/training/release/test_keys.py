"""`iris-keys generate` writes an Ed25519 pair: the private half for its owner only, never overwritten."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest

from desktop.model_delivery.signing import load_private_key, load_public_key
from training.release import keys


def test_generate_writes_an_owner_only_key_and_prints_the_fingerprint(tmp_path: Path, cli) -> None:
    code, stdout = cli(keys.main, ["generate", "--out", str(tmp_path / "k")])
    assert code == keys.EXIT_OK
    private, public = tmp_path / "k" / keys.PRIVATE_KEY_FILENAME, tmp_path / "k" / keys.PUBLIC_KEY_FILENAME
    fingerprint = load_public_key(public).fingerprint
    assert stdout.strip().endswith(f"Fingerprint: {fingerprint}")
    if sys.platform != "win32":
        assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert (
        load_private_key(private).public_key().public_bytes_raw()
        == load_public_key(public).key.public_bytes_raw()
    )


def test_a_key_with_a_passphrase_opens_only_with_it(tmp_path: Path, monkeypatch, cli) -> None:
    monkeypatch.setenv(keys.PASSPHRASE_ENV, "correct horse")
    assert cli(keys.main, ["generate", "--out", str(tmp_path), "--passphrase"])[0] == keys.EXIT_OK
    private = tmp_path / keys.PRIVATE_KEY_FILENAME
    assert b"ENCRYPTED" in private.read_bytes()
    load_private_key(private, "correct horse")
    with pytest.raises(Exception, match="passphrase"):
        load_private_key(private, "wrong")


def test_an_existing_key_is_never_overwritten(tmp_path: Path, capsys, cli) -> None:
    cli(keys.main, ["generate", "--out", str(tmp_path)])
    before = (tmp_path / keys.PRIVATE_KEY_FILENAME).read_bytes()
    assert cli(keys.main, ["generate", "--out", str(tmp_path)])[0] == keys.EXIT_FAILURE
    assert "never overwritten" in capsys.readouterr().err
    assert (tmp_path / keys.PRIVATE_KEY_FILENAME).read_bytes() == before
