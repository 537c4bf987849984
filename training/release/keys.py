"""``iris-keys``: make the Ed25519 key pair a lab signs its model releases with."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from contract.environment import EnvVar
from contract.exit_codes import ExitCode
from contract.registry import ROTATION_TAG_PREFIX
from desktop.model_delivery.rotation import KeyRotation
from desktop.model_delivery.signing import fingerprint_of, load_private_key, sign

PRIVATE_KEY_FILENAME = "iris-signing.key"
PUBLIC_KEY_FILENAME = "iris-signing.pub"
PASSPHRASE_ENV = EnvVar.SIGNING_PASSPHRASE.value
EXIT_OK, EXIT_FAILURE = ExitCode.OK, ExitCode.FAILURE


class KeyGenerationError(Exception):
    """The key pair cannot be written where it was asked for."""


@dataclass(frozen=True)
class KeyPair:
    """Where a new key pair was written, and the public key's fingerprint."""

    private_path: Path
    public_path: Path
    fingerprint: str


def generate(out: Path, passphrase: str | None = None) -> KeyPair:
    """Write a new key pair into ``out``; the private key is readable by its owner only, never overwritten."""
    out.mkdir(parents=True, exist_ok=True)
    private_path, public_path = out / PRIVATE_KEY_FILENAME, out / PUBLIC_KEY_FILENAME
    for path in (private_path, public_path):
        if path.exists():
            raise KeyGenerationError(f"{path} already exists; a signing key is never overwritten")
    key = Ed25519PrivateKey.generate()
    encryption = (
        serialization.BestAvailableEncryption(passphrase.encode())
        if passphrase
        else serialization.NoEncryption()
    )
    private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    # Created with owner-only permissions from the first byte (O_EXCL: no race with another writer).
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(private_pem)
        handle.flush()
        os.fsync(handle.fileno())
    public_path.write_bytes(public_pem)
    return KeyPair(private_path, public_path, fingerprint_of(key.public_key()))


@dataclass(frozen=True)
class Rotated:
    """A new key pair and the statement, signed by the old key, that hands over to it."""

    pair: KeyPair
    old_fingerprint: str
    statement_path: Path


def rotation_filename(old: str, new: str) -> str:
    """Return the file name of the rotation statement from key ``old`` to key ``new``."""
    return f"rotation-{old}-to-{new}.json"


def rotate(
    old_key: Path, out: Path, passphrase: str | None = None, *, old_passphrase: str | None = None
) -> Rotated:
    """Make a new key pair in ``out`` and a rotation statement signed by the key in ``old_key``."""
    from desktop.model_delivery.errors import KeyFileError

    try:
        old = load_private_key(old_key, old_passphrase)
    except KeyFileError as exc:
        raise KeyGenerationError(str(exc)) from None
    pair = generate(out, passphrase)
    rotation = KeyRotation(
        old_key=fingerprint_of(old.public_key()),
        new_key=pair.fingerprint,
        new_key_pem=pair.public_path.read_text(encoding="ascii"),
        rotated_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    path = out / rotation_filename(rotation.old_key, rotation.new_key)
    path.write_text(json.dumps(sign(rotation.to_dict(), old), indent=2) + "\n", encoding="utf-8")
    return Rotated(pair, rotation.old_key, path)


def publish_rotation(statement: Path, tracking_uri: str | None) -> str:
    """Put a rotation statement on the registered model, where laptops look at their next update."""
    from mlflow import MlflowClient

    from training.schema import MODEL_NAME
    from training.tracking import limit_http_retries, resolve_tracking_uri, use_store

    document: dict[str, Any] = json.loads(statement.read_text(encoding="utf-8"))
    rotation = KeyRotation.from_document(document)
    limit_http_retries()
    use_store(resolve_tracking_uri(tracking_uri))
    tag = f"{ROTATION_TAG_PREFIX}{rotation.old_key}"
    value = json.dumps(document, sort_keys=True, separators=(",", ":"))
    MlflowClient().set_registered_model_tag(MODEL_NAME, tag, value)
    return tag


def _ask_passphrase() -> str:
    first = getpass.getpass("Passphrase for the signing key: ")
    if first != getpass.getpass("Same passphrase again: "):
        raise KeyGenerationError("the two passphrases differ")
    return first


def build_parser() -> argparse.ArgumentParser:
    """Return the command-line parser of ``iris-keys``."""
    parser = argparse.ArgumentParser(
        prog="iris-keys", description="Manage the keys model releases are signed with."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    make = commands.add_parser("generate", help="write a new Ed25519 key pair for signing model releases")
    make.add_argument(
        "--out", type=Path, required=True, help="folder for iris-signing.key and iris-signing.pub"
    )
    make.add_argument(
        "--passphrase",
        action="store_true",
        help=f"protect the private key with a passphrase (asked for, or taken from ${PASSPHRASE_ENV})",
    )
    turn = commands.add_parser(
        "rotate",
        help="replace the signing key: a new key pair and a statement, signed by the old key, naming it",
    )
    turn.add_argument("--key", type=Path, required=True, metavar="OLD.key", help="the signing key in use")
    turn.add_argument("--out", type=Path, required=True, help="folder for the new key pair and statement")
    turn.add_argument("--passphrase", action="store_true", help="protect the new key with a passphrase")
    turn.add_argument(
        "--tracking-uri", metavar="URL", help="publish the statement there at once (default: do not publish)"
    )
    publish = commands.add_parser(
        "publish-rotation", help="put a rotation statement on the registry, for laptops' next update"
    )
    publish.add_argument("statement", type=Path, metavar="FILE")
    publish.add_argument("--tracking-uri", metavar="URL", help="default: $MLFLOW_TRACKING_URI")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``iris-keys``; return the exit status."""
    args = build_parser().parse_args(argv)
    if args.command == "rotate":
        return _rotate(args)
    if args.command == "publish-rotation":
        return _publish(args.statement, args.tracking_uri)
    try:
        passphrase = None
        if args.passphrase:
            passphrase = os.environ.get(PASSPHRASE_ENV) or _ask_passphrase()
        pair = generate(args.out, passphrase)
    except (KeyGenerationError, OSError) as exc:
        print(f"iris-keys: no key was written: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    print(
        f"Wrote the signing key {pair.private_path} (keep it secret, never commit it)\n"
        f"and the public key {pair.public_path} (give it to the laptops: assets/keys/ or "
        f"`iris-field model trust`).\nFingerprint: {pair.fingerprint}"
    )
    return EXIT_OK


def _rotate(args: argparse.Namespace) -> int:
    old_passphrase = os.environ.get(PASSPHRASE_ENV) or None
    try:
        passphrase = (os.environ.get(PASSPHRASE_ENV) or _ask_passphrase()) if args.passphrase else None
        rotated = rotate(args.key, args.out, passphrase, old_passphrase=old_passphrase)
    except (KeyGenerationError, OSError) as exc:
        print(f"iris-keys: no key was rotated: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    print(
        f"Wrote the new signing key {rotated.pair.private_path} (keep it secret, never commit it),\n"
        f"its public key {rotated.pair.public_path} (fingerprint {rotated.pair.fingerprint})\n"
        f"and {rotated.statement_path}, signed by the old key {rotated.old_fingerprint}.\n"
        "Next: publish the statement (iris-keys publish-rotation, or copy it to offline laptops for "
        "`iris-field model install`), export the champion again with the new key, and put the new .pub "
        "into assets/keys/ for the next installer."
    )
    if args.tracking_uri:
        return _publish(rotated.statement_path, args.tracking_uri)
    return EXIT_OK


def _publish(statement: Path, tracking_uri: str | None) -> int:
    from desktop.errors import IrisFieldError
    from training.tracking import store_failure

    try:
        tag = publish_rotation(statement, tracking_uri)
    except (IrisFieldError, OSError, ValueError) as exc:
        print(f"iris-keys: the rotation was not published: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except Exception as exc:
        reason = store_failure(exc)
        if reason is None:
            raise
        print(f"iris-keys: the rotation was not published: {reason}", file=sys.stderr)
        return EXIT_FAILURE
    print(
        f"Published the rotation as the tag {tag} of the registered model; laptops follow it at their "
        "next update."
    )
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
