"""Specification of the lab's device key book: trust on first use, or the lab's own list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from desktop.model_delivery.signing import fingerprint_of
from desktop.signing.observation_signature import (
    Integrity,
    Seal,
    SealState,
    public_key_from_text,
    public_key_text,
)
from training.accounts import device_keys
from training.accounts.device_keys import DeviceKeyBook, DeviceKeysError


def key_text() -> str:
    return public_key_text(Ed25519PrivateKey.generate().public_key())


ADA, ADA_NEW, BEN = key_text(), key_text(), key_text()


def intact(device: str, key: str) -> Seal:
    return Seal(SealState.INTACT, device, key, "")


def test_first_use_trusts_the_first_key_seen_per_device_and_no_other() -> None:
    book = DeviceKeyBook()
    assert book.judge(intact("laptop-ada", ADA)) is Integrity.VERIFIED
    assert book.judge(intact("laptop-ben", BEN)) is Integrity.VERIFIED
    assert book.judge(intact("laptop-ada", ADA)) is Integrity.VERIFIED
    assert book.judge(intact("laptop-ada", ADA_NEW)) is Integrity.UNKNOWN_KEY
    assert book.judge(intact("laptop-ada", BEN)) is Integrity.UNKNOWN_KEY
    assert book.learned == 2 and book.devices == {"laptop-ada": [ADA], "laptop-ben": [BEN]}


def test_broken_and_absent_signatures_are_altered_and_unsigned_and_teach_nothing() -> None:
    book = DeviceKeyBook()
    assert book.judge(Seal(SealState.BROKEN, "laptop-ada", ADA_NEW)) is Integrity.ALTERED
    assert book.judge(Seal(SealState.ABSENT, "laptop-ada")) is Integrity.UNSIGNED
    assert book.devices == {}
    assert book.judge(intact("", ADA)) is Integrity.UNKNOWN_KEY  # a run naming no device is nobody's


def test_the_labs_list_trusts_only_its_keys_and_learns_nothing(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    listed = {"laptop-ada": [{"fingerprint": "", "public_key": ADA}, ADA_NEW]}
    path.write_text(json.dumps({"format": device_keys.FORMAT, "version": 1, "devices": listed}))
    book = device_keys.read(path, learns=False)
    assert book.judge(intact("laptop-ada", ADA)) is Integrity.VERIFIED
    assert book.judge(intact("laptop-ada", ADA_NEW)) is Integrity.VERIFIED  # a replaced laptop: both
    assert book.judge(intact("laptop-ben", BEN)) is Integrity.UNKNOWN_KEY
    assert book.devices.keys() == {"laptop-ada"} and book.trust.startswith("list ")


def test_a_first_use_book_written_out_reads_back_as_the_labs_list(tmp_path: Path) -> None:
    book = DeviceKeyBook()
    book.judge(intact("laptop-ada", ADA))
    path = tmp_path / device_keys.KEYS_FILE
    path.write_text(book.to_json())
    document = json.loads(path.read_text())
    fingerprint = fingerprint_of(public_key_from_text(ADA))
    assert document["devices"] == {"laptop-ada": [{"fingerprint": fingerprint, "public_key": ADA}]}
    assert device_keys.read(path, learns=False).devices == {"laptop-ada": [ADA]}
    assert device_keys.for_snapshot(tmp_path, None).devices == {"laptop-ada": [ADA]}
    assert device_keys.for_snapshot(tmp_path / "empty", None).devices == {}


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("not json", "is not JSON"),
        ('{"devices": {}}', "is not a device key list"),
        (json.dumps({"format": device_keys.FORMAT}), 'has no "devices" object'),
        (json.dumps({"format": device_keys.FORMAT, "devices": {"a": ["xyz"]}}), "not an Ed25519 public key"),
        (
            json.dumps(
                {"format": device_keys.FORMAT, "devices": {"a": [{"public_key": ADA, "fingerprint": "0"}]}}
            ),
            "whose fingerprint is",
        ),
    ],
)
def test_a_bad_key_list_is_refused_in_one_sentence(tmp_path: Path, content: str, says: str) -> None:
    path = tmp_path / "keys.json"
    path.write_text(content)
    with pytest.raises(DeviceKeysError, match=says) as caught:
        device_keys.read(path, learns=False)
    assert str(path) in str(caught.value) and "\n" not in str(caught.value)


def test_a_missing_key_list_is_named() -> None:
    with pytest.raises(DeviceKeysError, match="cannot be read"):
        device_keys.read(Path("/nonexistent/keys.json"), learns=False)
