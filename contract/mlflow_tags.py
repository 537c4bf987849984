"""MLflow's own system tags this project sets or reads (mlflow/utils/mlflow_tags.py says what they mean)."""

from __future__ import annotations

from enum import StrEnum


class MlflowTag(StrEnum):
    """System tags MLflow's UI and server give a meaning to."""

    RUN_NAME = "mlflow.runName"  # setting it again renames the run
    NOTE = "mlflow.note.content"  # a run's or an experiment's description, shown above it
    USER = "mlflow.user"  # the run's "User" column
    EXPERIMENT_KIND = "mlflow.experimentKind"  # how the UI presents an experiment


MODEL_TRAINING_KIND = "custom_model_development"  # EXPERIMENT_KIND's value the UI shows as "Machine learning"
