"""The joint unusual-flower check of the bundled model card: impossible flowers flagged, real ones not."""

import itertools
import json

import numpy as np
import pytest

from desktop.prediction.engine import Classifier
from desktop.prediction.unusual import UnusualScorer, _nearest_squared_any
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


def reference_scores(classifier: Classifier, rows: np.ndarray) -> np.ndarray:
    """Return the defining formula: sqrt(min over classes of (x - mean)ᵀ inv(covariance) (x - mean))."""
    clouds = classifier.card.novelty.classes.values()
    squared = [
        np.einsum("ij,jk,ik->i", rows - c.mean, np.linalg.inv(c.covariance), rows - c.mean) for c in clouds
    ]
    return np.sqrt(np.min(squared, axis=0))


def many_flowers(classifier: Classifier, n: int = 20_000) -> np.ndarray:
    """Return flowers over the whole plausible range, most of them impossible, plus the 150 Iris rows."""
    lo = [f.plausible_min + 0.01 for f in classifier.card.features]
    hi = [f.plausible_max for f in classifier.card.features]
    return np.vstack([IRIS.features, np.random.default_rng(5).uniform(lo, hi, size=(n, len(lo)))])


def test_the_fast_scores_are_the_reference_formula_on_many_flowers(classifier: Classifier) -> None:
    rows = many_flowers(classifier)
    expected = reference_scores(classifier, rows)
    scorer = classifier._joint_check
    np.testing.assert_allclose(scorer.scores(rows), expected, rtol=1e-12, atol=1e-12)
    one_by_one = [scorer.score(row) for row in rows[:2_000].tolist()]
    np.testing.assert_allclose(one_by_one, expected[:2_000], rtol=1e-12, atol=1e-12)
    threshold = classifier.card.novelty.threshold
    assert np.array_equal(scorer.scores(rows) > threshold, expected > threshold)


def test_a_flower_scores_the_same_to_the_last_bit_alone_and_in_a_batch(classifier: Classifier) -> None:
    rows = many_flowers(classifier, n=5_000)
    batch = classifier._joint_check.scores(rows)
    alone = np.array([classifier._joint_check.score(row) for row in rows.tolist()])
    assert np.array_equal(alone, batch)


def test_the_written_out_four_feature_sum_is_the_general_one() -> None:
    rng = np.random.default_rng(2)
    means = rng.normal(size=(3, 4))
    spread = rng.normal(size=(3, 4, 4))
    covariances = spread @ spread.transpose(0, 2, 1) + 0.1 * np.eye(4)
    scorer = UnusualScorer(means, np.linalg.inv(covariances), threshold=1.0)
    general = _nearest_squared_any(4)
    for row in rng.normal(scale=3, size=(1_000, 4)).tolist():
        assert general(row, scorer._flat) == scorer._nearest_squared(row, scorer._flat)


def test_a_card_with_other_than_four_features_scores_alike_alone_and_in_a_batch() -> None:
    rng = np.random.default_rng(3)
    means = rng.normal(size=(2, 3))
    spread = rng.normal(size=(2, 3, 3))
    covariances = spread @ spread.transpose(0, 2, 1) + 0.1 * np.eye(3)
    scorer = UnusualScorer(means, np.linalg.inv(covariances), threshold=1.0)
    rows = rng.normal(scale=3, size=(500, 3))
    expected = np.sqrt(
        np.min(
            [
                np.einsum("ij,jk,ik->i", rows - m, np.linalg.inv(c), rows - m)
                for m, c in zip(means, covariances, strict=True)
            ],
            axis=0,
        )
    )
    np.testing.assert_allclose(scorer.scores(rows), expected, rtol=1e-10)
    assert np.array_equal([scorer.score(row) for row in rows.tolist()], scorer.scores(rows))


def test_the_threshold_was_set_on_the_training_rows(classifier: Classifier) -> None:
    novelty = classifier.card.novelty
    assert novelty.training_rows == 120
    assert "leave-one-out" in novelty.threshold_rule
    assert 2 < novelty.threshold < 6


def test_predict_json_carries_the_outlier_answer(capsys: pytest.CaptureFixture[str]) -> None:
    from desktop.cli import main as cli

    assert cli.run(["predict", "--json", "4.3", "4.4", "6.9", "2.5"]) == 0
    outlier = json.loads(capsys.readouterr().out)["outlier"]
    assert outlier["flag"] is True and outlier["score"] > outlier["threshold"] > 0


def test_a_saved_outlier_keeps_its_flag_in_the_history_and_its_export(
    tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    from desktop.cli import main as cli
    from desktop.store import ObservationStore
    from desktop.tables.observation_csv import import_history

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
