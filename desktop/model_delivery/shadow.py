"""The challenger in shadow: it predicts every saved flower too, but only the champion's answer is shown."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from desktop.errors import IrisFieldError
from desktop.model_delivery.release import ShadowPrediction

if TYPE_CHECKING:
    import numpy as np

    from desktop.model_delivery.model_store import ActiveModel, ModelStore
    from desktop.prediction.engine import BatchPrediction, Prediction


def shadow_prediction(challenger: ActiveModel | None, prediction: Prediction) -> ShadowPrediction | None:
    """Return the challenger's answer for the flower of ``prediction`` (None without a challenger)."""
    if challenger is None:
        return None
    try:
        answer = challenger.classifier.predict(prediction.values)
    except IrisFieldError:
        return None  # the shadow never stops a save: a value it refuses just goes unrecorded
    return ShadowPrediction(challenger.stamp, answer.species, dict(answer.probabilities))


def shadow_predictions(
    predictions: Sequence[Prediction], store: ModelStore | None = None
) -> list[ShadowPrediction | None]:
    """Return the installed challenger's answers for several flowers (all None without a challenger)."""
    from desktop.model_delivery.model_store import ModelStore

    challenger = (store or ModelStore()).load_challenger()
    return [shadow_prediction(challenger, p) for p in predictions]


def shadow_batch(challenger: ActiveModel, inputs: np.ndarray) -> tuple[BatchPrediction | None, np.ndarray]:
    """Return the challenger's answers for the rows of ``inputs`` it accepts, and which rows those are.

    One ``predict_many`` for the whole batch; a row the challenger refuses goes unrecorded, as
    ``shadow_prediction`` leaves it (None), and so does every row when its model wants other inputs.
    """
    import numpy as np

    accepted = np.ones(len(inputs), dtype=bool)
    classifier = challenger.classifier
    if inputs.ndim != 2 or inputs.shape[1] != len(classifier.card.feature_names):
        return None, np.zeros(len(inputs), dtype=bool)
    for row, _why in classifier.implausible(inputs):
        accepted[row] = False
    if not accepted.any():
        return None, accepted
    try:
        return classifier.predict_many(inputs[accepted]), accepted
    except IrisFieldError:
        return None, np.zeros(len(inputs), dtype=bool)
