"""This laptop's Ed25519 device key: made once, kept beside the history, never synced or exported.

The sync signs every run with it (``desktop/signing/observation_signature.py``); the lab checks the signature.
The key lives in ``device-key.pem`` in the data folder (``IRIS_FIELD_HOME`` moves it with the history),
readable by the user only. It is a file rather than an OS keyring entry because it must outlive the
session: where no keyring exists (a headless laptop) the sync keeps secrets for the session only, and a
new key at each start would make the lab distrust the device.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from desktop.model_delivery.signing import fingerprint_of
from desktop.paths import corrupt_aside_path, data_dir
from desktop.signing.observation_signature import public_key_text

log = logging.getLogger(__name__)

DEVICE_KEY_FILE = "device-key.pem"


@dataclass(frozen=True)
class DeviceKey:
    """The device's signing key, with the names the lab knows it by."""

    private: Ed25519PrivateKey
    path: Path

    @property
    def fingerprint(self) -> str:
        """Return the key's short fingerprint (as the signature tags and the lab's key list show it)."""
        return fingerprint_of(self.private.public_key())

    @property
    def public_key(self) -> str:
        """Return the public key as the signature tags carry it (base64 of its raw bytes)."""
        return public_key_text(self.private.public_key())


def device_key_path() -> Path:
    """Return where this laptop's device key is kept (in the data folder, beside the history)."""
    return data_dir() / DEVICE_KEY_FILE


def load_or_create(path: Path | None = None) -> DeviceKey:
    """Return the device key at ``path`` (default: the data folder's), making it the first time.

    A damaged key file is set aside (``device-key.pem.corrupt-<time>``) and a new key made: the lab
    then sees the device's runs as signed by an unknown key until it trusts the new one. ``OSError`` if
    the folder cannot be read or written.
    """
    path = Path(path) if path is not None else device_key_path()
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    except ValueError as exc:
        aside = corrupt_aside_path(path)
        os.replace(path, aside)
        log.warning("the device key %s is damaged (%s); set aside as %s, a new key made", path, exc, aside)
    return _create(path)


def _read(path: Path) -> DeviceKey:
    """Read the key file; ``ValueError`` when it holds no Ed25519 private key."""
    data = path.read_bytes()
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (TypeError, ValueError) as exc:
        raise ValueError("not an unencrypted PEM private key") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("not an Ed25519 key")
    return DeviceKey(key, path)


def _create(path: Path) -> DeviceKey:
    """Make a key and keep it at ``path`` unless another process made one first (then use that one)."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)  # appears whole, and never replaces a key another process just made
        except FileExistsError:
            return _read(path)
        except OSError:  # a file system without hard links (FAT): a rename, still whole
            if path.exists():
                return _read(path)
            os.replace(tmp, path)
        log.info("made this laptop's device key %s (%s)", fingerprint_of(key.public_key()), path)
        return DeviceKey(key, path)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
