"""The joint unusual-flower check of the bundled model card: impossible flowers flagged, real ones not."""

import itertools
import json

import numpy as np
import pytest

from desktop.inference import Classifier
from training.data import load_bundled

IRIS = load_bundled()
SETOSA, VERSICOLOR, VIRGINICA = 0, 1, 2


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return Classifier.load()


def impossible_flowers(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Flowers no Iris has: petals longer than sepals, species mixed, every measurement at a range's end."""
    features, labels = IRIS.features, IRIS.labels

    def rows_of(species: int) -> np.ndarray:
        return features[rng.choice(np.flatnonzero(labels == species), size=150)]

    petal_longer = features[rng.integers(len(features), size=300)].copy()
    petal_longer[:, 2] = petal_longer[:, 0] + rng.uniform(0.1, 2.0, size=300)
    groups = {"petal longer than sepal": petal_longer}
    for sepals, petals in [
        (SETOSA, VIRGINICA),
        (VIRGINICA, SETOSA),
        (SETOSA, VERSICOLOR),
        (VERSICOLOR, SETOSA),
    ]:
        groups[f"sepals of {sepals}, petals of {petals}"] = np.hstack(
            [rows_of(sepals)[:, :2], rows_of(petals)[:, 2:]]
        )
    low, high = features.min(axis=0), features.max(axis=0)
    groups["at the range's ends"] = np.array(
        [np.where(corner, high, low) for corner in itertools.product([False, True], repeat=4)]
    )
    return groups


def test_at_least_95_percent_of_impossible_flowers_are_flagged(classifier: Classifier) -> None:
    groups = impossible_flowers(np.random.default_rng(13))
    flagged = {
        name: classifier.predict_many(rows).outlier_scores > classifier.card.novelty.threshold
        for name, rows in groups.items()
    }
    every = np.concatenate(list(flagged.values()))
    assert every.mean() >= 0.95, {name: round(f.mean(), 3) for name, f in flagged.items()}
    assert all(f.mean() >= 0.85 for f in flagged.values()), {name: f.mean() for name, f in flagged.items()}


def test_at_most_2_percent_of_the_150_iris_flowers_are_flagged(classifier: Classifier) -> None:
    batch = classifier.predict_many(IRIS.features)
    assert sum(p.outlier.flag for p in batch) <= 0.02 * len(IRIS)


@pytest.mark.parametrize(
    "flower",
    [(4.3, 4.4, 6.9, 2.5), (7.9, 4.4, 1.1, 0.1), (15, 10, 15, 10)],
    ids=["petal longer than sepal", "range ends", "giant"],
)
def test_the_flowers_from_the_issue_are_flagged_one_by_one(classifier: Classifier, flower) -> None:
    outlier = classifier.predict(flower).outlier
    assert outlier.flag and outlier.score > outlier.threshold


def test_one_flower_and_a_batch_score_alike(classifier: Classifier) -> None:
    rows = IRIS.features[::7]
    batch = classifier.predict_many(rows)
    for row, from_batch in zip(rows, batch, strict=True):
        assert classifier.predict(row.tolist()).outlier == from_batch.outlier


def test_the_threshold_was_set_on_the_training_rows(classifier: Classifier) -> None:
    novelty = classifier.card.novelty
    assert novelty.training_rows == 120
    assert "leave-one-out" in novelty.threshold_rule
    assert 2 < novelty.threshold < 6


def test_predict_json_carries_the_outlier_answer(capsys: pytest.CaptureFixture[str]) -> None:
    from desktop import cli

    assert cli.run(["predict", "--json", "4.3", "4.4", "6.9", "2.5"]) == 0
    outlier = json.loads(capsys.readouterr().out)["outlier"]
    assert outlier["flag"] is True and outlier["score"] > outlier["threshold"] > 0


def test_a_saved_outlier_keeps_its_flag_in_the_history_and_its_export(
    tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    from desktop import cli
    from desktop.observation_csv import import_history
    from desktop.store import ObservationStore

    assert cli.run(["predict", "--save", "7.9", "4.4", "1.1", "0.1"]) == 0
    assert "Unlike any flower the model was trained on" in capsys.readouterr().out
    with ObservationStore.open() as store:
        (saved,) = store.list()
    assert saved.outlier and saved.outlier_score is not None
    out = tmp_path / "export.csv"
    assert cli.run(["history", "--csv", str(out)]) == 0
    assert import_history(out)[0].outlier


def test_a_synced_run_carries_the_flag() -> None:
    from desktop.store import Observation
    from desktop.sync.run_record import build_run_record

    classifier = Classifier.load()
    obs = Observation.from_prediction(classifier.predict([15, 10, 15, 10]), classifier.card)
    assert build_run_record(obs, device="laptop").tag_dict["outlier"] == "true"
