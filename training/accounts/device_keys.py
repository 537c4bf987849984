"""Which device key the lab trusts for which laptop: trust on first use, or a list the lab keeps.

``iris-dataset`` judges every run's signature (``desktop/signing/observation_signature.py``) with a book of
keys. Without ``--device-keys`` the book learns: the first intact signature seen for a device name makes
its key that device's, and the book is kept in the snapshot folder (``device-keys.json``) so later runs
judge by the same keys. With ``--device-keys FILE`` only the keys in that file count, and nothing is learned.
Both are the same JSON, so a reviewed ``device-keys.json`` can become the lab's list::

    {"format": "iris-field device keys", "version": 1,
     "devices": {"laptop-ada": [{"fingerprint": "1a2b…", "public_key": "base64 of the raw key"}]}}
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from desktop.model_delivery.signing import fingerprint_of
from desktop.signing.observation_signature import (
    KEY_LIST_FORMAT,
    KEY_LIST_VERSION,
    Integrity,
    Seal,
    SealState,
    key_list_document,
    public_key_from_text,
)
from training.errors import TrainingError

KEYS_FILE = "device-keys.json"
FORMAT = KEY_LIST_FORMAT
VERSION = KEY_LIST_VERSION
FIRST_USE = "first use"


class DeviceKeysError(TrainingError):
    """A device key list cannot be read or is not one."""


@dataclass
class DeviceKeyBook:
    """The public keys trusted per device name (base64 raw keys), and whether unknown devices are learned."""

    devices: dict[str, list[str]] = field(default_factory=dict)
    learns: bool = True
    source: str = FIRST_USE  # "first use", or the key list's path
    learned: int = 0  # devices first seen by this book (trust on first use)

    def judge(self, seal: Seal) -> Integrity:
        """Return the integrity of a run whose signature check gave ``seal``; learn its key if first seen."""
        if seal.state is SealState.ABSENT:
            return Integrity.UNSIGNED
        if seal.state is SealState.BROKEN:
            return Integrity.ALTERED
        known = self.devices.get(seal.device)
        if known is None and self.learns and seal.device:
            self.devices[seal.device] = [seal.public_key]
            self.learned += 1
            return Integrity.VERIFIED
        return Integrity.VERIFIED if known and seal.public_key in known else Integrity.UNKNOWN_KEY

    @property
    def trust(self) -> str:
        """Return what the verdicts rest on, for the snapshot state: first use, or the list's digest."""
        if self.learns:
            return FIRST_USE
        listed = json.dumps(self.devices, sort_keys=True).encode("utf-8")
        return f"list {hashlib.sha256(listed).hexdigest()[:16]}"

    def to_json(self) -> str:
        """Return the book as the key list file holds it."""
        return json.dumps(key_list_document(self.devices), indent=2, ensure_ascii=False) + "\n"


def read(path: Path, *, learns: bool) -> DeviceKeyBook:
    """Read a key list; ``DeviceKeysError`` in one sentence when it cannot be read or is not a key list."""
    path = Path(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DeviceKeysError(f"the device key list {path} cannot be read: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise DeviceKeysError(f"the device key list {path} is not JSON ({exc})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise DeviceKeysError(f"{path} is not a device key list (its format must be {FORMAT!r})")
    devices = document.get("devices")
    if not isinstance(devices, dict):
        raise DeviceKeysError(f'the device key list {path} has no "devices" object')
    book = DeviceKeyBook(learns=learns, source=FIRST_USE if learns else str(path))
    for device, entries in devices.items():
        book.devices[str(device)] = [_entry_key(path, device, entry) for entry in _as_list(entries)]
    return book


def for_snapshot(folder: Path, key_list: Path | None) -> DeviceKeyBook:
    """Return the book to judge a snapshot by: the lab's list if given, else the folder's first-use book."""
    if key_list is not None:
        return read(key_list, learns=False)
    kept = Path(folder) / KEYS_FILE
    return read(kept, learns=True) if kept.exists() else DeviceKeyBook()


def _as_list(entries: object) -> list[object]:
    return entries if isinstance(entries, list) else [entries]


def _entry_key(path: Path, device: str, entry: object) -> str:
    """Return one listed key (an object with ``public_key``, or the key's text itself), checked."""
    text = entry.get("public_key") if isinstance(entry, dict) else entry
    try:
        key = public_key_from_text(str(text))
    except ValueError:
        raise DeviceKeysError(
            f"the device key list {path} names a key for {device!r} that is not an Ed25519 public key "
            "(base64 of its 32 bytes)"
        ) from None
    listed = entry.get("fingerprint") if isinstance(entry, dict) else None
    if listed and listed != fingerprint_of(key):
        raise DeviceKeysError(
            f"the device key list {path} gives {device!r} a key whose fingerprint is "
            f"{fingerprint_of(key)}, not {listed}"
        )
    return str(text)
