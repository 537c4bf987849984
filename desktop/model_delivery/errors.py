"""Why a release was refused: one named error with a reason the edges turn into one sentence."""

from __future__ import annotations

from enum import StrEnum

from desktop.errors import IrisFieldError, ModelError
from desktop.mlflow_http.problems import ServerError


class Refusal(StrEnum):
    """The kinds of release the app refuses to install."""

    UNSIGNED = "unsigned"
    UNKNOWN_KEY = "unknown-key"
    WITHDRAWN_KEY = "withdrawn-key"  # key, withdrawn_at, replaced_by ("" when withdrawn by hand)
    BAD_SIGNATURE = "bad-signature"
    SHA256_MISMATCH = "sha256-mismatch"
    NOT_NEWER = "not-newer"
    SUPERSEDED = "superseded"  # sequence, newest, confirmed_at: older than what the lab confirmed since
    WRONG_SCHEMA = "wrong-schema"
    REFERENCE_MISMATCH = "reference-mismatch"
    UNUSABLE = "unusable"
    TRUNCATED = "truncated"
    NOT_A_MODEL_FILE = "not-a-model-file"
    SERVER_ERROR = "server-error"
    DISK_FULL = "disk-full"


class ReleaseRefused(ModelError):
    """A release failed verification or could not be installed; the active model stays.

    ``reason`` is the kind of refusal and ``facts`` what its sentence names (a key, release numbers), so
    the window says it in the user's language; the message is the command line's English sentence.
    """

    def __init__(self, reason: Refusal, message: str, **facts: object):
        super().__init__(message)
        self.reason = reason
        self.facts = facts


class KeyProblem(StrEnum):
    """What is wrong with a key file the user wants to trust; the facts each names are listed."""

    OTHER = "other"  # no words of the window's own (a lab's signing key): the message is shown as written
    UNREADABLE = "unreadable"  # path, detail
    PRIVATE_KEY = "private-key"  # path: the signing key itself, never to be handed out
    NOT_PEM = "not-pem"  # path
    NOT_ED25519 = "not-ed25519"  # path
    ALREADY_TRUSTED = "already-trusted"  # fingerprint
    NOT_SAVED = "not-saved"  # folder, detail
    NOT_TRUSTED = "not-trusted"  # fingerprint: distrust of a key this laptop does not trust
    REPLACED = "replaced"  # fingerprint, replaced_by: a key the lab rotated away is never trusted again


class KeyFileError(IrisFieldError):
    """A signing or public key file is missing, unreadable or not an Ed25519 key; ``problem`` says which."""

    def __init__(self, message: str, problem: KeyProblem = KeyProblem.OTHER, **facts: object):
        super().__init__(message)
        self.problem = problem
        self.facts = facts


class RegistryUnreachable(ServerError):
    """The lab's MLflow server cannot be asked for releases; ``problem`` (a ``ServerProblem``) says why."""

    @classmethod
    def of(cls, exc: ServerError) -> RegistryUnreachable:
        """Return the registry's error for the core's."""
        return cls(
            exc.problem,
            http_status=exc.status,
            error_code=exc.error_code,
            retry_after=exc.retry_after,
            unreachable=exc.unreachable,
            **exc.facts,
        )


class NoPreviousModel(IrisFieldError):
    """There is no earlier verified model to go back to."""
