"""Where runs and models are kept: the tracking URI, the experiment, and quiet MLflow logging."""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path
from urllib.parse import unquote, urlparse

from contract.environment import EnvVar
from training.schema import EXPERIMENT_NAME

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def default_tracking_uri() -> str:
    """Return the embedded SQLite store inside the project folder (git-ignored), no server needed."""
    return f"sqlite:///{(PROJECT_ROOT / 'mlflow.db').as_posix()}"


def resolve_tracking_uri(cli_value: str | None) -> str:
    """Return ``--tracking-uri`` if given, else ``MLFLOW_TRACKING_URI``, else the project's SQLite store."""
    return cli_value or os.environ.get(EnvVar.TRACKING_URI) or default_tracking_uri()


def sqlite_path(uri: str) -> Path | None:
    """Return the database file of a ``sqlite:///`` URI, or None for any other kind of store."""
    parsed = urlparse(uri)
    if parsed.scheme != "sqlite":
        return None
    path = unquote(parsed.path)
    # sqlite:///C:/x on Windows parses to "/C:/x"; sqlite:////abs parses to "//abs".
    if len(path) > 2 and path[0] == "/" and path[2] == ":":
        path = path[1:]
    return Path(path.replace("//", "/", 1) if path.startswith("//") else path)


def quiet_mlflow() -> None:
    """Keep MLflow's database-migration chatter and advisory warnings off the user's terminal."""
    for name in ("alembic", "mlflow"):
        logging.getLogger(name).setLevel(logging.ERROR)
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("mlflow."):
            logging.getLogger(name).setLevel(logging.NOTSET)  # inherit "mlflow"'s level
    warnings.filterwarnings("ignore", module=r"mlflow(\..*)?")
    warnings.filterwarnings("ignore", category=FutureWarning)
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    os.environ.setdefault("MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT", "true")  # commands print their own lines
    os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")


def use_store(uri: str) -> str:
    """Point MLflow at ``uri`` and return the id of the training experiment, creating it if needed."""
    return use_experiment(uri, EXPERIMENT_NAME)


def use_experiment(uri: str, name: str, tags: dict[str, str] | None = None) -> str:
    """Point MLflow at ``uri``; return the id of experiment ``name``, creating it (with ``tags``) if needed.

    For a SQLite store the artifacts go next to the database (``mlartifacts/``), not into ``./mlruns``
    of whatever folder the command was started from.
    """
    import mlflow

    quiet_mlflow()  # after the import: MLflow sets its own log levels when first imported
    mlflow.set_tracking_uri(uri)
    experiment = mlflow.get_experiment_by_name(name)
    if experiment is not None:
        return experiment.experiment_id
    db = sqlite_path(uri)
    location = (db.parent / "mlartifacts").resolve().as_uri() if db is not None else None
    return mlflow.create_experiment(name, artifact_location=location, tags=tags)


def store_failure(exc: BaseException) -> str | None:
    """Return the tracking store's own error (unreachable server, foreign database) as one sentence.

    None means ``exc`` is not MLflow's: a bug, whose traceback must be kept.
    """
    if not type(exc).__module__.startswith("mlflow"):
        return None
    text = str(getattr(exc, "message", exc)).strip()
    if "Failed to establish a new connection" in text or "Max retries exceeded" in text:
        return f"the MLflow server cannot be reached ({text.split(' failed with exception')[0]})"
    lines = text.splitlines()
    return f"the MLflow tracking store failed: {lines[0] if lines else type(exc).__name__}"


def limit_http_retries() -> None:
    """Let MLflow's HTTP client give up after a few retries, not after minutes of backoff."""
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "2")
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "60")
