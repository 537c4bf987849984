"""Key rotation: a statement signed by the lab's old key names its new key; laptops switch over."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from desktop.model_delivery.errors import KeyFileError, Refusal, ReleaseRefused
from desktop.model_delivery.signing import SIGNATURE_FIELD, public_key_from_pem, verify
from desktop.model_delivery.statements import KIND_FIELD, StatementKind, statement_kind


@dataclass(frozen=True)
class KeyRotation:
    """The old key's signed word that releases are signed with the new key from ``rotated_at`` on."""

    old_key: str
    new_key: str
    new_key_pem: str
    rotated_at: str

    def to_dict(self) -> dict[str, Any]:
        """Return the statement as JSON-ready data (unsigned)."""
        return {
            KIND_FIELD: StatementKind.KEY_ROTATION.value,
            "old_key": self.old_key,
            "new_key": self.new_key,
            "new_key_pem": self.new_key_pem,
            "rotated_at": self.rotated_at,
        }

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> KeyRotation:
        """Read a rotation statement; raise ``ReleaseRefused`` if it is malformed."""
        if statement_kind(document) is not StatementKind.KEY_ROTATION:
            raise ReleaseRefused(Refusal.NOT_A_MODEL_FILE, "this is not a key rotation statement")
        try:
            rotation = cls(
                str(document["old_key"]),
                str(document["new_key"]),
                str(document["new_key_pem"]),
                str(document["rotated_at"]),
            )
            datetime.fromisoformat(rotation.rotated_at)
        except (KeyError, TypeError, ValueError) as exc:
            raise ReleaseRefused(
                Refusal.WRONG_SCHEMA, f"the key rotation statement is malformed ({exc})"
            ) from exc
        return rotation


def apply_rotation(document: Mapping[str, Any]) -> KeyRotation | None:
    """Trust the new key and withdraw the old one; None when this laptop has applied it already.

    Raise ``ReleaseRefused`` unless the statement is signed by the old key and this laptop trusts it.
    """
    from desktop.model_delivery.trusted_keys import keep_key, trusted_keys, withdraw_key, withdrawn_keys

    rotation = KeyRotation.from_document(document)
    withdrawn = withdrawn_keys()
    done = withdrawn.get(rotation.old_key)
    if done is not None and done.replaced_by == rotation.new_key and rotation.new_key in trusted_keys():
        return None
    signer = str(dict(document.get(SIGNATURE_FIELD) or {}).get("key", ""))
    if signer != rotation.old_key:
        raise ReleaseRefused(
            Refusal.BAD_SIGNATURE,
            f"the key rotation away from key {rotation.old_key} is signed by key {signer or '?'}, "
            "not by that key itself",
        )
    verify(document, trusted_keys(), withdrawn, what="the key rotation")
    try:
        new_key = public_key_from_pem(rotation.new_key_pem.encode("ascii", "replace"))
    except KeyFileError as exc:
        raise ReleaseRefused(Refusal.WRONG_SCHEMA, f"the key rotation's new key is unusable ({exc})") from exc
    if new_key.fingerprint != rotation.new_key:
        raise ReleaseRefused(
            Refusal.WRONG_SCHEMA, "the key rotation names a fingerprint its new key does not have"
        )
    if new_key.fingerprint in withdrawn:
        raise ReleaseRefused(
            Refusal.WITHDRAWN_KEY,
            f"the key rotation hands over to key {new_key.fingerprint}, which this laptop stopped trusting",
            key=new_key.fingerprint,
            withdrawn_at=withdrawn[new_key.fingerprint].withdrawn_at[:10],
            replaced_by=withdrawn[new_key.fingerprint].replaced_by,
        )
    if new_key.fingerprint not in trusted_keys():
        keep_key(new_key)
    withdraw_key(rotation.old_key, replaced_by=rotation.new_key)
    return rotation


def apply_rotations(documents: Iterable[Mapping[str, Any]]) -> list[KeyRotation]:
    """Apply every rotation this laptop can follow, in chain order (A→B before B→C); return those applied.

    A statement that cannot be applied (signed by a key this laptop never trusted) is left alone.
    """
    pending = list(documents)
    applied: list[KeyRotation] = []
    progress = True
    while pending and progress:
        progress = False
        for document in list(pending):
            try:
                rotation = apply_rotation(document)
            except ReleaseRefused:
                continue
            pending.remove(document)
            progress = True
            if rotation is not None:
                applied.append(rotation)
    return applied
