"""The lab commands' expected failures, each turned into one sentence; anything else is a bug."""

from __future__ import annotations

from pathlib import Path

from training.errors import TrainingError
from training.tracking import store_failure


def sentence(exc: BaseException, *, writing: Path) -> str | None:
    """Return what went wrong in one sentence, or None for a bug (whose traceback must be kept)."""
    if isinstance(exc, TrainingError):
        return str(exc)
    found = store_failure(exc)
    if found is not None:
        return found
    if isinstance(exc, OSError):
        return f"cannot write to {writing}: {exc.strerror or exc}"
    return None
