"""Environment variables both sides read: the server, its credentials and certificates, the data folder."""

from __future__ import annotations

from enum import StrEnum


class EnvVar(StrEnum):
    """Variables the laptop and the lab honour alike (MLflow's own names where it has one)."""

    TRACKING_URI = "MLFLOW_TRACKING_URI"
    USERNAME = "MLFLOW_TRACKING_USERNAME"
    PASSWORD = "MLFLOW_TRACKING_PASSWORD"
    TOKEN = "MLFLOW_TRACKING_TOKEN"
    SERVER_CERT_PATH = "MLFLOW_TRACKING_SERVER_CERT_PATH"  # a CA bundle for a lab with its own certificates
    CLIENT_CERT_PATH = "MLFLOW_TRACKING_CLIENT_CERT_PATH"  # a client certificate (with its key) to show
    INSECURE_TLS = "MLFLOW_TRACKING_INSECURE_TLS"  # "true": do not verify the server (a test lab only)
    FIELD_HOME = "IRIS_FIELD_HOME"  # a laptop's data folder (history, settings, models, keys)
    SIGNING_PASSPHRASE = "IRIS_SIGNING_PASSPHRASE"  # the lab's signing key passphrase, for scripts
