"""Reading a table in chunks gives exactly what reading it whole gives, by the same rules."""

from pathlib import Path

import numpy as np
import pytest

from desktop.errors import InputError
from desktop.prediction.model_card import CARD_FILENAME, ModelCard
from desktop.resources import bundled_model_path
from desktop.tables.measurement_table import read_table, stream_table


@pytest.fixture(scope="module")
def card() -> ModelCard:
    return ModelCard.load(bundled_model_path().with_name(CARD_FILENAME))


def chunked(path: Path, card: ModelCard, size: int):
    stream = stream_table(path, card.features, chunk_rows=size)
    lines, rows, notes, problems = [], [], [], []
    for chunk in stream.chunks:
        lines.extend(chunk.lines)
        rows.extend(chunk.measurements.tolist())
        notes.extend(chunk.notes)
        problems.extend((p.line, p.problem) for p in chunk.problems)
    return stream, lines, rows, notes, problems


def whole(path: Path, card: ModelCard):
    table = read_table(path, card.features)
    good = [r for r in table.rows if not r.problem]
    problems = [(r.line, r.problem) for r in table.rows if r.problem]
    return [r.line for r in good], [list(r.measurements) for r in good], [r.note for r in good], problems


TABLES = {
    "plain": "sepal_length,sepal_width,petal_length,petal_width,note\n"
    + "".join(f"{4.3 + i % 30 / 10:.1f},3.{i % 9},1.{i % 7},0.{1 + i % 8},row {i}\n" for i in range(25)),
    "commas and a bad row": "Kelchblattlänge;Kelchblattbreite;Kronblattlänge;Kronblattbreite;Notiz\n"
    "5,1;3,5;1,4;0,2;a\n5.0;3.0;1.6;0.2;b\n\n6,3;na;6,0;2,5;missing\n6.3;3.3;6.0;2.5;c\n7;3;5;2\n",
    "millimetres": "sepal length (mm),sepal width (mm),petal length (mm),petal width (mm)\n"
    "51,35,14,2\n63,33,60,25\n",
    "uci without header": "5.1,3.5,1.4,0.2,Iris-setosa\n6.3,3.3,6.0,2.5,Iris-virginica\n",
    "underscore": "sepal_length,sepal_width,petal_length,petal_width\n1_5,3.5,1.4,0.2\n5.1,3.5,1.4,0.2\n",
    "blank rows and separators only": "sepal_length,sepal_width,petal_length,petal_width\n\n5.1,3.5,1.4,0.2\n"
    ",,,\n  ; \n\r\n6.3,3.3,6.0,2.5\n\n",
    "a quoted note over lines": '"sepal_length","sepal_width","petal_length","petal_width","note"\n'
    + "".join(f"5.{i},3.5,1.4,0.2,row {i}\n" for i in range(5))
    + '6.3,3.3,6.0,2.5,"two\nlines"\n6.4,x,6.0,2.5,"after"\n'
    + "".join(f'4.{i},3.0,1.1,0.1,"a, b"\n' for i in range(4)),
}


@pytest.mark.parametrize("name", TABLES)
@pytest.mark.parametrize("size", [1, 2, 1000])
def test_chunks_hold_the_same_rows_values_notes_and_problems(
    tmp_path: Path, card, name: str, size: int
) -> None:
    path = tmp_path / "table.csv"
    path.write_text(TABLES[name], encoding="utf-8")
    stream, *got = chunked(path, card, size)
    assert got == list(whole(path, card))
    assert stream.table.columns == read_table(path, card.features).columns
    assert stream.line_count >= len(got[0]) + len(got[3])


def test_a_file_that_stops_being_csv_names_the_line(tmp_path: Path, card) -> None:
    path = tmp_path / "table.csv"
    too_long = '"' + "x" * 200_000 + '"'  # longer than Python's csv reader takes in one cell
    rows = "5.1,3.5,1.4,0.2\n" * 3
    path.write_text(f"sepal_length,sepal_width,petal_length,petal_width\n{rows}1,2,3,{too_long}\n{rows}")
    with pytest.raises(InputError, match="not valid CSV \\(line 5") as whole_error:
        read_table(path, card.features)
    with pytest.raises(InputError) as chunked_error:
        list(stream_table(path, card.features, chunk_rows=1000).chunks)
    assert str(chunked_error.value) == str(whole_error.value)


def test_a_chunk_of_plain_numbers_is_one_matrix_of_floats(tmp_path: Path, card) -> None:
    path = tmp_path / "table.csv"
    path.write_text(TABLES["plain"], encoding="utf-8")
    (chunk,) = stream_table(path, card.features, chunk_rows=100).chunks
    assert chunk.measurements.dtype == np.float64 and chunk.measurements.shape == (25, 4)


def test_a_header_without_rows_is_refused_when_the_chunks_are_read(tmp_path: Path, card) -> None:
    path = tmp_path / "table.csv"
    path.write_text("sepal_length,sepal_width,petal_length,petal_width\n\n", encoding="utf-8")
    stream = stream_table(path, card.features)
    with pytest.raises(InputError, match="no rows"):
        list(stream.chunks)
