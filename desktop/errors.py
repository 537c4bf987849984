"""The few named error types of the app's core; the CLI and the window turn them into words.

The message of each is the English sentence the command line prints. Where the window says it in the
user's language, the error also carries what happened as data (a ``StrEnum`` kind and the facts the
sentence names), so the window phrases it in its own words (``desktop/ui/problem_words.py``).
"""

from __future__ import annotations

from enum import StrEnum


class IrisFieldError(Exception):
    """Base of every error the core raises on purpose; its message is one user-facing sentence."""


class ModelProblem(StrEnum):
    """What is wrong with a model or its card; every kind names the file as ``path``."""

    OTHER = "other"  # no words of the window's own: the message is shown as written
    MODEL_MISSING = "model-missing"
    MODEL_UNREADABLE = "model-unreadable"  # detail
    MODEL_CHANGED = "model-changed"  # the file's sha256 is not the one its card names
    MODEL_NOT_ONNX = "model-not-onnx"
    MODEL_DOES_NOT_FIT = "model-does-not-fit"  # its inputs or outputs are not what its card lists
    CARD_MISSING = "card-missing"
    CARD_UNREADABLE = "card-unreadable"  # detail
    CARD_INVALID = "card-invalid"  # not JSON, or a field missing or malformed
    CARD_NEWER = "card-newer"  # version, known: a card schema this app does not read


class ModelError(IrisFieldError):
    """The model or its card is missing, corrupt, or does not match; ``problem`` and ``facts`` say what."""

    def __init__(self, message: str, problem: ModelProblem = ModelProblem.OTHER, **facts: object):
        super().__init__(message)
        self.problem = problem
        self.facts = facts


class InputError(IrisFieldError):
    """A measurement the model must not see (NaN, infinite, negative, absurd, wrong count)."""


class StoreProblem(StrEnum):
    """What went wrong with the history or a file written from it; the facts each names are listed."""

    OTHER = "other"  # no words of the window's own: the message is shown as written
    FOLDER_NOT_CREATED = "folder-not-created"  # folder, detail
    NOT_OPENED = "not-opened"  # path, detail
    NOT_A_FILE = "not-a-file"  # path, kind: a folder (or a device) sits where the history file should be
    NOT_READ = "not-read"  # path, detail
    DAMAGED_ON_READ = "damaged-on-read"  # path: a read found damage; the next start salvages the history
    NOT_WRITTEN = "not-written"  # path, detail
    READ_ONLY_FILE = "read-only-file"  # path: saving is off, the file may not be written
    READ_ONLY_FOLDER = "read-only-folder"  # path: saving is off, the history's folder may not be written
    NEWER_SCHEMA = "newer-schema"  # path, version, known
    NO_SUCH_OBSERVATION = "no-such-observation"  # id
    ALREADY_SAVED = "already-saved"  # an observation with the same id
    DAMAGED_NOT_MOVED = "damaged-not-moved"  # path, detail: a damaged file could not be renamed aside
    DAMAGED_NOT_COPIED = "damaged-not-copied"  # path, aside, detail: aside, its rows not yet recovered
    INDEX_NOT_REMOVED = "index-not-removed"  # path (the stale -shm), detail: it cannot be removed
    EXPORT_FOLDER_MISSING = "export-folder-missing"  # path, folder
    EXPORT_NOT_WRITTEN = "export-not-written"  # path, detail


class StoreError(IrisFieldError):
    """The observation history cannot be opened or written; ``problem`` and ``facts`` say what, as data."""

    def __init__(self, message: str, problem: StoreProblem = StoreProblem.OTHER, **facts: object):
        super().__init__(message)
        self.problem = problem
        self.facts = facts


class SyncError(IrisFieldError):
    """An observation could not be synced to the MLflow server; ``problem`` and ``facts`` say why, as data.

    ``problem`` is a ``SyncProblem`` or the HTTP core's ``ServerProblem`` (``None``: no words of the window's
    own).
    """

    def __init__(self, message: str, problem: StrEnum | None = None, facts: dict[str, object] | None = None):
        super().__init__(message)
        self.problem = problem
        self.facts = facts or {}
