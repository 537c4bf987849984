"""Invalid training data stops iris-train with one clear sentence, before anything is logged."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from training import train
from training.data import load_bundled, load_csv

HEADER = "sepal_length,sepal_width,petal_length,petal_width,species"


def _valid_rows() -> list[str]:
    frame = load_bundled().to_csv_frame()
    return [",".join(str(v) for v in row) for row in frame.itertuples(index=False)]


def _write(folder: Path, header: str, rows: list[str]) -> Path:
    path = folder / "flowers.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def _with_line(rows: list[str], line: int, text: str) -> list[str]:
    changed = list(rows)
    changed[line - 2] = text  # CSV line numbers count the header as line 1
    return changed


CASES = {
    "missing column": (
        "sepal_length,sepal_width,petal_length,species",
        None,
        "has no column for petal_width",
    ),
    "missing value": (HEADER, (5, "5.1,,1.4,0.2,setosa"), "line 5: sepal_width is missing"),
    "not a number": (HEADER, (7, "5.1,3.5,long,0.2,setosa"), "line 7: petal_length 'long' is not a number"),
    "implausible value": (HEADER, (9, "5.1,3.5,1.4,-0.2,setosa"), "line 9: petal_width -0.2 cm is outside"),
    "absurd value": (HEADER, (3, "510,3.5,1.4,0.2,setosa"), "sepal_length 510 cm is outside the plausible"),
    "unknown species": (HEADER, (4, "5.1,3.5,1.4,0.2,tulip"), "line 4: species 'tulip' is not one of"),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_invalid_data_exits_2_with_one_sentence_naming_the_problem(case, tmp_path, capsys):
    header, change, expected = CASES[case]
    rows = _valid_rows()
    if change is None:
        rows = [",".join(r.split(",")[:3] + r.split(",")[4:]) for r in rows]
    else:
        rows = _with_line(rows, *change)
    data = _write(tmp_path, header, rows)

    code = train.main(["--data", str(data), "--tracking-uri", f"sqlite:///{tmp_path / 'mlflow.db'}"])

    err = capsys.readouterr().err
    assert code == train.EXIT_INVALID_DATA
    assert expected in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "mlflow.db").exists(), "nothing may be logged for invalid data"


def test_a_missing_species_is_named(tmp_path, capsys):
    rows = [r for r in _valid_rows() if not r.endswith("virginica")]
    code = train.main(["--data", str(_write(tmp_path, HEADER, rows))])
    assert code == train.EXIT_INVALID_DATA
    assert "no rows of virginica" in capsys.readouterr().err


def test_a_missing_file_is_named(tmp_path, capsys):
    code = train.main(["--data", str(tmp_path / "nowhere.csv")])
    assert code == train.EXIT_INVALID_DATA
    assert "nowhere.csv does not exist" in capsys.readouterr().err


def test_the_command_line_prints_no_traceback_for_bad_data(tmp_path):
    data = _write(tmp_path, HEADER, _with_line(_valid_rows(), 2, "5.1,3.5,1.4,nan,setosa"))
    result = subprocess.run(
        [sys.executable, "-m", "training.train", "--data", str(data)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == train.EXIT_INVALID_DATA
    assert result.stderr.strip().startswith("iris-train: invalid data:")
    assert "line 2: petal_width is missing" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_lab_csv_in_uci_spelling_loads_to_the_same_data(tmp_path):
    rows = [
        r.replace(",setosa", ",Iris-setosa").replace(",versicolor", ",Iris-versicolor") for r in _valid_rows()
    ]
    loaded = load_csv(_write(tmp_path, HEADER.upper(), rows))
    assert loaded.fingerprint() == load_bundled().fingerprint()


# ------------------------------------------------------------------ the same files predict --csv reads
def _bundled_rows(species_form: str = "{}", decimal: str = ".", separator: str = ",") -> list[str]:
    frame = load_bundled().to_csv_frame()
    return [
        separator.join([*(f"{v:g}".replace(".", decimal) for v in row[:4]), species_form.format(row[4])])
        for row in frame.itertuples(index=False)
    ]


def test_the_r_export_of_iris_loads_to_the_same_data(tmp_path):
    header = '"","Sepal.Length","Sepal.Width","Petal.Length","Petal.Width","Species"'
    rows = [f'"{i}",{r}' for i, r in enumerate(_bundled_rows('"{}"'), start=1)]
    assert load_csv(_write(tmp_path, header, rows)).fingerprint() == load_bundled().fingerprint()


def test_uci_iris_data_without_a_header_loads_to_the_same_data(tmp_path):
    path = tmp_path / "iris.data"
    path.write_text("\n".join(_bundled_rows("Iris-{}")) + "\n\n", encoding="utf-8")
    assert load_csv(path).fingerprint() == load_bundled().fingerprint()


def test_a_german_excel_file_loads_and_the_encoding_is_said(tmp_path):
    header = "Kelchblattlänge;Kelchblattbreite;Kronblattlänge;Kronblattbreite;Art"
    path = tmp_path / "schwertlilien.csv"
    path.write_bytes("\n".join([header, *_bundled_rows(decimal=",", separator=";")]).encode("cp1252"))
    said = io.StringIO()
    assert load_csv(path, said).fingerprint() == load_bundled().fingerprint()
    assert "read as Windows-1252" in said.getvalue()


def test_a_file_in_millimetres_is_converted(tmp_path):
    header = "sepal_length_mm,sepal_width_mm,petal_length_mm,petal_width_mm,species"
    rows = [
        ",".join([*(f"{round(float(v) * 10, 1):g}" for v in r.split(",")[:4]), r.split(",")[4]])
        for r in _bundled_rows()
    ]
    assert load_csv(_write(tmp_path, header, rows)).fingerprint() == load_bundled().fingerprint()
