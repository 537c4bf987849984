"""The public keys the app trusts: those bundled in ``assets/keys/`` plus those the user added."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from desktop.atomic_file import atomic_text_writer
from desktop.model_delivery.errors import KeyFileError, KeyProblem
from desktop.model_delivery.signing import (
    PublicKey,
    Withdrawal,
    load_public_key,
    public_key_from_pem,
    unreadable_key_file,
)
from desktop.paths import data_dir
from desktop.resources import asset_path

KEY_SUFFIX = ".pub"
USER_KEYS_FOLDER = "trusted-keys"
WITHDRAWN_FILENAME = "withdrawn.json"  # in the user's keys folder: keys no longer trusted, bundled ones too


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
    """Return every trusted key, bundled ones first, each fingerprint once; withdrawn keys are left out."""
    withdrawn = withdrawn_keys()
    seen: dict[str, TrustedKey] = {}
    for entry in _keys_in(bundled_keys_dir(), KeyOrigin.BUNDLED) + _keys_in(user_keys_dir(), KeyOrigin.USER):
        if entry.fingerprint not in withdrawn:
            seen.setdefault(entry.fingerprint, entry)
    return list(seen.values())


def withdrawn_keys() -> dict[str, Withdrawal]:
    """Return the keys this laptop stopped trusting (by hand or by a lab's rotation), by fingerprint.

    A damaged record reads as empty only where it is missing; otherwise ``KeyFileError`` says why, since
    forgetting a withdrawal would trust a key again without a word.
    """
    path = user_keys_dir() / WITHDRAWN_FILENAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {
            str(fp): Withdrawal(str(fp), str(entry["withdrawn_at"]), str(entry.get("replaced_by", "")))
            for fp, entry in dict(data).items()
        }
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise KeyFileError(
            f"the record of withdrawn keys {path} is damaged ({exc}); restore it or remove it knowingly",
            KeyProblem.UNREADABLE,
            path=path,
            detail=str(exc),
        ) from exc


def withdraw_key(fingerprint: str, replaced_by: str = "", now: datetime | None = None) -> Withdrawal:
    """Stop trusting ``fingerprint`` for good (its added key file goes too); return the withdrawal."""
    withdrawn = withdrawn_keys()
    withdrawal = Withdrawal(
        fingerprint, (now or datetime.now(UTC)).isoformat(timespec="seconds"), replaced_by
    )
    withdrawn[fingerprint] = withdrawal
    _write_withdrawn(withdrawn)
    untrust_key(fingerprint)
    return withdrawal


def distrust_key(fingerprint: str, now: datetime | None = None) -> Withdrawal:
    """Stop trusting a key by hand (bundled or added); raise ``KeyFileError`` if it is not trusted here."""
    if fingerprint not in trusted_keys():
        raise KeyFileError(
            f"no trusted key has the fingerprint {fingerprint!r} (`iris-field model status` lists them)",
            KeyProblem.NOT_TRUSTED,
            fingerprint=fingerprint,
        )
    return withdraw_key(fingerprint, now=now)


def _write_withdrawn(withdrawn: dict[str, Withdrawal]) -> None:
    folder = user_keys_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with atomic_text_writer(folder / WITHDRAWN_FILENAME) as handle:
            document = {fp: w.to_dict() for fp, w in sorted(withdrawn.items())}
            handle.write(json.dumps(document, indent=2) + "\n")
    except OSError as exc:
        detail = exc.strerror or str(exc)
        message = f"the withdrawal cannot be kept in {folder} ({detail})"
        raise KeyFileError(message, KeyProblem.NOT_SAVED, folder=folder, detail=detail) from exc


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
    if _lift_withdrawal(key.fingerprint) and key.fingerprint in trusted_keys():
        return TrustedKey(key, KeyOrigin.BUNDLED)  # a bundled key distrusted by hand, trusted again
    if key.fingerprint in trusted_keys():
        raise KeyFileError(
            f"the key {key.fingerprint} is already trusted",
            KeyProblem.ALREADY_TRUSTED,
            fingerprint=key.fingerprint,
        )
    return TrustedKey(keep_key(key), KeyOrigin.USER)


def _lift_withdrawal(fingerprint: str) -> bool:
    """Let a key withdrawn by hand be trusted again (True if it was); refuse one a rotation replaced."""
    withdrawn = withdrawn_keys()
    withdrawal = withdrawn.pop(fingerprint, None)
    if withdrawal is None:
        return False
    if withdrawal.replaced_by:
        raise KeyFileError(
            f"the key {fingerprint} was replaced by the lab's key {withdrawal.replaced_by} on "
            f"{withdrawal.withdrawn_at[:10]}; a replaced key is never trusted again",
            KeyProblem.REPLACED,
            fingerprint=fingerprint,
            replaced_by=withdrawal.replaced_by,
        )
    _write_withdrawn(withdrawn)
    return True


def keep_key(key: PublicKey) -> PublicKey:
    """Save ``key`` among the user's trusted keys; raise ``KeyFileError`` if it cannot be kept."""
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
    return PublicKey(key.fingerprint, key.key, target)


def untrust_key(fingerprint: str) -> bool:
    """Remove a key the user added; return False if there was none (bundled keys cannot be removed)."""
    target = user_keys_dir() / f"{fingerprint}{KEY_SUFFIX}"
    try:
        os.unlink(target)
    except FileNotFoundError:
        return False
    return True
