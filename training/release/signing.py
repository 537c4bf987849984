"""Turn an export into a signed release: the next sequence number, reference rows, signature, bundle."""

from __future__ import annotations

import json
import os
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from contract import registry as contract_registry
from contract.card import CardField
from contract.environment import EnvVar
from contract.exit_codes import ExitCode
from contract.registry import ReleaseTag, release_label
from desktop.model_delivery.freshness import Timestamp
from desktop.model_delivery.release import DEFAULT_CONFIRM_WITHIN_DAYS, ReferenceRow, Release
from desktop.model_delivery.signing import fingerprint_of, load_private_key, sign
from desktop.prediction.engine import Classifier
from desktop.prediction.model_card import CARD_FILENAME, ModelCard
from training.errors import RegistryError
from training.schema import CHAMPION, MODEL_NAME, ONNX_FILENAME

# Kept on the registered model: the last sequence number a release of it was published under.
SEQUENCE_TAG = ReleaseTag.SEQUENCE.value
# Kept on each model version: the sequence and card digest of its latest release (what laptops compare).
VERSION_SEQUENCE_TAG = ReleaseTag.SEQUENCE.value
VERSION_CARD_TAG = ReleaseTag.CARD_SHA256.value
VERSION_REGISTRY_TAG = ReleaseTag.REGISTRY.value
TIMESTAMP_TAG = ReleaseTag.TIMESTAMP.value  # on the version: the lab's latest signed timestamp of it
EXPORTED_SHA256_TAG = ReleaseTag.EXPORTED_SHA256.value  # on each exported version: its ONNX sha256
LABEL_TAG = ReleaseTag.LABEL.value  # on the version and its run: the release's label, to group by
REFERENCE_ROW_COUNT = 6
BUNDLE_SUFFIX = contract_registry.RELEASE_SUFFIX
PASSPHRASE_ENV = EnvVar.SIGNING_PASSPHRASE.value


def next_sequence() -> int:
    """Return the sequence number the next release of the registered model gets (last one plus one)."""
    from mlflow import MlflowClient

    tags = MlflowClient().get_registered_model(MODEL_NAME).tags
    try:
        return int(tags.get(SEQUENCE_TAG, "0")) + 1
    except ValueError:
        return ExitCode.FAILURE


def reference_rows(classifier: Classifier, candidates: np.ndarray) -> tuple[ReferenceRow, ...]:
    """Return a few rows spread over ``candidates`` with the probabilities the exported model gives them."""
    picks = np.linspace(0, len(candidates) - 1, REFERENCE_ROW_COUNT).round().astype(int)
    rows = candidates[picks]
    predicted = classifier.predict_many(rows)
    return tuple(
        ReferenceRow(tuple(float(v) for v in row), tuple(float(p) for p in probs))
        for row, probs in zip(rows.tolist(), predicted.probability_matrix.tolist(), strict=True)
    )


def signed_card(card: ModelCard, release: Release, key_path: Path) -> dict[str, Any]:
    """Return the card with its release block, signed with the key in ``key_path``."""
    key = load_private_key(key_path, os.environ.get(PASSPHRASE_ENV) or None)
    document = card.to_dict() | {"release": release.to_dict()}
    return sign(document, key)


def signer_fingerprint(key_path: Path) -> str:
    """Return the fingerprint of the public half of the signing key in ``key_path``."""
    return fingerprint_of(load_private_key(key_path, os.environ.get(PASSPHRASE_ENV) or None).public_key())


def new_release(
    *,
    card: ModelCard,
    registry: str,
    sequence: int,
    signer: str,
    rows: tuple[ReferenceRow, ...],
    data_fingerprint: str = "",
    confirm_within_days: int = DEFAULT_CONFIRM_WITHIN_DAYS,
) -> Release:
    """Return the release block of one export (signed now: ``signed_at`` is its release time)."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    return Release(
        registry=registry,
        model_name=card.model_name,
        version=card.model_version,
        alias=card.alias,
        sequence=sequence,
        released_at=now,
        signer=signer,
        reference_rows=rows,
        data_fingerprint=data_fingerprint,
        signed_at=now,
        confirm_within_days=confirm_within_days,
    )


def card_bytes(document: dict[str, Any]) -> bytes:
    """Return the card file's bytes (pretty JSON; the signature covers its canonical form, not the layout)."""
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def write_bundle(path: Path, onnx_bytes: bytes, card: bytes) -> None:
    """Write a ``.irismodel`` file (a zip of the ONNX file and the signed card) atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr(ONNX_FILENAME, onnx_bytes)
        bundle.writestr(CARD_FILENAME, card)
    with open(partial, "rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(partial, path)


def signed_timestamp(stamp: Timestamp, key_path: Path) -> dict[str, Any]:
    """Return the lab's timestamp statement for a release, signed with the key in ``key_path``."""
    return sign(stamp.to_dict(), load_private_key(key_path, os.environ.get(PASSPHRASE_ENV) or None))


def statement_text(document: dict[str, Any]) -> str:
    """Return a signed statement as a tag's value or a file's text (compact JSON)."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def record_release(
    version: str, release: Release, card_sha256: str, timestamp: dict[str, Any] | None = None
) -> None:
    """Publish the sequence on the registered model and the version, after the artifacts are logged.

    The release's label (``contract.registry.release_label``) goes on the version and on its run, where
    the lab groups by it. ``timestamp`` (the card's own signed time as a statement) goes on the version
    for laptops to keep.
    """
    from mlflow import MlflowClient

    client = MlflowClient()
    label = release_label(release.model_name, release.version, release.sequence, release.registry)
    client.set_model_version_tag(MODEL_NAME, version, LABEL_TAG, label)
    client.set_tag(client.get_model_version(MODEL_NAME, version).run_id, LABEL_TAG, label)
    if timestamp is not None:
        client.set_model_version_tag(MODEL_NAME, version, TIMESTAMP_TAG, statement_text(timestamp))
    client.set_model_version_tag(MODEL_NAME, version, VERSION_SEQUENCE_TAG, str(release.sequence))
    client.set_model_version_tag(MODEL_NAME, version, VERSION_CARD_TAG, card_sha256)
    client.set_model_version_tag(MODEL_NAME, version, VERSION_REGISTRY_TAG, release.registry)
    client.set_registered_model_tag(MODEL_NAME, SEQUENCE_TAG, str(release.sequence))


def sign_folder(
    folder: Path, key_path: Path, *, registry: str, sequence: int, allow_unvetted: str | None = None
) -> Release:
    """Sign an already exported model folder as release ``sequence`` of ``registry`` (rewrites its card).

    A card whose gate verdict is not a pass, and that carries no reason from its export, is refused
    unless ``allow_unvetted`` gives one; the reason is written into the signed card.
    """
    from training.release import vetting

    classifier = Classifier.load(folder)
    card = classifier.card
    reason = card.unvetted_reason
    if not card.vetted and (not reason or allow_unvetted is not None):
        reason = vetting.check(
            card.model_version, {vetting.GATE_TAG: card.gate}, allow_unvetted
        ).unvetted_reason
    seen = np.array([[f.stats.min, f.stats.max] for f in card.features])
    candidates = seen[:, 0] + (seen[:, 1] - seen[:, 0]) * np.linspace(0.05, 0.95, 12)[:, None]
    release = new_release(
        card=card,
        registry=registry,
        sequence=sequence,
        signer=signer_fingerprint(key_path),
        rows=reference_rows(classifier, candidates),
    )
    document = json.loads((folder / CARD_FILENAME).read_text(encoding="utf-8"))
    document = {k: v for k, v in document.items() if k not in ("release", "signature")}
    if reason:
        document[CardField.UNVETTED_REASON.value] = reason
    key = load_private_key(key_path, os.environ.get(PASSPHRASE_ENV) or None)
    signed = sign(document | {"release": release.to_dict()}, key)
    partial = folder / f".{CARD_FILENAME}.partial"
    partial.write_bytes(card_bytes(signed))
    os.replace(partial, folder / CARD_FILENAME)
    return release


def refresh(key_path: Path, alias: str = CHAMPION, now: datetime | None = None) -> dict[str, Any]:
    """Sign a new timestamp for the release ``alias`` names and publish it on that version; return it.

    Laptops keep the newest timestamp they see: it tells them how long ago the lab last confirmed their
    model, and that a release older than it has been superseded.
    """
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    client = MlflowClient()
    try:
        found = client.get_model_version_by_alias(MODEL_NAME, alias)
    except MlflowException as exc:
        raise RegistryError(f"the registry has no {MODEL_NAME}@{alias} ({exc.message})") from None
    tags = found.tags
    if not all(tag in tags for tag in (VERSION_SEQUENCE_TAG, VERSION_REGISTRY_TAG, EXPORTED_SHA256_TAG)):
        raise RegistryError(
            f"version {found.version} of {MODEL_NAME} (@{alias}) has no signed release: export it with "
            "iris-export --sign-key first"
        )
    stamp = Timestamp(
        registry=tags[VERSION_REGISTRY_TAG],
        model_name=MODEL_NAME,
        alias=alias,
        version=str(found.version),
        sequence=int(tags[VERSION_SEQUENCE_TAG]),
        sha256=tags[EXPORTED_SHA256_TAG],
        signed_at=(now or datetime.now(UTC)).isoformat(timespec="seconds"),
    )
    document = signed_timestamp(stamp, key_path)
    client.set_model_version_tag(MODEL_NAME, found.version, TIMESTAMP_TAG, statement_text(document))
    return document


def _refresh_command(args) -> int:
    """Run ``iris-release refresh``; return the exit status."""
    import sys

    from desktop.errors import IrisFieldError
    from training.errors import TrainingError
    from training.tracking import limit_http_retries, resolve_tracking_uri, store_failure, use_store

    limit_http_retries()
    try:
        use_store(resolve_tracking_uri(args.tracking_uri))
        document = refresh(args.sign_key, args.alias)
        if args.out is not None:
            partial = args.out.with_name(f".{args.out.name}.partial")
            partial.write_text(statement_text(document) + "\n", encoding="utf-8")
            os.replace(partial, args.out)
    except (IrisFieldError, TrainingError, OSError) as exc:
        print(f"iris-release: no timestamp was published: {exc}", file=sys.stderr)
        return ExitCode.FAILURE
    except Exception as exc:
        reason = store_failure(exc)
        if reason is None:
            raise
        print(f"iris-release: no timestamp was published: {reason}", file=sys.stderr)
        return ExitCode.FAILURE
    print(
        f"Confirmed release {document['sequence']} ({MODEL_NAME} v{document['version']}, @{args.alias}) "
        f"of {document['registry']} as current at {document['signed_at']}"
        + (f"; wrote {args.out}" if args.out is not None else "")
    )
    return ExitCode.OK


def main(argv: list[str] | None = None) -> int:
    """Run ``iris-release``: sign an exported folder, or refresh the current release's timestamp."""
    import argparse
    import sys

    from desktop.errors import IrisFieldError
    from training.errors import TrainingError

    parser = argparse.ArgumentParser(
        prog="iris-release",
        description="Sign an exported model folder as a release (iris-export --sign-key does this itself), "
        "or confirm the current release with a fresh signed timestamp.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    signing = commands.add_parser("sign", help="sign the model card in FOLDER (iris.onnx + model_card.json)")
    signing.add_argument("folder", type=Path)
    signing.add_argument("--sign-key", type=Path, required=True, metavar="FILE")
    signing.add_argument("--registry", required=True, metavar="NAME")
    signing.add_argument("--sequence", type=int, default=1, metavar="N")
    signing.add_argument("--bundle", type=Path, metavar="FILE.irismodel", help="also write the release file")
    signing.add_argument(
        "--allow-unvetted",
        metavar="REASON",
        help="sign a model the quality gate did not pass; REASON is written into the signed card",
    )
    again = commands.add_parser(
        "refresh",
        help="sign a new timestamp for the current release, so laptops see the lab still confirms it",
    )
    again.add_argument("--sign-key", type=Path, required=True, metavar="FILE")
    again.add_argument("--tracking-uri", metavar="URL", help="default: $MLFLOW_TRACKING_URI")
    again.add_argument("--alias", default=CHAMPION, help="the alias to confirm (default %(default)s)")
    again.add_argument(
        "--out", type=Path, metavar="FILE.json", help="also write the timestamp as a file for offline laptops"
    )
    args = parser.parse_args(argv)
    if args.command == "refresh":
        return _refresh_command(args)
    try:
        release = sign_folder(
            args.folder,
            args.sign_key,
            registry=args.registry,
            sequence=args.sequence,
            allow_unvetted=args.allow_unvetted,
        )
        if args.bundle is not None:
            write_bundle(
                args.bundle,
                (args.folder / ONNX_FILENAME).read_bytes(),
                (args.folder / CARD_FILENAME).read_bytes(),
            )
    except (IrisFieldError, OSError, TrainingError) as exc:
        print(f"iris-release: nothing was signed: {exc}", file=sys.stderr)
        return ExitCode.FAILURE
    print(
        f"Signed {args.folder} as release {release.sequence} of {release.registry} with key {release.signer}"
    )
    return ExitCode.OK
