"""Behaviour of the exported ONNX model, run through the app's own engine (Made-With-ML style)."""

from __future__ import annotations

import numpy as np
import pytest

from desktop.prediction.engine import Classifier
from training.schema import CLASSES, FEATURE_NAMES

PETAL_LENGTH, PETAL_WIDTH = FEATURE_NAMES.index("petal_length"), FEATURE_NAMES.index("petal_width")


@pytest.fixture(scope="module", params=["fresh export", "shipped model"])
def classifier(request, trained_store) -> Classifier:
    return Classifier.load(trained_store.out if request.param == "fresh export" else None)


def _flowers(count: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).uniform([4.0, 2.0, 1.0, 0.1], [8.0, 4.5, 7.0, 2.5], size=(count, 4))


@pytest.mark.parametrize("feature", [PETAL_LENGTH, PETAL_WIDTH], ids=["petal length", "petal width"])
def test_longer_or_wider_petals_never_make_setosa_more_likely(classifier, feature):
    steps = np.linspace(0.1, 7.0, 30)
    for base in _flowers(300, seed=feature):
        rows = np.tile(base, (len(steps), 1))
        rows[:, feature] = steps
        setosa = classifier.predict_many(rows).probability_matrix[:, CLASSES.index("setosa")]
        assert np.all(np.diff(setosa) <= 1e-6), f"setosa grew along {FEATURE_NAMES[feature]} from {base}"


def test_each_species_mean_from_the_card_is_named_as_that_species(classifier):
    for species in CLASSES:
        means = [f.per_class[species].mean for f in classifier.card.features]
        prediction = classifier.predict(means)
        assert prediction.species == species and not prediction.uncertain


def test_a_millimetre_of_sepal_width_does_not_change_a_clear_setosa(classifier):
    for delta in (-0.1, -0.05, 0.05, 0.1):
        assert classifier.predict([5.0, 3.4 + delta, 1.5, 0.2]).species == "setosa"


def test_probabilities_are_a_distribution_for_any_plausible_flower(classifier):
    probabilities = classifier.predict_many(_flowers(5000, seed=3)).probability_matrix
    assert np.all(probabilities >= 0)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
