"""The model registry side: log a fitted model safely, register it, move aliases, load versions back."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import ClassifierMixin

from contract import registry as contract_registry
from training.data import LabelledData
from training.errors import RegistryError
from training.schema import MODEL_NAME
from training.validate import validate_table

# Artifact names inside a training run, shared by train and export.
DATA_ARTIFACT = "data/labelled_data.csv"
SPLIT_COLUMN = "split"
FINGERPRINT_TAG = "data_fingerprint"
EXPORT_ARTIFACT_DIR = contract_registry.EXPORT_FOLDER


def trusted_types(model: ClassifierMixin) -> list[str]:
    """Return the types skops must be told to trust to load ``model``, refusing anything unexpected.

    MLflow 3 saves scikit-learn models with skops, which loads only types it is told to trust. We trust
    exactly the scikit-learn and NumPy types this model contains, checked here, rather than falling back
    to pickle (which would run arbitrary code when a model is loaded).
    """
    import skops.io

    untrusted = skops.io.get_untrusted_types(data=skops.io.dumps(model))
    foreign = [t for t in untrusted if not t.startswith(("sklearn.", "numpy."))]
    if foreign:
        raise RegistryError(f"the model contains types that are not from scikit-learn or NumPy: {foreign}")
    return sorted(untrusted)


def log_model(model: ClassifierMixin, example: pd.DataFrame) -> str:
    """Log ``model`` to the active run with signature and input example; return its model URI."""
    import mlflow
    import sklearn
    import skops
    from mlflow.models import infer_signature

    signature = infer_signature(example, model.predict_proba(example))
    with warnings.catch_warnings():
        # MLflow's own input-example code trips a pandas deprecation warning; it is not ours to fix.
        warnings.filterwarnings("ignore", module=r"mlflow\.")
        info = mlflow.sklearn.log_model(
            model,
            name="model",
            serialization_format="skops",
            skops_trusted_types=trusted_types(model),
            signature=signature,
            input_example=example,
            pyfunc_predict_fn="predict_proba",
            # Stated, not inferred: inference would run `uv export` on this project and list the app's deps.
            pip_requirements=[f"scikit-learn=={sklearn.__version__}", f"skops=={skops.__version__}"],
        )
    return info.model_uri


def register(model_uri: str, run_id: str) -> str:
    """Register the logged model as a new version of ``iris-classifier``; return the version number."""
    import contextlib
    import io

    import mlflow

    # register_model prints "Successfully registered ..." on stderr; the command prints its own summary.
    with contextlib.redirect_stderr(io.StringIO()):
        version = mlflow.register_model(model_uri, MODEL_NAME, tags={"run_id": run_id})
    return str(version.version)


@dataclass(frozen=True)
class VersionRef:
    """A registered model version and the training run it came from."""

    version: str
    run_id: str
    alias: str  # how it was asked for ("champion", or "" when asked by number)


def find_version(*, alias: str | None = None, version: str | None = None) -> VersionRef | None:
    """Return the version holding ``alias`` (or numbered ``version``), or None if there is none."""
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    client = MlflowClient()
    try:
        if version is not None:
            found = client.get_model_version(MODEL_NAME, str(version))
        else:
            found = client.get_model_version_by_alias(MODEL_NAME, alias)
    except MlflowException as exc:
        if "RESOURCE_DOES_NOT_EXIST" in str(exc.error_code) or "not found" in str(exc).lower():
            return None
        raise RegistryError(f"the model registry cannot be read: {exc.message}") from None
    return VersionRef(str(found.version), found.run_id, alias or "")


def set_alias(alias: str, version: str) -> None:
    """Point ``alias`` at ``version``."""
    from mlflow import MlflowClient

    MlflowClient().set_registered_model_alias(MODEL_NAME, alias, version)


def tag_version(version: str, tags: dict[str, str]) -> None:
    """Attach tags (e.g. the gate's verdict) to a model version."""
    from mlflow import MlflowClient

    client = MlflowClient()
    for key, value in tags.items():
        client.set_model_version_tag(MODEL_NAME, version, key, value)


def load_version(ref: VersionRef) -> ClassifierMixin:
    """Load a registered version as the scikit-learn model it was logged as."""
    import mlflow.sklearn

    try:
        return mlflow.sklearn.load_model(f"models:/{MODEL_NAME}/{ref.version}")
    except Exception as exc:  # MLflow, skops and the OS raise many kinds for a damaged artifact
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise RegistryError(f"version {ref.version} of {MODEL_NAME} cannot be loaded: {first}") from None


def download_run_file(run_id: str, artifact: str, folder: Path) -> Path:
    """Download one artifact of a run into ``folder``."""
    import mlflow.artifacts

    try:
        return Path(
            mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path=artifact, dst_path=folder)
        )
    except Exception as exc:  # a missing or unreadable artifact, whatever the store
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise RegistryError(f"run {run_id} has no readable {artifact}: {first}") from None


def logged_data(run_id: str, folder: Path) -> tuple[LabelledData, LabelledData]:
    """Return (all labelled rows, training rows) a run logged, checked against the run's data fingerprint."""
    from mlflow import MlflowClient

    path = download_run_file(run_id, DATA_ARTIFACT, folder)
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    features, labels = validate_table(table, f"the data logged with run {run_id}")
    everything = LabelledData(features, labels, f"run:{run_id}")
    logged = MlflowClient().get_run(run_id).data.tags.get(FINGERPRINT_TAG)
    if logged != everything.fingerprint():
        raise RegistryError(f"the data logged with run {run_id} does not match the run's data fingerprint")
    train_rows = np.flatnonzero(table[SPLIT_COLUMN].to_numpy() == "train")
    return everything, everything.subset(train_rows)
