"""The few named error types of the app's core; the CLI and the window turn them into words."""


class IrisFieldError(Exception):
    """Base of every error the core raises on purpose; its message is one user-facing sentence."""


class ModelError(IrisFieldError):
    """The model or its card is missing, corrupt, or does not match."""


class InputError(IrisFieldError):
    """A measurement the model must not see (NaN, infinite, negative, absurd, wrong count)."""


class StoreError(IrisFieldError):
    """The observation history cannot be opened or written."""


class SyncError(IrisFieldError):
    """An observation could not be synced to the MLflow server."""
