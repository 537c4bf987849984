"""The fields of an observation's run its laptop signs, their canonical encoding, and the signature check.

One definition for both sides: the laptop's sync signs (``desktop/sync/run_record.py``) and the lab's
``iris-dataset`` checks (``training/field_runs.py``). The signed document is built from the run's own
params, metrics and tags as they travel (tag values already shortened), so the lab rebuilds it byte for
byte from what MLflow gives back. Everything outside the signed names (other tags the lab adds, the run
name, ``synced_at``, the challenger's shadow answer) stays free to change.

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

from desktop.model_delivery.signing import fingerprint_of

# Version 1 of the signed document: {"version", "params", "metrics", "tags"}, sorted-key compact JSON.
SIGNATURE_VERSION = 1

# ------------------------------------------------------------------ the run keys that are signed
OBSERVATION_ID_TAG = "observation_id"
OBSERVED_AT_TAG = "observed_at"
PREDICTED_SPECIES_TAG = "predicted_species"
SPECIES_TAG = "species"  # the confirmed species, else the predicted one: one column in the runs table
CONFIRMED_SPECIES_TAG = "confirmed_species"
MODEL_NAME_TAG = "model_name"
MODEL_VERSION_TAG = "model_version"
MODEL_SHA256_TAG = "model_sha256"
MODEL_REGISTRY_TAG = "model_registry"
MODEL_SEQUENCE_TAG = "model_sequence"
OBSERVER_TAG = "observer"
DEVICE_TAG = "device"
NOTE_TAG = "note"
LOCATION_TAG = "location"
LATITUDE_TAG = "latitude"
LONGITUDE_TAG = "longitude"
CONFIDENCE_METRIC = "confidence"
PROBABILITY_PREFIX = "probability."

# The observation's own fields: identity, time, device, observer, place, note, prediction and the release
# that made it, and the confirmed species. Tags absent from a run (no confirmed species yet, no
# coordinates, an unsigned model's release) are absent from the document too.
SIGNED_TAGS: tuple[str, ...] = (
    OBSERVATION_ID_TAG,
    OBSERVED_AT_TAG,
    DEVICE_TAG,
    OBSERVER_TAG,
    LOCATION_TAG,
    LATITUDE_TAG,
    LONGITUDE_TAG,
    NOTE_TAG,
    PREDICTED_SPECIES_TAG,
    CONFIRMED_SPECIES_TAG,
    SPECIES_TAG,
    MODEL_NAME_TAG,
    MODEL_VERSION_TAG,
    MODEL_SHA256_TAG,
    MODEL_REGISTRY_TAG,
    MODEL_SEQUENCE_TAG,
)
SIGNED_METRICS: tuple[str, ...] = (CONFIDENCE_METRIC,)
SIGNED_METRIC_PREFIXES: tuple[str, ...] = (PROBABILITY_PREFIX,)
# Params: every one. The sync logs only the measurements as params, and MLflow never changes a param.

# ------------------------------------------------------------------ the tags that carry the signature
SIGNATURE_VERSION_TAG = "signature.version"
SIGNATURE_KEY_TAG = "signature.key"  # the device key's fingerprint (16 hex digits, as the lab's keys)
SIGNATURE_PUBLIC_KEY_TAG = "signature.public_key"  # the raw Ed25519 public key, base64
SIGNATURE_VALUE_TAG = "signature.value"  # the Ed25519 signature of the canonical document, base64
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
        "params": {key: str(value) for key, value in params.items()},
        "metrics": {
            key: float(value)
            for key, value in metrics.items()
            if key in SIGNED_METRICS or key.startswith(SIGNED_METRIC_PREFIXES)
        },
        "tags": {key: str(tags[key]) for key in SIGNED_TAGS if key in tags},
    }


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
    device = str(tags.get(DEVICE_TAG, ""))
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
