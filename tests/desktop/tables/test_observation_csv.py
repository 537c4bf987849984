"""Specification of CSV input rows and history export/import."""

import uuid
from dataclasses import replace
from pathlib import Path

import pytest

from desktop.errors import InputError
from desktop.prediction.model_card import CARD_FILENAME, ModelCard
from desktop.resources import bundled_model_path
from desktop.store import Observation
from desktop.tables.observation_csv import (
    export_history,
    history_columns,
    import_history,
    read_measurement_rows,
)


@pytest.fixture(scope="module")
def card() -> ModelCard:
    return ModelCard.load(bundled_model_path().with_name(CARD_FILENAME))


def write(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "input.csv"
    path.write_text(text, encoding=encoding)
    return path


@pytest.mark.parametrize(
    "header",
    [
        "sepal_length,sepal_width,petal_length,petal_width",
        "Sepal length,Sepal width,Petal length,Petal width",
        "sepal length (cm),sepal width (cm),petal length (cm),petal width (cm)",
        "SEPAL-LENGTH [cm], Sepal_Width ,petal length cm,Petal Width",
    ],
)
def test_feature_columns_are_found_by_name_or_label_in_any_spelling(
    tmp_path: Path, card: ModelCard, header: str
) -> None:
    rows = read_measurement_rows(write(tmp_path, header + "\n5.1,3.5,1.4,0.2\n"), card)
    assert [(r.line, r.values()) for r in rows] == [(2, [5.1, 3.5, 1.4, 0.2])]


def test_the_card_labels_themselves_are_accepted_as_headers(tmp_path: Path, card: ModelCard) -> None:
    header = ",".join(f.label for f in card.features)
    assert len(read_measurement_rows(write(tmp_path, header + "\n1,2,3,4\n"), card)) == 1


def test_columns_come_back_in_card_order_whatever_the_file_order(tmp_path: Path, card: ModelCard) -> None:
    text = (
        "petal_width,species,petal_length,sepal_width,sepal_length,note\n0.2,setosa,1.4,3.5,5.1, by a rock \n"
    )
    (row,) = read_measurement_rows(write(tmp_path, text), card)
    assert row.values() == [5.1, 3.5, 1.4, 0.2]
    assert row.note == "by a rock"


def test_line_numbers_count_blank_lines_and_keep_bad_cells_as_written(
    tmp_path: Path, card: ModelCard
) -> None:
    text = "sepal_length,sepal_width,petal_length,petal_width\n\n5.1,3.5,1.4,0.2\n\n5.1,x,1.4,0.2\n6,2,4\n"
    rows = read_measurement_rows(write(tmp_path, text), card)
    assert [r.line for r in rows] == [3, 5, 6]
    assert rows[1].values()[1] == "x"
    assert rows[2].problem and rows[2].cells == ()


def test_semicolons_decimal_commas_and_a_byte_order_mark_are_read(tmp_path: Path, card: ModelCard) -> None:
    text = "Sepal length;Sepal width;Petal length;Petal width\n5,1;3,5;1,4;0,2\n"
    (row,) = read_measurement_rows(write(tmp_path, text, encoding="utf-8-sig"), card)
    assert row.values() == [5.1, 3.5, 1.4, 0.2]


def test_a_missing_column_is_named_with_the_header_found(tmp_path: Path, card: ModelCard) -> None:
    with pytest.raises(InputError, match="no column for petal_width") as excinfo:
        read_measurement_rows(
            write(tmp_path, "sepal_length,sepal_width,petal_length,colour\n1,2,3,red\n"), card
        )
    assert "colour" in str(excinfo.value)


def test_two_columns_for_one_feature_are_refused(tmp_path: Path, card: ModelCard) -> None:
    text = "sepal_length,Sepal length (cm),sepal_width,petal_length,petal_width\n1,1,2,3,4\n"
    with pytest.raises(InputError, match="more than one column"):
        read_measurement_rows(write(tmp_path, text), card)


def test_a_file_that_is_not_utf8_text_is_refused(tmp_path: Path, card: ModelCard) -> None:
    path = tmp_path / "binary.csv"
    path.write_bytes(b"\xff\xfe\x00\x81 not text")
    with pytest.raises(InputError, match="UTF-8"):
        read_measurement_rows(path, card)


def make_observation(i: int, **changes: object) -> Observation:
    obs = Observation(
        id=str(uuid.uuid4()),
        created_at=f"2026-05-01T09:{i:02d}:00.000000+00:00",
        updated_at=f"2026-05-01T10:{i:02d}:00.000000+00:00",
        measurements={
            "sepal_length": round(5.1 + i / 10, 1),
            "sepal_width": 3.5,
            "petal_length": 1.4,
            "petal_width": 0.2,
        },
        probabilities={"setosa": 0.9, "versicolor": 0.07, "virginica": 0.03},
        predicted_species="setosa",
        confidence=0.9,
        unusual=(),
        model_name="iris-classifier",
        model_version="3",
        model_sha256="cd" * 32,
    )
    return replace(obs, **changes)


def test_history_export_and_import_round_trip_every_field(tmp_path: Path) -> None:
    observations = [
        make_observation(0),
        make_observation(
            1,
            observer="Zoë Müller",
            note='said "odd", then left;\nsecond line',
            location="Ufer, Nord",
            latitude=47.123456,
            longitude=-8.5,
            confirmed_species="versicolor",
            unusual=("petal_width", "sepal_width"),
            sync_state="failed",
            sync_error="server refused",
            deleted=True,
        ),
    ]
    out = tmp_path / "history.csv"
    export_history(observations, out)
    assert import_history(out) == observations
    assert [p.name for p in tmp_path.iterdir()] == ["history.csv"]  # no temp file left behind


def test_export_columns_put_measurements_first_and_probabilities_after_confidence() -> None:
    columns = history_columns([make_observation(0)])
    assert columns[4:8] == ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    assert columns[columns.index("confidence") + 1 : columns.index("confidence") + 4] == [
        "p_setosa",
        "p_versicolor",
        "p_virginica",
    ]


def test_an_exported_history_can_be_fed_back_to_batch_prediction(tmp_path: Path, card: ModelCard) -> None:
    out = tmp_path / "history.csv"
    export_history([make_observation(0, note="x"), make_observation(1)], out)
    rows = read_measurement_rows(out, card)
    assert [r.values()[0] for r in rows] == [5.1, 5.2]
    assert rows[0].note == "x"


def test_importing_a_file_that_is_not_a_history_export_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not an Iris Field history export"):
        import_history(write(tmp_path, "a,b\n1,2\n"))
