"""The seeds' way to predict: the registered model through mlflow.pyfunc, and its scikit-learn estimator."""

from __future__ import annotations

from typing import Any

import numpy as np


def feature_columns(pyfunc_model: Any, fallback: tuple[str, ...]) -> list[str]:
    """Return the input column names the registered model's signature asks for."""
    schema = pyfunc_model.metadata.get_input_schema()
    names = schema.input_names() if schema is not None else []
    return list(names) if names and all(isinstance(n, str) for n in names) else list(fallback)


def as_frame(rows: np.ndarray, columns: list[str]) -> Any:
    """Return rows as the pandas DataFrame the seeds' app hands to the model."""
    import pandas as pd

    return pd.DataFrame(np.asarray(rows, dtype=np.float64), columns=columns)


def sklearn_input(estimator: Any, rows: np.ndarray, columns: list[str]) -> Any:
    """Return rows the way the estimator was fitted: a DataFrame if it knows feature names, else an array."""
    if hasattr(estimator, "feature_names_in_"):
        return as_frame(rows, [str(c) for c in estimator.feature_names_in_])
    return np.asarray(rows, dtype=np.float64)


def labels(output: Any, classes: tuple[str, ...]) -> list[str]:
    """Return species names from a peer's answer: probabilities, class indices, or names."""
    array = np.asarray(output)
    if array.ndim == 2:
        return [classes[i] for i in array.argmax(axis=1)]
    if array.dtype.kind in "iuf":
        return [classes[int(i)] for i in array]
    return [str(v) for v in array]
