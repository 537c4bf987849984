"""The named errors of the training pipeline; the command lines turn them into one sentence."""


class TrainingError(Exception):
    """Base of every error the pipeline raises on purpose; its message is one user-facing sentence."""


class DataError(TrainingError):
    """The training data is missing, unreadable or violates the schema."""


class RegistryError(TrainingError):
    """The tracking store or model registry cannot give or take what the step needs."""


class ExportError(TrainingError):
    """The model cannot be exported, or the export does not predict like the registered model."""
