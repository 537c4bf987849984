"""The public keys the app trusts: those bundled in ``assets/keys/`` plus those the user added."""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from desktop.atomic_file import atomic_text_writer
from desktop.model_delivery.errors import KeyFileError, KeyProblem
from desktop.model_delivery.signing import (
    PublicKey,
    load_public_key,
    public_key_from_pem,
    unreadable_key_file,
)
from desktop.paths import data_dir
from desktop.resources import asset_path

KEY_SUFFIX = ".pub"
USER_KEYS_FOLDER = "trusted-keys"


class KeyOrigin(StrEnum):
    """Where a trusted key came from."""

    BUNDLED = "bundled"
    USER = "added"


@dataclass(frozen=True)
class TrustedKey:
    """One trusted key as the user sees it in the list."""

    key: PublicKey
    origin: KeyOrigin

    @property
    def fingerprint(self) -> str:
        """Return the key's short fingerprint."""
        return self.key.fingerprint


def bundled_keys_dir() -> Path:
    """Return the folder of keys that ship with the app."""
    return asset_path("keys")


def user_keys_dir() -> Path:
    """Return the folder of keys the user added (inside the data folder, so IRIS_FIELD_HOME moves it)."""
    return data_dir() / USER_KEYS_FOLDER


def _keys_in(folder: Path, origin: KeyOrigin) -> list[TrustedKey]:
    found = []
    for path in sorted(folder.glob(f"*{KEY_SUFFIX}")) if folder.is_dir() else []:
        try:
            found.append(TrustedKey(load_public_key(path), origin))
        except KeyFileError:
            continue  # a damaged key file trusts nobody; the others still count
    return found


def list_trusted_keys() -> list[TrustedKey]:
    """Return every trusted key, bundled ones first, each fingerprint once."""
    seen: dict[str, TrustedKey] = {}
    for entry in _keys_in(bundled_keys_dir(), KeyOrigin.BUNDLED) + _keys_in(user_keys_dir(), KeyOrigin.USER):
        seen.setdefault(entry.fingerprint, entry)
    return list(seen.values())


def trusted_keys() -> dict[str, PublicKey]:
    """Return the trusted keys by fingerprint, as signature verification wants them."""
    return {entry.fingerprint: entry.key for entry in list_trusted_keys()}


def trust_key_file(path: Path) -> TrustedKey:
    """Add the public key in ``path`` to the user's trusted keys.

    Raise ``KeyFileError`` if it is not one, is trusted already, or cannot be kept.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise unreadable_key_file(path, exc) from exc
    if b"PRIVATE KEY" in data:
        raise KeyFileError(
            f"{path} is a private signing key; give the laptop the .pub file, never the key",
            KeyProblem.PRIVATE_KEY,
            path=path,
        )
    key = public_key_from_pem(data, Path(path))
    if key.fingerprint in trusted_keys():
        raise KeyFileError(
            f"the key {key.fingerprint} is already trusted",
            KeyProblem.ALREADY_TRUSTED,
            fingerprint=key.fingerprint,
        )
    folder = user_keys_dir()
    target = folder / f"{key.fingerprint}{KEY_SUFFIX}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with atomic_text_writer(target) as handle:
            handle.write(key.pem().decode("ascii"))
    except OSError as exc:
        detail = exc.strerror or str(exc)
        message = f"the key cannot be kept in {folder} ({detail})"
        raise KeyFileError(message, KeyProblem.NOT_SAVED, folder=folder, detail=detail) from exc
    return TrustedKey(PublicKey(key.fingerprint, key.key, target), KeyOrigin.USER)


def untrust_key(fingerprint: str) -> bool:
    """Remove a key the user added; return False if there was none (bundled keys cannot be removed)."""
    target = user_keys_dir() / f"{fingerprint}{KEY_SUFFIX}"
    try:
        os.unlink(target)
    except FileNotFoundError:
        return False
    return True
