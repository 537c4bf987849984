"""Specification of the inference engine, run against the bundled ONNX model with real ONNX Runtime."""

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest

from desktop.errors import InputError, ModelError, ModelProblem
from desktop.prediction.engine import Classifier
from desktop.prediction.model_card import CARD_FILENAME
from desktop.resources import bundled_model_path

KNOWN = {
    "setosa": [5.1, 3.5, 1.4, 0.2],
    "versicolor": [6.0, 2.9, 4.5, 1.5],
    "virginica": [6.3, 3.3, 6.0, 2.5],
}


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return Classifier.load()


@pytest.fixture
def model_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "model"
    shutil.copytree(bundled_model_path().parent, folder)
    return folder


@pytest.mark.parametrize("species", sorted(KNOWN))
def test_predict_names_the_species_of_a_textbook_flower(classifier: Classifier, species: str) -> None:
    result = classifier.predict(KNOWN[species])
    assert result.species == species
    assert result.confidence == max(result.probabilities.values())
    assert math.isclose(sum(result.probabilities.values()), 1.0, abs_tol=1e-5)
    assert set(result.probabilities) == set(classifier.card.classes)
    assert result.unusual == ()


def test_measurements_outside_the_training_range_are_flagged_by_feature(classifier: Classifier) -> None:
    petal_width = classifier.card.features[3]
    result = classifier.predict([6.3, 3.3, 6.0, petal_width.stats.max + 1.5])
    assert result.unusual == (petal_width.name,)


@pytest.mark.parametrize(
    "values",
    [
        [float("nan"), 3.5, 1.4, 0.2],
        [5.1, float("inf"), 1.4, 0.2],
        [5.1, 3.5, -1.4, 0.2],
        [500.0, 3.5, 1.4, 0.2],
        [5.1, 3.5, 1.4],
        [5.1, 3.5, 1.4, 0.2, 1.0],
        ["abc", 3.5, 1.4, 0.2],
        [0.0, 3.5, 1.4, 0.2],
    ],
)
def test_bad_input_is_refused_before_it_reaches_the_model(classifier: Classifier, values: list) -> None:
    with pytest.raises(InputError) as excinfo:
        classifier.predict(values)
    assert "\n" not in str(excinfo.value)


def test_floats_ints_and_typed_text_at_the_plausible_bounds_are_judged_alike(classifier: Classifier) -> None:
    first = classifier.card.features[0]
    rest = [3.5, 1.4, 0.2]
    at_max = [classifier.predict([v, *rest]).values for v in (first.plausible_max, str(first.plausible_max))]
    assert at_max == [(first.plausible_max, *rest)] * 2
    for refused in (first.plausible_min, int(first.plausible_min), str(first.plausible_min), -math.inf):
        with pytest.raises(InputError, match=first.label):
            classifier.predict([refused, *rest])


def test_predict_many_agrees_with_predict_row_by_row(classifier: Classifier) -> None:
    rng = np.random.default_rng(7)
    rows = rng.uniform([4.0, 2.0, 1.0, 0.1], [8.0, 4.5, 7.0, 2.5], size=(200, 4))
    batch = classifier.predict_many(rows)
    assert len(batch) == 200
    for i in (0, 57, 199):
        single = classifier.predict(rows[i].tolist())
        assert batch[i].species == single.species == batch.labels[i]
        for name, p in single.probabilities.items():
            assert batch[i].probabilities[name] == pytest.approx(p, abs=1e-6)


def test_one_flower_gets_exactly_what_a_plain_session_run_gives_it(classifier: Classifier) -> None:
    # predict() keeps its input and output bound to the session; every row must still be read afresh.
    rng = np.random.default_rng(11)
    rows = rng.uniform([4.0, 2.0, 1.0, 0.1], [8.0, 4.5, 7.0, 2.5], size=(500, 4))
    names = classifier.card.classes
    for row in rows.tolist():
        feed = {classifier.card.input_name: np.array([row], np.float32)}
        plain = classifier._session.run([classifier.card.output_name], feed)
        expected = dict(zip(names, plain[0][0].tolist(), strict=True))
        assert classifier.predict(row).probabilities == expected


def test_predictions_from_several_threads_at_once_each_get_their_own_flower(classifier: Classifier) -> None:
    from concurrent.futures import ThreadPoolExecutor

    flowers = [KNOWN[s] for s in sorted(KNOWN)] * 300
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda values: classifier.predict(values).species, flowers))
    assert answers == sorted(KNOWN) * 300


def test_predict_many_names_the_first_bad_row(classifier: Classifier) -> None:
    rows = [KNOWN["setosa"], KNOWN["virginica"], [5.0, 3.0, float("nan"), 1.0]]
    with pytest.raises(InputError, match=r"^row 3: "):
        classifier.predict_many(rows)


def test_missing_model_file_is_named_in_the_error(model_copy: Path) -> None:
    (model_copy / "iris.onnx").unlink()
    with pytest.raises(ModelError, match="iris.onnx does not exist"):
        Classifier.load(model_copy)


def test_missing_card_is_named_in_the_error(model_copy: Path) -> None:
    (model_copy / CARD_FILENAME).unlink()
    with pytest.raises(ModelError, match=f"{CARD_FILENAME} does not exist"):
        Classifier.load(model_copy / "iris.onnx")


def test_corrupt_model_file_is_refused_because_it_does_not_match_its_card(model_copy: Path) -> None:
    onnx = model_copy / "iris.onnx"
    onnx.write_bytes(onnx.read_bytes()[:-100])
    with pytest.raises(ModelError, match="does not match its card") as refused:
        Classifier.load(model_copy)
    assert (refused.value.problem, refused.value.facts) == (ModelProblem.MODEL_CHANGED, {"path": onnx})


def test_garbage_that_matches_its_card_is_still_refused_as_not_onnx(model_copy: Path) -> None:
    import hashlib

    onnx = model_copy / "iris.onnx"
    onnx.write_bytes(b"this is not an onnx model")
    card_path = model_copy / CARD_FILENAME
    card = json.loads(card_path.read_text())
    card["sha256"] = hashlib.sha256(onnx.read_bytes()).hexdigest()
    card_path.write_text(json.dumps(card))
    with pytest.raises(ModelError, match="not a usable ONNX model"):
        Classifier.load(model_copy)


def test_card_listing_other_classes_than_the_model_is_refused(model_copy: Path) -> None:
    card_path = model_copy / CARD_FILENAME
    card = json.loads(card_path.read_text())
    card["classes"] = [*card["classes"], "germanica"]
    card_path.write_text(json.dumps(card))
    with pytest.raises(ModelError, match="4 classes") as refused:
        Classifier.load(model_copy)
    assert refused.value.problem is ModelProblem.MODEL_DOES_NOT_FIT


def test_card_that_is_not_json_is_refused_with_its_file_name(model_copy: Path) -> None:
    (model_copy / CARD_FILENAME).write_text("{ not json")
    with pytest.raises(ModelError, match="not valid JSON"):
        Classifier.load(model_copy)
