"""The challenger in shadow: it predicts every saved flower too, but only the champion's answer is shown."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from desktop.errors import IrisFieldError
from desktop.model_delivery.release import ShadowPrediction

if TYPE_CHECKING:
    from desktop.inference import Prediction
    from desktop.model_delivery.model_store import ActiveModel, ModelStore


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
