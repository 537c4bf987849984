"""Signed statements that travel beside releases: the lab's timestamps and its key rotations."""

from __future__ import annotations

import json
import zipfile
from enum import StrEnum
from pathlib import Path
from typing import Any

from desktop.model_delivery.errors import Refusal, ReleaseRefused

KIND_FIELD = "kind"
MAX_STATEMENT_BYTES = 64 * 1024
STATEMENT_SUFFIX = ".json"


class StatementKind(StrEnum):
    """What a signed statement says."""

    TIMESTAMP = "iris-timestamp"  # this release was the lab's current one at this time
    KEY_ROTATION = "iris-key-rotation"  # the old key hands over to a new one


def statement_kind(document: object) -> StatementKind | None:
    """Return the kind of a statement document, or None if it is not one."""
    if not isinstance(document, dict):
        return None
    try:
        return StatementKind(document.get(KIND_FIELD))
    except ValueError:
        return None


def read_statement_file(path: Path) -> dict[str, Any] | None:
    """Return the statement in ``path``, or None when the file is a release (a .irismodel zip).

    Raise ``ReleaseRefused`` when it is neither.
    """
    try:
        if zipfile.is_zipfile(path):
            return None
        data = Path(path).read_bytes()[: MAX_STATEMENT_BYTES + 1]
    except FileNotFoundError as exc:
        raise ReleaseRefused(Refusal.NOT_A_MODEL_FILE, f"there is no file {path}") from exc
    except OSError as exc:
        raise ReleaseRefused(
            Refusal.NOT_A_MODEL_FILE, f"{path} cannot be read: {exc.strerror or exc}"
        ) from exc
    try:
        document = json.loads(data) if len(data) <= MAX_STATEMENT_BYTES else None
    except (ValueError, UnicodeDecodeError):
        document = None
    if statement_kind(document) is None:
        raise ReleaseRefused(
            Refusal.NOT_A_MODEL_FILE,
            f"{path} is neither a model release (.irismodel) nor a statement signed by the lab",
        )
    return document


def parse_document(text: str) -> dict[str, Any] | None:
    """Return the JSON object in a tag's value, or None if it holds none."""
    try:
        document = json.loads(text)
    except (ValueError, TypeError):
        return None
    return document if isinstance(document, dict) else None
