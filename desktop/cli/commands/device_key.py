"""``iris-field device-key``: the key this laptop signs its observations with, for the lab's key list."""

from __future__ import annotations

import argparse
import json
import socket

EXIT_OK = 0


def add_parser(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``device-key`` (cheap: nothing heavy is imported here)."""
    parser = commands.add_parser(
        "device-key",
        help="show the key this laptop signs its synced observations with",
        description="Show this laptop's device name and the fingerprint and public key of its device key "
        "(made at the first start; the private key never leaves the laptop). The lab trusts it with "
        "iris-dataset --device-keys FILE.",
    )
    parser.add_argument(
        "--json", action="store_true", help="print this laptop's entry of the lab's key list (JSON)"
    )
    return parser


def run(args: argparse.Namespace) -> int:
    """Print the device name, fingerprint and public key (or the key-list JSON); return the exit code."""
    from desktop.settings import Settings
    from desktop.signing import device_key
    from desktop.signing.observation_signature import key_list_document

    key = device_key.load_or_create()
    device = Settings.load().device_name.strip() or socket.gethostname()  # as the sync names the device
    if args.json:
        print(json.dumps(key_list_document({device: [key.public_key]}), indent=2, ensure_ascii=False))
        return EXIT_OK
    print(f"Device {device!r} signs its observations with key {key.fingerprint}.")
    print(f"Public key: {key.public_key}")
    print(f"Kept in {key.path} (never synced or exported).")
    return EXIT_OK
