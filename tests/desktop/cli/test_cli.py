"""Specification of the `iris-field` command line, run as a real process on the bundled model."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from desktop import __version__
from desktop.prediction.engine import Classifier
from desktop.resources import bundled_model_path
from desktop.settings import Settings
from desktop.store import ObservationStore
from desktop.tables.observation_csv import import_history

ROOT = Path(__file__).resolve().parents[2]
SETOSA = ["5.1", "3.5", "1.4", "0.2"]


def iris(home: Path, *args: str, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run `python -m desktop ARGS` (what the `iris-field` script runs) with its own data folder."""
    env = {**os.environ, "IRIS_FIELD_HOME": str(home), **(extra_env or {})}
    return subprocess.run(
        [sys.executable, "-m", "desktop", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_one_line_error(result: subprocess.CompletedProcess, code: int) -> str:
    assert result.returncode == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("iris-field: error: ")
    return lines[0]


@pytest.fixture(scope="module")
def card():
    return Classifier.load().card


def test_predict_prints_setosa_for_a_textbook_setosa(iris_home: Path) -> None:
    result = iris(iris_home, "predict", *SETOSA)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith("setosa (")
    assert "%" in result.stdout
    assert result.stderr == ""


def test_the_console_script_runs_the_same_command(iris_home: Path) -> None:
    script = Path(sys.executable).with_name("iris-field")
    if not script.exists():
        script = script.with_suffix(".exe")
    assert script.exists(), "the iris-field console script is not installed in this environment"
    result = subprocess.run(
        [str(script), "predict", "6.3", "3.3", "6.0", "2.5"],
        env={**os.environ, "IRIS_FIELD_HOME": str(iris_home)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("virginica")


def test_predict_json_is_machine_readable(iris_home: Path, card) -> None:
    result = iris(iris_home, "predict", "6.0", "2.9", "4.5", "1.5", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["species"] == "versicolor"
    assert set(data["probabilities"]) == set(card.classes)
    assert data["confidence"] == max(data["probabilities"].values())
    assert list(data["measurements"]) == list(card.feature_names)
    assert data["unusual"] == [] and data["saved_id"] is None
    assert data["model"]["sha256"] == card.sha256


def test_unusual_measurements_are_named_with_the_training_range(iris_home: Path, card) -> None:
    petal_width = card.features[3]
    wide = f"{petal_width.stats.max + 1.5:g}"
    result = iris(iris_home, "predict", "6.3", "3.3", "6.0", wide)
    assert result.returncode == 0, result.stderr
    assert f"{petal_width.label} {wide} {petal_width.unit} is outside" in result.stdout
    assert f"{petal_width.stats.min:g}-{petal_width.stats.max:g} {petal_width.unit}" in result.stdout
    data = json.loads(iris(iris_home, "predict", "6.3", "3.3", "6.0", wide, "--json").stdout)
    assert data["unusual"][0]["feature"] == petal_width.name
    assert data["unusual"][0]["training_max"] == petal_width.stats.max


@pytest.mark.parametrize(
    ("values", "words"),
    [
        (["nan", "3.5", "1.4", "0.2"], "must be a number"),
        (["5.1", "-1", "1.4", "0.2"], "plausible"),
        (["500", "3.5", "1.4", "0.2"], "plausible"),
        (["5.1", "3.5", "1.4"], "expected 4 measurements"),
        (["5.1", "3.5", "1.4", "0.2", "7"], "expected 4 measurements"),
        (["5.1", "abc", "1.4", "0.2"], "must be a number"),
        (["inf", "3.5", "1.4", "0.2"], "must be a number"),
    ],
)
def test_bad_measurements_give_one_line_and_exit_2(iris_home: Path, values: list[str], words: str) -> None:
    result = iris(iris_home, "predict", *values, "--save")
    line = assert_one_line_error(result, 2)
    assert words in line
    assert result.stdout == ""
    assert not (iris_home / "observations.sqlite3").exists()  # nothing saved, not even an empty history


@pytest.mark.parametrize(
    "args",
    [
        ["predict"],
        ["predict", *SETOSA, "--note", "needs --save"],
        ["predict", *SETOSA, "--csv", "flowers.csv"],
        ["frobnicate"],
        ["predict", *SETOSA, "--no-such-flag"],
        ["history", "--csv"],
        ["--self-test", "history"],
    ],
)
def test_usage_mistakes_give_one_line_and_exit_2(iris_home: Path, args: list[str]) -> None:
    line = assert_one_line_error(iris(iris_home, *args), 2)
    assert len(line) > len("iris-field: error: ") + 10


def test_a_missing_model_is_one_line_and_exit_1(iris_home: Path, tmp_path: Path) -> None:
    line = assert_one_line_error(iris(iris_home, "predict", *SETOSA, "--model", str(tmp_path / "x.onnx")), 1)
    assert "does not exist" in line


def test_model_option_uses_another_model(iris_home: Path, tmp_path: Path, card) -> None:
    copy = tmp_path / "other"
    shutil.copytree(bundled_model_path().parent, copy)
    result = iris(iris_home, "--model", str(copy / "iris.onnx"), "predict", *SETOSA, "--json")
    assert result.returncode == 0, result.stderr
    (copy / "iris.onnx").write_bytes(b"not a model")
    broken = iris(iris_home, "predict", *SETOSA, "--model", str(copy / "iris.onnx"))
    assert "does not match its card" in assert_one_line_error(broken, 1)


def test_predict_save_keeps_an_observation_with_note_and_observer(iris_home: Path, card) -> None:
    Settings(observer="Ada Lovelace").save()
    result = iris(iris_home, "predict", *SETOSA, "--save", "--note", "by the creek", "--json")
    assert result.returncode == 0, result.stderr
    saved_id = json.loads(result.stdout)["saved_id"]
    with ObservationStore.open() as store:
        obs = store.get(saved_id)
    assert obs is not None
    assert (obs.predicted_species, obs.note, obs.observer) == ("setosa", "by the creek", "Ada Lovelace")
    assert obs.measurements == dict(zip(card.feature_names, [5.1, 3.5, 1.4, 0.2], strict=True))
    assert obs.model_sha256 == card.sha256


def test_history_lists_saved_observations_newest_first(iris_home: Path) -> None:
    assert iris(iris_home, "predict", *SETOSA, "--save", "--note", "first").returncode == 0
    assert (
        iris(iris_home, "predict", "6.3", "3.3", "6.0", "2.5", "--save", "--note", "second").returncode == 0
    )
    table = iris(iris_home, "history")
    assert table.returncode == 0, table.stderr
    assert table.stdout.index("second") < table.stdout.index("first")
    assert "virginica" in table.stdout and "pending" in table.stdout
    data = json.loads(iris(iris_home, "history", "--json").stdout)
    assert [o["note"] for o in data] == ["second", "first"]
    assert [o["predicted_species"] for o in data] == ["virginica", "setosa"]
    searched = json.loads(iris(iris_home, "history", "--json", "--search", "virginica").stdout)
    assert [o["note"] for o in searched] == ["second"]


def test_history_on_a_fresh_machine_says_there_is_nothing(iris_home: Path) -> None:
    result = iris(iris_home, "history")
    assert result.returncode == 0
    assert "No saved observations" in result.stdout
    assert json.loads(iris(iris_home, "history", "--json").stdout) == []


def test_history_csv_exports_what_the_store_holds(iris_home: Path, tmp_path: Path) -> None:
    for note in ("a", "b", "c"):
        assert (
            iris(iris_home, "predict", *SETOSA, "--save", "--note", note, "--allow-duplicate").returncode == 0
        )
    out = tmp_path / "history.csv"
    result = iris(iris_home, "history", "--csv", str(out))
    assert result.returncode == 0, result.stderr
    assert "3 observations" in result.stdout
    with ObservationStore.open() as store:
        assert import_history(out) == store.list()
    stdout_csv = iris(iris_home, "history", "--csv", "-")
    assert stdout_csv.stdout.splitlines()[0].startswith("id,created_at,")
    assert len(stdout_csv.stdout.splitlines()) == 4


def test_history_csv_into_a_missing_folder_is_one_line(iris_home: Path, tmp_path: Path) -> None:
    assert_one_line_error(iris(iris_home, "history", "--csv", str(tmp_path / "nope" / "h.csv")), 1)


def test_a_data_folder_that_cannot_be_created_is_one_line_and_exit_1(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    for args in (["predict", *SETOSA, "--save"], ["history"]):
        line = assert_one_line_error(iris(blocker / "home", *args), 1)
        assert "cannot be created" in line


def test_a_damaged_history_is_reported_in_one_line_and_kept(iris_home: Path) -> None:
    iris_home.mkdir(parents=True)
    (iris_home / "observations.sqlite3").write_bytes(b"garbage, not sqlite" * 50)
    result = iris(iris_home, "history")
    assert result.returncode == 0 and "No saved observations yet." in result.stdout
    (line,) = result.stderr.splitlines()
    (aside,) = iris_home.glob("observations.sqlite3.corrupt-*")
    assert (
        f"no observation could be recovered from a damaged history; the original is kept as {aside}" in line
    )
    again = iris(iris_home, "history")
    assert "no observation could be recovered" in again.stderr, "said at every start until dealt with"


def write_csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_predict_csv_matches_columns_by_header_name_in_any_order(iris_home: Path, tmp_path: Path) -> None:
    flowers = write_csv(
        tmp_path / "flowers.csv",
        "Petal width,sample,SEPAL LENGTH (cm),sepal_width,petal length (cm)\n"
        "0.2,A,5.1,3.5,1.4\n"
        "2.5,B,6.3,3.3,6.0\n"
        "\n"
        "1.5,C,6.0,2.9,4.5\n",
    )
    result = iris(iris_home, "predict", "--csv", str(flowers), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert [(p["line"], p["species"]) for p in data["predictions"]] == [
        (2, "setosa"),
        (3, "virginica"),
        (5, "versicolor"),
    ]
    table = iris(iris_home, "predict", "--csv", str(flowers))
    assert "3 flowers" in table.stdout


def test_predict_csv_reads_semicolons_and_decimal_commas(iris_home: Path, tmp_path: Path) -> None:
    flowers = tmp_path / "flowers.csv"
    flowers.write_text(
        "sepal_length;sepal_width;petal_length;petal_width\n5,1;3,5;1,4;0,2\n", encoding="utf-8-sig"
    )
    result = iris(iris_home, "predict", "--csv", str(flowers), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["predictions"][0]["species"] == "setosa"


def test_predict_csv_with_bad_rows_names_their_lines_and_saves_nothing(
    iris_home: Path, tmp_path: Path
) -> None:
    flowers = write_csv(
        tmp_path / "flowers.csv",
        "sepal_length,sepal_width,petal_length,petal_width\n"
        "5.1,3.5,1.4,0.2\n"
        "5.1,abc,1.4,0.2\n"
        "6.3,3.3,6.0,2.5\n"
        "6.0,2.9,4.5\n"
        "6.0,2.9,nan,1.5\n",
    )
    line = assert_one_line_error(iris(iris_home, "predict", "--csv", str(flowers), "--save"), 2)
    assert "3 bad rows" in line and "nothing was saved" in line
    assert "line 3:" in line and "line 5:" in line and "line 6:" in line
    assert "line 2:" not in line and "line 4:" not in line
    assert json.loads(iris(iris_home, "history", "--json").stdout) == []


def test_predict_csv_save_keeps_every_row_with_its_note(iris_home: Path, tmp_path: Path) -> None:
    rows = "".join(f"5.{i % 10},3.5,1.4,0.2,plant {i}\n" for i in range(40))
    flowers = write_csv(tmp_path / "f.csv", "sepal_length,sepal_width,petal_length,petal_width,note\n" + rows)
    result = iris(iris_home, "predict", "--csv", str(flowers), "--save", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["saved"] == 40
    with ObservationStore.open() as store:
        notes = {o.note for o in store.list()}
    assert notes == {f"plant {i}" for i in range(40)}


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("sepal_length,sepal_width,petal_length\n5.1,3.5,1.4\n", "no column for petal_width"),
        ("sepal_length,sepal_width,petal_length,petal_width\n", "no rows"),
        ("", "empty"),
    ],
)
def test_predict_csv_with_a_wrong_shape_says_what_is_wrong(
    iris_home: Path, tmp_path: Path, content: str, words: str
) -> None:
    flowers = write_csv(tmp_path / "flowers.csv", content)
    assert words in assert_one_line_error(iris(iris_home, "predict", "--csv", str(flowers)), 2)


def test_predict_csv_of_a_missing_file_is_one_line(iris_home: Path, tmp_path: Path) -> None:
    line = assert_one_line_error(iris(iris_home, "predict", "--csv", str(tmp_path / "none.csv")), 2)
    assert "does not exist" in line


def test_self_test_passes_silently_on_stderr(iris_home: Path) -> None:
    result = iris(iris_home, "--self-test")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert all(line.startswith("ok") for line in lines[:-1])
    for species in ("setosa", "versicolor", "virginica"):
        assert any(f"predicts {species}" in line for line in lines)
    assert lines[-1].startswith("self-test passed")


def test_self_test_fails_with_exit_1_on_a_corrupt_model(iris_home: Path, tmp_path: Path) -> None:
    copy = tmp_path / "model"
    shutil.copytree(bundled_model_path().parent, copy)
    onnx = copy / "iris.onnx"
    onnx.write_bytes(onnx.read_bytes()[:-64])
    result = iris(iris_home, "--self-test", "--model", str(onnx))
    assert result.returncode == 1
    assert "FAIL  model loads" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_version_prints_the_package_version(iris_home: Path) -> None:
    result = iris(iris_home, "--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"iris-field {__version__}"


def test_help_lists_the_commands(iris_home: Path) -> None:
    result = iris(iris_home, "--help")
    assert result.returncode == 0
    for word in ("predict", "history", "--self-test", "--model"):
        assert word in result.stdout


def test_predict_never_loads_qt(iris_home: Path) -> None:
    code = (
        "import sys\n"
        "from desktop.main import main\n"
        "assert main(['predict', '5.1', '3.5', '1.4', '0.2']) == 0\n"
        "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "IRIS_FIELD_HOME": str(iris_home)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]"


def test_predict_csv_save_json_names_each_saved_observation(iris_home: Path, tmp_path: Path) -> None:
    rows = "".join(f"5.{i % 10},3.5,1.4,0.2\n" for i in range(3))
    flowers = write_csv(tmp_path / "f.csv", "sepal_length,sepal_width,petal_length,petal_width\n" + rows)
    data = json.loads(iris(iris_home, "predict", "--csv", str(flowers), "--save", "--json").stdout)
    with ObservationStore.open() as store:
        assert {p["saved_id"] for p in data["predictions"]} == {o.id for o in store.list()}


def test_predict_csv_with_a_bad_row_far_down_saves_nothing_of_the_chunks_before(
    iris_home: Path, tmp_path: Path
) -> None:
    rows = "5.1,3.5,1.4,0.2\n" * 45_000 + "5.1,3.5,99,0.2\n"  # past the first chunks
    flowers = write_csv(tmp_path / "f.csv", "sepal_length,sepal_width,petal_length,petal_width\n" + rows)
    result = iris(iris_home, "predict", "--csv", str(flowers), "--save")
    line = assert_one_line_error(result, 2)
    assert "1 bad row" in line and "line 45002:" in line and "nothing was saved" in line
    assert result.stdout == "", "no prediction is printed when a row is bad"
    with ObservationStore.open() as store:
        assert store.list(limit=1) == []


def test_predict_csv_draws_a_progress_bar_on_a_terminal_only(tmp_path: Path) -> None:
    import io

    from desktop.cli.progress import TerminalProgress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal, pipe = Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        bar = TerminalProgress(stream, total=200)
        bar.show(100, 99)
        bar.close()
    assert "[###############...............]  50 %  99 rows" in terminal.getvalue()
    assert terminal.getvalue().endswith("\r")
    assert pipe.getvalue() == ""
