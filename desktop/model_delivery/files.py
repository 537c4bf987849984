"""What a file carried to the laptop may hold: a release, a key rotation or a timestamp the lab signed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from desktop.model_delivery.freshness import Timestamp
from desktop.model_delivery.model_store import InstallOutcome, ModelStore, Role
from desktop.model_delivery.rotation import KeyRotation, apply_rotation
from desktop.model_delivery.statements import StatementKind, read_statement_file, statement_kind


@dataclass(frozen=True)
class FileOutcome:
    """What taking a file changed: one of the three is set, or none when it was no news."""

    installed: InstallOutcome | None = None
    rotation: KeyRotation | None = None
    timestamp: Timestamp | None = None
    kind: StatementKind | None = None  # the statement's kind (None for a release)


def take_file(store: ModelStore, path: Path, role: Role = Role.CHAMPION) -> FileOutcome:
    """Install a ``.irismodel`` file, follow a key rotation or keep a timestamp; raise ``ReleaseRefused``."""
    document = read_statement_file(Path(path))
    if document is None:
        return FileOutcome(installed=store.install_bundle(Path(path), role))
    kind = statement_kind(document)
    if kind is StatementKind.KEY_ROTATION:
        return FileOutcome(rotation=apply_rotation(document), kind=kind)
    return FileOutcome(timestamp=store.record_timestamp(document), kind=kind)
