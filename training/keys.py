"""``iris-keys``: make the Ed25519 key pair a lab signs its model releases with."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from contract.environment import EnvVar
from contract.exit_codes import ExitCode
from desktop.model_delivery.signing import fingerprint_of

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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``iris-keys``; return the exit status."""
    args = build_parser().parse_args(argv)
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


if __name__ == "__main__":
    sys.exit(main())
