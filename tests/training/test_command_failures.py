"""Specification of the lab commands' one-sentence failures."""

from __future__ import annotations

from pathlib import Path

from mlflow.exceptions import MlflowException

from training.command_failures import sentence
from training.errors import DataError


def test_expected_failures_are_one_sentence_and_bugs_are_not_swallowed() -> None:
    out = Path("/srv/field-data")
    assert sentence(DataError("the snapshot is empty"), writing=out) == "the snapshot is empty"
    assert sentence(PermissionError(13, "Permission denied"), writing=out) == (
        "cannot write to /srv/field-data: Permission denied"
    )
    lost = MlflowException(
        "API request to http://lab:5000/api/2.0/mlflow/runs/search failed with exception "
        "HTTPConnectionPool(...): Max retries exceeded with url: ..."
    )
    assert sentence(lost, writing=out) == (
        "the MLflow server cannot be reached (API request to http://lab:5000/api/2.0/mlflow/runs/search)"
    )
    assert sentence(KeyError("bug"), writing=out) is None
