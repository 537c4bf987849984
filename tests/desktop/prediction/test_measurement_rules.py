"""One set of number rules: what the window refuses, the command line and every table refuse too."""

from pathlib import Path

import pytest

from desktop.cli import main as cli
from desktop.prediction.engine import Classifier
from desktop.prediction.measurement_rules import (
    MeasurementProblem,
    MeasurementRefused,
    allowed,
    check_saved,
    check_text,
)
from desktop.prediction.model_card import ModelCard
from desktop.store import ObservationStore

HUNDRED_THOUSAND_DIGITS = "1" * 100_000


@pytest.fixture(scope="module")
def card() -> ModelCard:
    return Classifier.load().card


def test_the_card_allows_0_1_to_15_cm_at_0_1_cm_for_a_sepal_length(card: ModelCard) -> None:
    rule = allowed(card.features[0])
    assert (rule.low, rule.high, rule.decimals) == (0.1, 15.0, 1)


@pytest.mark.parametrize(
    ("typed", "problem", "words"),
    [
        ("5.123456789", MeasurementProblem.TOO_PRECISE, "5.123456789 cm has more decimals than the model's"),
        ("0.0000001", MeasurementProblem.TOO_SMALL, "0.0000001 cm is not a plausible measurement (at least"),
        ("15.0000001", MeasurementProblem.TOO_LARGE, "15.0000001 cm is not a plausible measurement (at most"),
        ("15.05", MeasurementProblem.TOO_LARGE, "15.05 cm is not a plausible measurement"),
        (HUNDRED_THOUSAND_DIGITS, MeasurementProblem.TOO_LARGE, "1111111111… (100,000 digits) cm is not a"),
        ("1_5", MeasurementProblem.NOT_A_NUMBER, "must be a number, not '1_5'"),
        ("0", MeasurementProblem.TOO_SMALL, "0 cm is not a plausible measurement"),
    ],
)  # fmt: skip
def test_each_refusal_is_one_sentence_that_names_the_value_as_typed(
    card: ModelCard, typed: str, problem: MeasurementProblem, words: str
) -> None:
    with pytest.raises(MeasurementRefused) as refused:
        check_text(card.features[0], typed)
    assert refused.value.problem is problem
    message = str(refused.value)
    assert words in message
    assert "inf" not in message and "\n" not in message and len(message) < 200


@pytest.mark.parametrize("typed", ["0.1", "15", "15.0", "5,1", "6.3"])
def test_values_the_window_takes_are_taken(card: ModelCard, typed: str) -> None:
    assert check_text(card.features[0], typed) == float(typed.replace(",", "."))


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("5.123456789", "more decimals than the model's precision of 0.1 cm"),
        ("0.0000001", "0.0000001 cm is not a plausible measurement (at least 0.1 cm"),
        ("15.0000001", "15.0000001 cm is not a plausible measurement (at most 15 cm"),
        (HUNDRED_THOUSAND_DIGITS, "(100,000 digits) cm is not a plausible measurement"),
    ],
)
def test_predict_refuses_what_the_window_refuses_and_saves_nothing(
    capsys: pytest.CaptureFixture[str], value: str, words: str
) -> None:
    assert cli.run(["predict", "--save", value, "3.5", "1.4", "0.2"]) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1 and "not inf" not in err
    with ObservationStore.open() as store:
        assert store.list() == []


def test_predict_csv_refuses_the_same_values_each_by_line(tmp_path: Path, capsys) -> None:
    path = tmp_path / "field.csv"
    path.write_text(
        "sepal_length,sepal_width,petal_length,petal_width\n"
        "5.1,3.5,1.4,0.2\n"
        "5.123456789,3.5,1.4,0.2\n"
        "0.0000001,3.5,1.4,0.2\n"
        "15.0000001,3.5,1.4,0.2\n"
        f"{HUNDRED_THOUSAND_DIGITS},3.5,1.4,0.2\n"
        "5.15,3.5,1.4,0.2\n",
        encoding="utf-8",
    )
    assert cli.run(["predict", "--save", "--csv", str(path)]) == 2
    err = capsys.readouterr().err
    assert "has 5 bad rows, nothing was saved" in err
    assert "line 3: sepal_length 5.123456789 has more decimals than the model's precision of 0.1 cm" in err
    assert "line 4: sepal_length 0.0000001 cm is not a plausible measurement (at least 0.1 cm" in err
    assert "line 5: sepal_length 15.0000001 cm is not a plausible measurement (at most 15 cm" in err
    assert "line 6: sepal_length 1111111111… (100,000 digits) cm is not a plausible measurement" in err
    assert "line 7: sepal_length 5.15 has more decimals" in err
    assert "inf" not in err
    with ObservationStore.open() as store:
        assert store.list() == []


def test_a_column_in_millimetres_may_not_carry_decimals_finer_than_a_tenth_of_a_cm(
    tmp_path: Path, capsys
) -> None:
    path = tmp_path / "mm.csv"
    path.write_text(
        "sepal_length (mm),sepal_width (mm),petal_length (mm),petal_width (mm)\n51,35,14,2\n51.5,35,14,2\n",
        encoding="utf-8",
    )
    assert cli.run(["predict", "--csv", str(path)]) == 2
    assert "line 3: sepal_length (mm) 51.5 has more decimals than the model's precision of 1 mm" in (
        capsys.readouterr().err
    )


def test_a_folder_where_the_history_file_should_be_is_called_a_folder(iris_home: Path, capsys) -> None:
    (iris_home / "observations.sqlite3").mkdir(parents=True)
    assert cli.run(["predict", "--save", "5.1", "3.5", "1.4", "0.2"]) == 1
    err = capsys.readouterr().err
    assert "observations.sqlite3 is a folder, not a history file; move it away" in err
    assert cli.run(["history"]) == 1
    assert "is a folder" in capsys.readouterr().err


@pytest.mark.parametrize("text", ["5.10", "5,10", "5.100", "5.0", "5."])
def test_trailing_zeros_are_the_same_measurement_not_more_precision(card: ModelCard, text: str) -> None:
    assert check_text(card.features[0], text) == float(text.replace(",", ".").rstrip("."))


def test_a_spreadsheet_column_written_to_two_places_is_read(tmp_path: Path, capsys) -> None:
    table = tmp_path / "two-places.csv"
    table.write_text("sepal_length,sepal_width,petal_length,petal_width\n5.10,3.50,1.40,0.20\n")
    assert cli.run(["predict", "--csv", str(table)]) == 0
    assert "setosa" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("stored", "taken"),
    [
        ("5.1", True),  # typed in cm (or mm, or m) at the card's 0.1 cm
        ("5.1054", True),  # 2.01 in, converted and kept to a micrometre
        ("2.54", True),  # 1 in
        ("5.12", False),  # 0.01 cm: finer than the card, and no 0.01 in gives it
        ("5.1055", False),
        ("5.123456789", False),
    ],
)
def test_a_stored_value_is_taken_at_the_cards_precision_or_as_converted_from_inches(
    card: ModelCard, stored: str, taken: bool
) -> None:
    feature = card.features[0]
    if taken:
        assert check_saved(feature, stored) == float(stored)
        return
    with pytest.raises(MeasurementRefused) as refused:
        check_saved(feature, stored)
    assert refused.value.problem is MeasurementProblem.TOO_PRECISE


def test_a_stored_value_out_of_range_is_refused_for_its_range_first(card: ModelCard) -> None:
    with pytest.raises(MeasurementRefused) as refused:
        check_saved(card.features[0], "99.1054")
    assert refused.value.problem is MeasurementProblem.TOO_LARGE
