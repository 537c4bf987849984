"""The fields of an observation's run its laptop signs, their canonical encoding, and the signature check.

One definition for both sides: the laptop's sync signs (``desktop/sync/run_record.py``) and the lab's
``iris-dataset`` checks (``training/field/runs.py``). The signed document is built from the run's own
params, metrics and tags as they travel (tag values already shortened), so the lab rebuilds it byte for
byte from what MLflow gives back. Which fields are signed, the contract declares
(``contract/observation.py``); everything else (tags the lab adds, the run name, ``synced_at``, the
challenger's shadow answer) stays free to change.

Nothing here imports Qt, MLflow, pandas or scikit-learn: the laptop ships it, the lab imports it.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from contract import observation as fields
from desktop.model_delivery.signing import fingerprint_of

# Version 1 of the signed document: {"version", "params", "metrics", "tags"}, sorted-key compact JSON.
SIGNATURE_VERSION = 1

# ------------------------------------------------------------------ the run keys that are signed
# The contract (contract/observation.py) says which fields the signature covers: the observation's own —
# identity, time, device, observer, place, note, measurements, the prediction and the release that made
# it, the unusual flags, the confirmed species. Not the derived ``species``, the challenger's shadow
# answer, ``app_version`` or ``synced_at``. Fields kept only in observation.json are not in the run, so
# not signed. A field absent from a run (no confirmed species yet, no coordinates) is absent from the
# document too.


def _signed_keys(slot: fields.RunSlot) -> tuple[frozenset[str], tuple[str, ...]]:
    """Return the signed keys of one run slot: exact keys, and the prefixes of signed families."""
    chosen = [f for f in fields.FIELDS if f.signed and f.slot is slot]
    exact = frozenset(f.key for f in chosen if not f.family)
    return exact, tuple(f.key_for("") for f in chosen if f.family)  # "" for the measurements: every param


SIGNED_PARAMS, SIGNED_PARAM_PREFIXES = _signed_keys(fields.RunSlot.PARAM)
SIGNED_METRICS, SIGNED_METRIC_PREFIXES = _signed_keys(fields.RunSlot.METRIC)
SIGNED_TAGS, SIGNED_TAG_PREFIXES = _signed_keys(fields.RunSlot.TAG)

# ------------------------------------------------------------------ the tags that carry the signature
SIGNATURE_VERSION_TAG = fields.SIGNATURE.key_for("version")
SIGNATURE_KEY_TAG = fields.SIGNATURE.key_for("key")  # the key's fingerprint (16 hex digits, as the lab's)
SIGNATURE_PUBLIC_KEY_TAG = fields.SIGNATURE.key_for("public_key")  # the raw Ed25519 public key, base64
SIGNATURE_VALUE_TAG = fields.SIGNATURE.key_for("value")  # the signature of the canonical document, base64
SIGNATURE_TAGS = (SIGNATURE_VERSION_TAG, SIGNATURE_KEY_TAG, SIGNATURE_PUBLIC_KEY_TAG, SIGNATURE_VALUE_TAG)


# The lab's list of trusted device keys (``iris-dataset --device-keys FILE``) and the first-use book it keeps
# are this JSON document; ``iris-field device-key --json`` prints a laptop's own entry in it.
KEY_LIST_FORMAT = "iris-field device keys"
KEY_LIST_VERSION = 1


class Integrity(StrEnum):
    """What the lab can say about one run: the dataset's ``integrity`` column."""

    VERIFIED = "verified"  # signed by the key the lab trusts for its device, and unchanged since
    ALTERED = "altered"  # a signed field changed after signing (or the signature is damaged)
    UNSIGNED = "unsigned"  # no signature: an app from before signing, or one stripped off
    UNKNOWN_KEY = "unknown-key"  # intact, but signed by a key the lab does not trust for that device


class SealState(StrEnum):
    """What a run's own signature says before any trust: present and matching, broken, or absent."""

    INTACT = "intact"
    BROKEN = "broken"
    ABSENT = "absent"


@dataclass(frozen=True)
class Seal:
    """The outcome of checking one run's signature against the key it names, and who that key is."""

    state: SealState
    device: str = ""
    public_key: str = ""  # base64 of the raw key ("" when absent or unreadable)
    fingerprint: str = ""


def public_key_text(key: Ed25519PublicKey) -> str:
    """Return a public key as the signature tags carry it: its 32 raw bytes in base64."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def public_key_from_text(text: str) -> Ed25519PublicKey:
    """Return the public key in ``text`` (base64 of 32 raw bytes); ``ValueError`` if it is none."""
    try:
        raw = base64.b64decode(text, validate=True)
    except binascii.Error as exc:
        raise ValueError("not base64") from exc
    return Ed25519PublicKey.from_public_bytes(raw)


def key_list_document(devices: Mapping[str, Sequence[str]]) -> dict[str, object]:
    """Return a device key list: each device name with its public keys (base64) and their fingerprints."""
    listed = {
        device: [{"fingerprint": fingerprint_of(public_key_from_text(k)), "public_key": k} for k in keys]
        for device, keys in sorted(devices.items())
    }
    return {"format": KEY_LIST_FORMAT, "version": KEY_LIST_VERSION, "devices": listed}


def signed_document(
    params: Mapping[str, str], metrics: Mapping[str, float], tags: Mapping[str, str]
) -> dict[str, object]:
    """Return the signed part of a run: every param, the signed metrics and the signed tags it carries."""
    return {
        "version": SIGNATURE_VERSION,
        "params": {k: str(v) for k, v in params.items() if _signed(k, SIGNED_PARAMS, SIGNED_PARAM_PREFIXES)},
        "metrics": {
            k: float(v) for k, v in metrics.items() if _signed(k, SIGNED_METRICS, SIGNED_METRIC_PREFIXES)
        },
        "tags": {k: str(v) for k, v in tags.items() if _signed(k, SIGNED_TAGS, SIGNED_TAG_PREFIXES)},
    }


def _signed(key: str, exact: frozenset[str], prefixes: tuple[str, ...]) -> bool:
    return key in exact or key.startswith(prefixes)


def canonical_bytes(
    params: Mapping[str, str], metrics: Mapping[str, float], tags: Mapping[str, str]
) -> bytes:
    """Return the bytes a signature covers: the signed document as sorted-key compact UTF-8 JSON.

    ``ValueError`` if a signed metric is not a finite number (JSON cannot carry it).
    """
    document = signed_document(params, metrics, tags)
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.encode("utf-8")


def signature_tags(
    params: Mapping[str, str], metrics: Mapping[str, float], tags: Mapping[str, str], key: Ed25519PrivateKey
) -> dict[str, str]:
    """Return the tags that sign a run with the device's ``key``: version, fingerprint, public key, value."""
    value = key.sign(canonical_bytes(params, metrics, tags))
    public = key.public_key()
    return {
        SIGNATURE_VERSION_TAG: str(SIGNATURE_VERSION),
        SIGNATURE_KEY_TAG: fingerprint_of(public),
        SIGNATURE_PUBLIC_KEY_TAG: public_key_text(public),
        SIGNATURE_VALUE_TAG: base64.b64encode(value).decode("ascii"),
    }


def seal_of(params: Mapping[str, str], metrics: Mapping[str, float], tags: Mapping[str, str]) -> Seal:
    """Check a run's signature against the public key it carries (trust is the caller's question)."""
    device = str(tags.get(fields.DEVICE.key, ""))
    if not any(name in tags for name in SIGNATURE_TAGS):
        return Seal(SealState.ABSENT, device)
    broken = Seal(SealState.BROKEN, device)
    try:
        public = public_key_from_text(str(tags.get(SIGNATURE_PUBLIC_KEY_TAG, "")))
        value = base64.b64decode(str(tags.get(SIGNATURE_VALUE_TAG, "")), validate=True)
    except (ValueError, binascii.Error):
        return broken
    fingerprint = fingerprint_of(public)
    seal = Seal(SealState.BROKEN, device, public_key_text(public), fingerprint)
    named = (tags.get(SIGNATURE_VERSION_TAG), tags.get(SIGNATURE_KEY_TAG))
    if named != (str(SIGNATURE_VERSION), fingerprint):
        return seal
    try:  # a signed metric that is not a finite number cannot have been signed: ValueError
        public.verify(value, canonical_bytes(params, metrics, tags))
    except (InvalidSignature, ValueError):
        return seal
    return Seal(SealState.INTACT, device, seal.public_key, fingerprint)
