"""What the model reads and says: feature names, labels, units, plausible ranges and class names.

The exported model card is built from this module, so it is the one place to change any of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from contract import registry as contract_registry
from contract.registry import Alias, Experiment


@dataclass(frozen=True)
class FeatureSpec:
    """One measurement the model expects, with the range a real flower can have (min exclusive)."""

    name: str
    label: str
    unit: str
    plausible_min: float
    plausible_max: float


FEATURES: tuple[FeatureSpec, ...] = (
    FeatureSpec("sepal_length", "Sepal length", "cm", 0.0, 15.0),
    FeatureSpec("sepal_width", "Sepal width", "cm", 0.0, 10.0),
    FeatureSpec("petal_length", "Petal length", "cm", 0.0, 15.0),
    FeatureSpec("petal_width", "Petal width", "cm", 0.0, 10.0),
)
FEATURE_NAMES: tuple[str, ...] = tuple(f.name for f in FEATURES)
CLASSES: tuple[str, ...] = ("setosa", "versicolor", "virginica")
SPECIES_COLUMN = "species"

MODEL_NAME = contract_registry.MODEL_NAME
EXPERIMENT_NAME = Experiment.TRAINING.value
CHALLENGER = Alias.CHALLENGER.value  # the field's shadow model: moved only when the lab says so
CANDIDATE = Alias.CANDIDATE.value  # every iris-train registers its model here
CHAMPION = Alias.CHAMPION.value

ONNX_FILENAME = contract_registry.ONNX_FILENAME
ONNX_INPUT_NAME = "input"
ONNX_OUTPUT_NAME = "probabilities"
# Upper bounds for the converter, which picks the lowest opsets the model needs; 17 / ai.onnx.ml 3 run
# on every onnxruntime the app allows (>= 1.20), Intel Macs included. The card records the actual one.
ONNX_MAX_OPSET = 17
ONNX_MAX_ML_OPSET = 3
