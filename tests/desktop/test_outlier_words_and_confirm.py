"""A flower unlike any in training never gets a confident percentage; confirm works from the command line."""

import json
from pathlib import Path

import pytest

from desktop.cli import main as cli
from desktop.model_delivery.model_store import ModelStore, Role
from desktop.store import ObservationStore
from tests.desktop.model_delivery.release_factory import Lab

OUTLIER = ["7.9", "4.4", "1.1", "0.1"]  # every value seen in training, the whole flower never
SETOSA = ["5.1", "3.5", "1.4", "0.2"]


def test_predict_says_no_percentage_can_be_trusted_and_then_shows_none(capsys) -> None:
    assert cli.run(["predict", *OUTLIER]) == 0
    out = capsys.readouterr().out
    assert "no percentage can be trusted" in out
    assert "%" not in out and "#" not in out


def test_an_ordinary_flower_keeps_its_percentages_and_bars(capsys) -> None:
    assert cli.run(["predict", *SETOSA]) == 0
    out = capsys.readouterr().out
    assert "setosa (100.0 % confident)" in out and "#####" in out


def test_predict_json_gives_no_confidence_for_an_outlier_and_says_why(capsys) -> None:
    assert cli.run(["predict", "--json", *OUTLIER]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["verdict"] == "unlike-training" and answer["confidence"] is None
    assert answer["outlier"]["flag"] is True
    assert cli.run(["predict", "--json", *SETOSA]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["verdict"] == "confident" and answer["confidence"] > 0.9
    assert "challenger" not in answer  # none installed


def test_predict_csv_shows_a_dash_where_an_outliers_percentage_would_be(tmp_path: Path, capsys) -> None:
    path = tmp_path / "two.csv"
    path.write_text(
        f"sepal_length,sepal_width,petal_length,petal_width\n{','.join(SETOSA)}\n{','.join(OUTLIER)}\n"
    )
    assert cli.run(["predict", "--csv", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "100.0 %" in lines[1]
    assert (
        "%" not in lines[2] and "—" in lines[2] and "unlike any flower the model was trained on" in lines[2]
    )


def test_history_shows_unlike_any_training_flower_instead_of_a_percentage(capsys) -> None:
    assert cli.run(["predict", "--save", *OUTLIER]) == 0
    assert cli.run(["predict", "--save", *SETOSA]) == 0
    capsys.readouterr()
    assert cli.run(["history"]) == 0
    outlier_line, setosa_line = capsys.readouterr().out.splitlines()[2:0:-1]
    assert "setosa unlike any training flower" in outlier_line and "%" not in outlier_line
    assert "setosa 100.0 %" in setosa_line
    assert cli.run(["history", "--json"]) == 0
    verdicts = [o["verdict"] for o in json.loads(capsys.readouterr().out)]
    assert verdicts == ["confident", "unlike-training"]


# ------------------------------------------------------------------ confirm
def saved_id(capsys) -> str:
    assert cli.run(["predict", "--save", "--json", "6.3", "3.3", "6.0", "2.5"]) == 0
    return json.loads(capsys.readouterr().out)["saved_id"]


def test_history_confirm_records_a_confirmation_and_a_correction_as_the_window_does(capsys) -> None:
    observation = saved_id(capsys)
    assert cli.run(["history", "confirm", observation, "virginica"]) == 0
    assert f"Observation {observation}: virginica confirmed, as the model said." in capsys.readouterr().out
    with ObservationStore.open() as store:
        first = store.get(observation)
    assert first.confirmed_species == "virginica"
    assert cli.run(["history", "confirm", observation, "Iris versicolor"]) == 0
    assert "corrected to versicolor (the model said virginica)" in capsys.readouterr().out
    with ObservationStore.open() as store:
        corrected = store.get(observation)
    assert (corrected.confirmed_species, corrected.predicted_species) == ("versicolor", "virginica")
    assert corrected.updated_at > first.updated_at  # an edit: the sync sends it again
    assert cli.run(["history"]) == 0
    assert "versicolor*" in capsys.readouterr().out
    assert cli.run(["history", "confirm", observation, "none"]) == 0
    with ObservationStore.open() as store:
        assert store.get(observation).confirmed_species is None


@pytest.mark.parametrize(
    ("words", "error"),
    [
        (["rosa"], "'rosa' is not a species of this observation; name one of setosa, versicolor, virginica"),
        ([], "name the observation and the species"),
    ],
)
def test_history_confirm_refuses_what_the_window_would_not_offer(capsys, words, error) -> None:
    observation = saved_id(capsys)
    assert cli.run(["history", "confirm", observation, *words]) == 2
    assert error in capsys.readouterr().err
    with ObservationStore.open() as store:
        assert store.get(observation).confirmed_species is None


def test_history_confirm_names_an_unknown_or_deleted_observation(capsys) -> None:
    observation = saved_id(capsys)
    with ObservationStore.open() as store:
        store.delete(observation)
    assert cli.run(["history", "confirm", observation, "setosa"]) == 2
    assert f"the observation {observation} was deleted" in capsys.readouterr().err
    assert cli.run(["history", "confirm", "0190f1c2-0000-7000-8000-000000000000", "setosa"]) == 2
    assert "is not in the history" in capsys.readouterr().err


# ------------------------------------------------------------------ challenger
def test_predict_json_shows_the_challengers_answer_when_one_is_installed(capsys) -> None:
    lab = Lab.new()
    models = ModelStore()
    models.install(lab.release(1, version="2"), Role.CHAMPION, trusted=lab.trusted)
    models.install(lab.release(2, version="3", alias="challenger"), Role.CHALLENGER, trusted=lab.trusted)
    assert cli.run(["predict", "--json", "--save", *SETOSA]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["challenger"]["species"] == "setosa"
    assert answer["challenger"]["model"]["version"] == "3"
    with ObservationStore.open() as store:
        assert store.get(answer["saved_id"]).challenger.to_dict() == answer["challenger"]


def test_predict_csv_json_shows_the_challengers_answer_beside_each_saved_one(tmp_path: Path, capsys) -> None:
    lab = Lab.new()
    models = ModelStore()
    models.install(lab.release(1, version="2"), Role.CHAMPION, trusted=lab.trusted)
    models.install(lab.release(2, version="3", alias="challenger"), Role.CHALLENGER, trusted=lab.trusted)
    path = tmp_path / "two.csv"
    path.write_text(
        f"sepal_length,sepal_width,petal_length,petal_width\n{','.join(SETOSA)}\n6.3,3.3,6.0,2.5\n"
    )
    assert cli.run(["predict", "--json", "--save", "--csv", str(path)]) == 0
    answers = json.loads(capsys.readouterr().out)["predictions"]
    assert [a["challenger"]["species"] for a in answers] == ["setosa", "virginica"]
    with ObservationStore.open() as store:
        for answer in answers:
            assert store.get(answer["saved_id"]).challenger.to_dict() == answer["challenger"]
