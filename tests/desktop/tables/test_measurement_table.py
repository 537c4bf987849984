"""Specification of the one reader of measurement tables and typed numbers (predict --csv, iris-train)."""

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from desktop.cli import main as cli
from desktop.errors import InputError
from desktop.prediction.model_card import CARD_FILENAME, ModelCard
from desktop.resources import asset_path, bundled_model_path
from desktop.tables.measurement_table import (
    GERMAN_FEATURE_LABELS,
    TextColumn,
    parse_measurement,
    read_header,
    read_table,
)

ROW = "5.1,3.5,1.4,0.2"


@pytest.fixture(scope="module")
def card() -> ModelCard:
    return ModelCard.load(bundled_model_path().with_name(CARD_FILENAME))


def write(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "input.csv"
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize(
    ("typed", "value"), [("2.5", 2.5), ("2,5", 2.5), (" 4.75 ", 4.75), ("5", 5.0), (",5", 0.5)]
)
def test_a_typed_number_is_taken_exactly_with_point_or_comma(typed: str, value: float) -> None:
    assert parse_measurement(typed) == value


@pytest.mark.parametrize(
    "typed", ["1_5", "1.000,5", "1,000.5", "1e1", "", "abc", "nan", "inf", "2..5", "0x1"]
)
def test_anything_else_is_refused_never_guessed(typed: str) -> None:
    with pytest.raises(InputError, match="not a number"):
        parse_measurement(typed)


@pytest.mark.parametrize(
    "header",
    [
        "sepal_length,sepal_width,petal_length,petal_width",
        '"Sepal.Length","Sepal.Width","Petal.Length","Petal.Width"',  # R's write.csv(iris)
        "Sepal length,Sepal width,Petal length,Petal width",  # the app's English labels
        "Kelchblattlänge,Kelchblattbreite,Kronblattlänge,Kronblattbreite",  # the app's German labels
        "KELCHBLATTLAENGE,kelchblatt-breite,Kronblatt Länge,kronblattbreite",
        "sepal length in cm,SEPAL WIDTH (CM),petal-length [cm],petalwidth",
    ],
)
def test_columns_are_found_by_every_name_people_use(tmp_path: Path, card: ModelCard, header: str) -> None:
    table = read_table(write(tmp_path, f"{header}\n{ROW}\n"), card.features)
    assert [r.measurements for r in table.rows] == [(5.1, 3.5, 1.4, 0.2)]
    assert table.notices == ()


def test_the_german_labels_are_the_ones_the_window_shows() -> None:
    tree = ET.parse(asset_path("translations", "iris_field_de.ts"))
    shown = {
        m.findtext("source"): m.findtext("translation")
        for m in tree.getroot().iter("message")
        if m.findtext("source") in GERMAN_FEATURE_LABELS
    }
    assert shown == GERMAN_FEATURE_LABELS


@pytest.mark.parametrize(
    ("unit_header", "factor"),
    [
        ("Sepal length (mm)", 0.1),
        ("Sepal length (in)", 2.54),
        ("sepal_length_mm", 0.1),
        ("Sepal length [m]", 100),
    ],
)
def test_a_unit_in_the_header_is_converted_and_said(
    tmp_path: Path, card: ModelCard, unit_header: str, factor: float
) -> None:
    table = read_table(
        write(tmp_path, f"{unit_header},sepal_width,petal_length,petal_width\n2,3.5,1.4,0.2\n"), card.features
    )
    assert table.rows[0].measurements[0] == pytest.approx(2 * factor)
    assert any("converted to cm" in n and unit_header in n for n in table.notices)


def test_a_unit_it_cannot_convert_is_refused_naming_the_column(tmp_path: Path, card: ModelCard) -> None:
    text = "Sepal length (ft),sepal_width,petal_length,petal_width\n1,3.5,1.4,0.2\n"
    with pytest.raises(InputError, match=r"'Sepal length \(ft\)'.*'ft'"):
        read_table(write(tmp_path, text), card.features)


def test_a_german_excel_file_in_windows_1252_is_read_and_the_encoding_named(
    tmp_path: Path, card: ModelCard
) -> None:
    text = (
        "Kelchblattlänge;Kelchblattbreite;Kronblattlänge;Kronblattbreite;Notiz\n5,1;3,5;1,4;0,2;am Bächlein\n"
    )
    table = read_table(write(tmp_path, text, encoding="cp1252"), card.features)
    assert table.rows[0].measurements == (5.1, 3.5, 1.4, 0.2)
    assert table.rows[0].note == "am Bächlein"
    assert table.encoding == "Windows-1252"
    assert any("Windows-1252" in n for n in table.notices)


def test_uci_iris_data_without_header_is_read_with_its_species(tmp_path: Path, card: ModelCard) -> None:
    text = "5.1,3.5,1.4,0.2,Iris-setosa\n7.0,3.2,4.7,1.4,Iris-versicolor\n\n"
    table = read_table(write(tmp_path, text), card.features)
    assert not table.has_header
    assert [(r.line, r.measurements, r.species) for r in table.rows] == [
        (1, (5.1, 3.5, 1.4, 0.2), "Iris-setosa"),
        (2, (7.0, 3.2, 4.7, 1.4), "Iris-versicolor"),
    ]


def test_optional_text_columns_are_read_by_english_or_german_name(tmp_path: Path, card: ModelCard) -> None:
    text = (
        "sepal_length,sepal_width,petal_length,petal_width,Ort,Beobachter,observed_at,Confirmed species,Art\n"
        f"{ROW},Schwarzwald,Ana,2026-05-01T09:00:00+00:00,versicolor,setosa\n"
    )
    (row,) = read_table(write(tmp_path, text), card.features).rows
    assert row.text(TextColumn.LOCATION) == "Schwarzwald"
    assert row.text(TextColumn.OBSERVER) == "Ana"
    assert row.text(TextColumn.OBSERVED_AT) == "2026-05-01T09:00:00+00:00"
    assert row.text(TextColumn.CONFIRMED_SPECIES) == "versicolor"
    assert row.species == "setosa"


def test_a_cell_with_an_underscore_is_a_bad_row_not_fifteen(tmp_path: Path, card: ModelCard) -> None:
    text = "sepal_length,sepal_width,petal_length,petal_width\n1_5,3.5,1.4,0.2\n"
    (row,) = read_table(write(tmp_path, text), card.features).rows
    assert row.measurements is None
    assert "'1_5' is not a number" in row.problem


@pytest.mark.parametrize(
    ("cell", "unit", "key"), [("Sepal length (in)", "in", "sepallength"), ("Länge in mm", "mm", "laenge")]
)
def test_a_header_is_taken_apart_into_words_and_unit(cell: str, unit: str, key: str) -> None:
    assert read_header(cell).unit == unit
    assert read_header(cell).key == key


# ------------------------------------------------------------------ the command line uses the same rules
def test_the_command_line_accepts_decimal_commas(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(["predict", "--json", "5,1", "3,5", "1,4", "0,2"]) == 0
    assert '"sepal_length": 5.1' in capsys.readouterr().out


def test_the_command_line_refuses_an_underscore(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(["predict", "1_5", "3.5", "1.4", "0.2"]) == 2
    assert "must be a number, not '1_5'" in capsys.readouterr().err


def test_predict_csv_names_the_assumed_encoding(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(
        tmp_path,
        "Kelchblattlänge;Kelchblattbreite;Kronblattlänge;Kronblattbreite\n5,1;3,5;1,4;0,2\n",
        "cp1252",
    )
    assert cli.run(["predict", "--csv", str(path)]) == 0
    captured = capsys.readouterr()
    assert "read as Windows-1252" in captured.err
    assert "setosa" in captured.out


def test_predict_csv_in_inches_predicts_on_centimetres(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    header = "Sepal length (in),Sepal width (in),Petal length (in),Petal width (in)"
    path = write(tmp_path, f"{header}\n2.01,1.38,0.55,0.08\n")
    assert cli.run(["predict", "--json", "--csv", str(path)]) == 0
    out = capsys.readouterr().out
    assert '"sepal_length": 5.1054' in out
    assert '"species": "setosa"' in out
