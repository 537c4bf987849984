"""Turn a fitted scikit-learn classifier into ONNX bytes the desktop app can run."""

from __future__ import annotations

import numpy as np
from sklearn.base import ClassifierMixin

from training.errors import ExportError
from training.schema import (
    CLASSES,
    FEATURE_NAMES,
    MODEL_NAME,
    ONNX_INPUT_NAME,
    ONNX_MAX_ML_OPSET,
    ONNX_MAX_OPSET,
    ONNX_OUTPUT_NAME,
)


def check_matches_schema(model: ClassifierMixin) -> None:
    """Raise ``ExportError`` unless the model reads the schema's features and predicts its classes."""
    names = tuple(getattr(model, "feature_names_in_", ()))
    if names != FEATURE_NAMES:
        raise ExportError(
            f"the registered model reads the features {list(names) or '(unnamed)'}, "
            f"but the model card needs {list(FEATURE_NAMES)}"
        )
    classes = [int(c) for c in getattr(model, "classes_", [])]
    if classes != list(range(len(CLASSES))):
        raise ExportError(
            f"the registered model predicts the classes {classes}, but the model card needs "
            f"{len(CLASSES)} classes ({', '.join(CLASSES)})"
        )
    if not hasattr(model, "predict_proba"):
        raise ExportError("the registered model gives no class probabilities")


def to_onnx(model: ClassifierMixin) -> bytes:
    """Convert ``model``: float32 input [N, 4] named "input", probabilities [N, 3] as a plain tensor."""
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import FloatTensorType, Int64TensorType

    check_matches_schema(model)
    try:
        onnx_model = convert_sklearn(
            model,
            name=MODEL_NAME,
            initial_types=[(ONNX_INPUT_NAME, FloatTensorType([None, len(FEATURE_NAMES)]))],
            final_types=[
                ("label", Int64TensorType([None])),
                (ONNX_OUTPUT_NAME, FloatTensorType([None, len(CLASSES)])),
            ],
            # No ZipMap: the app wants a plain [N, 3] tensor, not a list of dicts.
            options={id(model): {"zipmap": False}},
            target_opset={"": ONNX_MAX_OPSET, "ai.onnx.ml": ONNX_MAX_ML_OPSET},
        )
    except Exception as exc:  # skl2onnx raises many kinds for a model it cannot convert
        raise ExportError(f"the registered model cannot be converted to ONNX: {exc}") from None
    # Keep the bytes a pure function of the model: skl2onnx lists the opsets in set order, which varies
    # from one Python process to the next (string hashing is randomised).
    onnx_model.doc_string = ""
    imports = sorted((o.domain, o.version) for o in onnx_model.opset_import)
    del onnx_model.opset_import[:]
    for domain, version in imports:
        onnx_model.opset_import.add(domain=domain, version=version)
    return onnx_model.SerializeToString()


def opset_of(onnx_bytes: bytes) -> int:
    """Return the default-domain opset the model needs (skl2onnx picks the lowest that works)."""
    import onnx

    model = onnx.load_from_string(onnx_bytes)
    return next(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))


def probabilities_of(model: ClassifierMixin, rows: np.ndarray) -> np.ndarray:
    """Return the registered model's class probabilities for float rows in schema order."""
    import pandas as pd

    return np.asarray(model.predict_proba(pd.DataFrame(rows, columns=list(FEATURE_NAMES))), dtype=np.float64)
