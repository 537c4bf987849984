"""Ed25519 signatures over a model card's canonical JSON, and the short fingerprints that name keys."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from desktop.model_delivery.errors import KeyFileError, KeyProblem, Refusal, ReleaseRefused

SIGNATURE_FIELD = "signature"
ALGORITHM = "ed25519"
FINGERPRINT_HEX_DIGITS = 16


@dataclass(frozen=True)
class PublicKey:
    """A public key the app may trust, named by its fingerprint."""

    fingerprint: str
    key: Ed25519PublicKey
    source: Path | None = None

    def pem(self) -> bytes:
        """Return the key as PEM text (SubjectPublicKeyInfo)."""
        return self.key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


@dataclass(frozen=True)
class Withdrawal:
    """A key this laptop no longer trusts: when, and the key a lab's rotation named instead ("" by hand)."""

    fingerprint: str
    withdrawn_at: str
    replaced_by: str = ""

    def to_dict(self) -> dict[str, str]:
        """Return the withdrawal as JSON-ready data."""
        return {"withdrawn_at": self.withdrawn_at, "replaced_by": self.replaced_by}


def fingerprint_of(key: Ed25519PublicKey) -> str:
    """Return the short fingerprint of a public key: the first hex digits of the SHA-256 of its raw bytes."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:FINGERPRINT_HEX_DIGITS]


def public_key_from_pem(data: bytes, source: Path | None = None) -> PublicKey:
    """Parse a PEM public key; raise ``KeyFileError`` unless it is an Ed25519 key."""
    where = f"{source}" if source else "the key"
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as exc:
        raise KeyFileError(f"{where} is not a PEM public key", KeyProblem.NOT_PEM, path=where) from exc
    if not isinstance(key, Ed25519PublicKey):
        raise KeyFileError(f"{where} is not an Ed25519 public key", KeyProblem.NOT_ED25519, path=where)
    return PublicKey(fingerprint_of(key), key, source)


def unreadable_key_file(path: Path, exc: OSError) -> KeyFileError:
    """Return the error for a key file the system would not let us read (its own reason in the facts)."""
    detail = exc.strerror or str(exc)
    message = f"the key file {path} cannot be read: {detail}"
    return KeyFileError(message, KeyProblem.UNREADABLE, path=path, detail=detail)


def load_public_key(path: Path) -> PublicKey:
    """Read a ``.pub`` file; raise ``KeyFileError`` in plain words."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise unreadable_key_file(path, exc) from exc
    return public_key_from_pem(data, Path(path))


def load_private_key(path: Path, passphrase: str | None = None) -> Ed25519PrivateKey:
    """Read a signing key file (PEM PKCS#8, optionally encrypted); raise ``KeyFileError`` in plain words."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise KeyFileError(f"the signing key {path} cannot be read: {exc.strerror or exc}") from exc
    try:
        key = serialization.load_pem_private_key(data, passphrase.encode() if passphrase else None)
    except TypeError as exc:  # encrypted without a passphrase, or a passphrase for a plain key
        raise KeyFileError(f"the signing key {path} needs its passphrase ({exc})") from exc
    except ValueError as exc:
        raise KeyFileError(f"the signing key {path} cannot be opened: wrong passphrase or not a key") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"the signing key {path} is not an Ed25519 key")
    return key


def canonical_json(document: Mapping[str, Any]) -> bytes:
    """Return the bytes a signature covers: the document without its signature, keys sorted, no spaces."""
    unsigned = {k: v for k, v in document.items() if k != SIGNATURE_FIELD}
    text = json.dumps(unsigned, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.encode("utf-8")


def sign(document: Mapping[str, Any], key: Ed25519PrivateKey) -> dict[str, Any]:
    """Return ``document`` with a ``signature`` block over its canonical JSON."""
    value = key.sign(canonical_json(document))
    signature = {
        "algorithm": ALGORITHM,
        "key": fingerprint_of(key.public_key()),
        "value": base64.b64encode(value).decode("ascii"),
    }
    return {**{k: v for k, v in document.items() if k != SIGNATURE_FIELD}, SIGNATURE_FIELD: signature}


def verify(
    document: Mapping[str, Any],
    trusted: Mapping[str, PublicKey],
    withdrawn: Mapping[str, Withdrawal] | None = None,
    *,
    what: str = "the model card",
) -> PublicKey:
    """Return the trusted key that signed ``document``; raise ``ReleaseRefused`` otherwise.

    A key in ``withdrawn`` is refused even where ``trusted`` still holds it; ``what`` names the document.
    """
    signature = document.get(SIGNATURE_FIELD)
    if not isinstance(signature, dict) or not signature.get("value"):
        raise ReleaseRefused(Refusal.UNSIGNED, f"{what} is not signed, so it could come from anyone")
    fingerprint = str(signature.get("key", ""))
    if signature.get("algorithm") != ALGORITHM:
        raise ReleaseRefused(
            Refusal.UNSIGNED, f"{what} is signed with {signature.get('algorithm')!r}, not {ALGORITHM}"
        )
    withdrawal = (withdrawn or {}).get(fingerprint)
    if withdrawal is not None:
        instead = f", replaced by key {withdrawal.replaced_by}" if withdrawal.replaced_by else ""
        raise ReleaseRefused(
            Refusal.WITHDRAWN_KEY,
            f"{what} is signed by key {fingerprint}, which this laptop stopped trusting on "
            f"{withdrawal.withdrawn_at[:10]}{instead}",
            key=fingerprint,
            withdrawn_at=withdrawal.withdrawn_at[:10],
            replaced_by=withdrawal.replaced_by,
        )
    key = trusted.get(fingerprint)
    if key is None:
        raise ReleaseRefused(
            Refusal.UNKNOWN_KEY,
            f"{what} is signed by key {fingerprint or '?'}, which this app does not trust "
            "(add the lab's public key with `iris-field model trust FILE`)",
            key=fingerprint or "?",
        )
    try:
        key.key.verify(base64.b64decode(str(signature["value"]), validate=True), canonical_json(document))
    except (InvalidSignature, ValueError) as exc:
        raise ReleaseRefused(
            Refusal.BAD_SIGNATURE,
            f"the signature of {what} by key {fingerprint} does not match its content; it was changed "
            "after signing",
        ) from exc
    return key
