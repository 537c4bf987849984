"""A CSV chunk's rows, built column by column, save what one observation at a time saved."""

import json
import sqlite3
from pathlib import Path

import pytest

from desktop.model_delivery.model_store import ActiveModel, ModelStore, Role
from desktop.model_delivery.shadow import shadow_prediction
from desktop.prediction.engine import Classifier
from desktop.store import BULK_SAVE_ROWS, ObservationStore
from desktop.tables.observation_csv import observation_from_row, stream_measurements
from desktop.tables.predicted_rows import chunk_rows, json_objects
from tests.desktop.model_delivery.release_factory import Lab

HEADER = (
    "sepal_length,sepal_width,petal_length,petal_width,note,location,observer,observed_at,confirmed_species"
)
# Awkward on purpose: blank and padded text cells, times with and without a zone, every spelling of a
# confirmed species, measurements outside the training range, a flower unlike any trained on, a "%".
ROWS = [
    "5.1,3.5,1.4,0.2,  plot 1 ,Hainich,,2026-05-01T09:30,Iris setosa",
    "7.9,4.4,6.9,2.5,,Rhön,  Grace ,2026-05-01T09:30:00+02:00,",
    "6.0,2.7,4.5,1.4,50 % shade,, ,2026-05-02 10:00:00.123456+00:00,Iris-versicolor",
    "0.5,9.0,0.2,5.0,odd one,Kyffhäuser,Ada,2026-05-03T23:59:59-05:00,virginica",
    '4.3,2.0,1.0,0.1,"quoted, note",Harz,Grace,2026-05-04T00:00,',
    "6.3,3.3,6.0,2.5,,,,2026-05-05T12:00:00.5+01:00,VIRGINICA",
]
SEARCHES = ("plot", "Hainich", "Grace", "virginica", "versicolor", "shade", "Rhön", "quoted", "nothing")


@pytest.fixture
def classifier() -> Classifier:
    return Classifier.load()


@pytest.fixture
def challenger(iris_home: Path) -> ActiveModel:
    """Install a challenger whose card refuses petals over 6 cm: those flowers get no shadow answer."""
    lab = Lab.new()

    def narrower(card: dict) -> None:
        next(f for f in card["features"] if f["name"] == "petal_length")["plausible_max"] = 6.0

    models = ModelStore()
    models.install(lab.release(1, version="2"), Role.CHAMPION, trusted=lab.trusted)
    models.install(lab.release(2, version="3", alias="challenger", edit=narrower), Role.CHALLENGER,
                   trusted=lab.trusted)  # fmt: skip
    loaded = models.load_challenger()
    assert loaded is not None
    return loaded


def csv_file(tmp_path: Path, copies: int) -> Path:
    path = tmp_path / "flowers.csv"
    path.write_text(HEADER + "\n" + "\n".join(ROWS * copies) + "\n", encoding="utf-8")
    return path


def saved(path: Path) -> list[dict]:
    db = sqlite3.connect(path)
    db.row_factory = sqlite3.Row
    rows = [dict(r) for r in db.execute("SELECT rowid, * FROM observations ORDER BY rowid")]
    db.close()
    return rows


def hits(store: ObservationStore, positions: dict[str, int], word: str) -> list[int]:
    return sorted(positions[o.id] for o in store.list(word))


@pytest.mark.parametrize("copies", [1, BULK_SAVE_ROWS // len(ROWS) + 1], ids=["small", "bulk"])
def test_rows_of_a_chunk_save_what_observations_one_at_a_time_save(
    tmp_path: Path, classifier: Classifier, challenger: ActiveModel, copies: int
) -> None:
    card = classifier.card
    stamp = ModelStore().load_active().stamp
    batch = ObservationStore.open(tmp_path / "batch.sqlite3")
    one_by_one = ObservationStore.open(tmp_path / "one.sqlite3")
    for chunk in stream_measurements(csv_file(tmp_path, copies), card).chunks:
        predicted = classifier.predict_many(chunk.measurements)
        built = chunk_rows(chunk, predicted, card, "Default", stamp=stamp, challenger=challenger)
        assert built.bad == []
        batch.add_rows([built.rows])
        for prediction, cells in zip(predicted, chunk.texts, strict=True):
            shadow = shadow_prediction(challenger, prediction)
            one_by_one.add(
                observation_from_row(prediction, cells, card, "Default", stamp=stamp, challenger=shadow)
            )
    ours, theirs = saved(tmp_path / "batch.sqlite3"), saved(tmp_path / "one.sqlite3")
    assert len(ours) == len(theirs) == len(ROWS) * copies
    for mine, reference in zip(ours, theirs, strict=True):
        assert mine.pop("id") != reference.pop("id")
        assert mine == reference  # every other column, byte for byte (JSON texts included)
        for column in ("measurements", "probabilities", "unusual", "challenger"):
            decoded = json.loads(mine[column]) if mine[column] is not None else None
            assert decoded == (json.loads(reference[column]) if reference[column] is not None else None)
    shadows = [r["challenger"] for r in ours[: len(ROWS)]]
    assert None in shadows and any(shadows)  # some flowers were refused by the challenger, some answered
    order_batch = {o.id: i for i, o in enumerate(reversed(batch.list(include_deleted=True)))}
    order_rows = {o.id: i for i, o in enumerate(reversed(one_by_one.list(include_deleted=True)))}
    for word in SEARCHES:
        assert hits(batch, order_batch, word) == hits(one_by_one, order_rows, word), word
    batch.close()
    one_by_one.close()


def test_rows_without_a_time_share_the_save_time_and_ids_increase(tmp_path: Path, classifier) -> None:
    path = tmp_path / "plain.csv"
    path.write_text("sepal_length,sepal_width,petal_length,petal_width\n" + "5.1,3.5,1.4,0.2\n" * 50)
    chunk = next(iter(stream_measurements(path, classifier.card).chunks))
    built = chunk_rows(chunk, classifier.predict_many(chunk.measurements), classifier.card, "Ada")
    ids = built.rows.ids()
    assert ids == sorted(ids) and len(set(ids)) == 50
    assert len({row[1] for row in built.rows.rows}) == 1  # created_at: one clock reading per chunk


def test_a_bad_time_or_species_names_its_line_and_builds_no_rows(tmp_path: Path, classifier) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(f"{HEADER}\n" + "\n".join([ROWS[0], "5,3,1,0.2,,,,yesterday,", "5,3,1,0.2,,,,,tulip"]))
    chunk = next(iter(stream_measurements(path, classifier.card).chunks))
    built = chunk_rows(chunk, classifier.predict_many(chunk.measurements), classifier.card, "")
    assert len(built.rows) == 0
    assert [line for line, _ in built.bad] == [3, 4]
    assert "observed_at 'yesterday'" in built.bad[0][1] and "confirmed_species 'tulip'" in built.bad[1][1]


@pytest.mark.parametrize(
    "values", [[0.1, 1e-5, 0.30000000000000004], [-0.0, 0.0, 1e16], [2.5, 2.5, 5.0]], ids=str
)
def test_json_objects_are_what_json_dumps_writes(values: list[float]) -> None:
    import numpy as np

    matrix = np.array([values, values[::-1]])
    keys = ["a", 'b "quoted"', "50 %"]
    expected = [json.dumps(dict(zip(keys, row, strict=True))) for row in matrix.tolist()]
    assert json_objects(keys, matrix) == expected


def test_predict_csv_save_keeps_the_challengers_answer_for_each_flower(
    tmp_path: Path, classifier: Classifier, challenger: ActiveModel, capsys: pytest.CaptureFixture
) -> None:
    from desktop.cli.main import run

    assert run(["predict", "--csv", str(csv_file(tmp_path, 2)), "--save", "--allow-duplicates"]) == 0
    capsys.readouterr()
    with ObservationStore.open() as store:
        observations = list(reversed(store.list()))
    assert len(observations) == 2 * len(ROWS)
    for obs in observations:
        row_by_row = shadow_prediction(challenger, classifier.predict(list(obs.measurements.values())))
        assert obs.challenger == row_by_row
    assert any(o.challenger is None for o in observations) and any(o.challenger for o in observations)
