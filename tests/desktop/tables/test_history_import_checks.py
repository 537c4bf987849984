"""`history import` lets nothing around the checks a saved observation passes, and keeps sync progress."""

import csv
import sqlite3
from pathlib import Path

import pytest

from desktop.cli import main as cli
from desktop.paths import default_db_path
from desktop.store import ObservationStore

OTHER_ID = "01a24c01-165a-7748-aabb-4ae2db84b999"


def save_two() -> list[str]:
    assert cli.run(["predict", "--save", "--note=first", "5.1", "3.5", "1.4", "0.2"]) == 0
    assert cli.run(["predict", "--save", "--note=second", "6.3", "2.9", "5.6", "1.8"]) == 0
    with ObservationStore.open() as store:
        return [o.id for o in reversed(store.list())]  # the first saved first (an export lists it last)


def export(tmp_path: Path, name: str = "export.csv") -> Path:
    out = tmp_path / name
    assert cli.run(["history", "--csv", str(out), "--force"]) == 0
    return out


def rewrite(path: Path, change) -> Path:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    header, data = rows[0], rows[1:]
    data = change(header, data)
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows([header, *data])
    return path


def set_cell(column: str, value: str, row: int = 0):
    def change(header: list[str], data: list[list[str]]) -> list[list[str]]:
        data[row][header.index(column)] = value
        return data

    return change


def move_to_new_laptop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IRIS_FIELD_HOME", str(tmp_path / "new-laptop"))


@pytest.mark.parametrize(
    ("column", "value", "words"),
    [
        ("sepal_length", "99.0", "Sepal length 99.0 cm is not a plausible measurement (at most 15 cm"),
        ("sepal_length", "0.0000001", "is not a plausible measurement (at least 0.1 cm"),
        ("sepal_length", "5.123456789", "5.123456789 cm has more decimals than the model's precision of 0.1"),
        ("sepal_length", "5.12", "5.12 cm has more decimals than the model's precision of 0.1 cm"),
        ("sepal_length", "5.1055", "nor is it a value of that precision converted from inches"),
        ("petal_width", "", "the measurement is missing"),
        ("predicted_species", "rosa", "'rosa' is not one of the species setosa, versicolor, virginica"),
        ("confirmed_species", "rosa", "'rosa' is not one of the species"),
        ("id", "not-a-uuid", "'not-a-uuid' is not an observation id"),
        ("created_at", "yesterday", "'yesterday' is not a time like 2026-05-01T09:30:00+00:00"),
        ("updated_at", "2026-12-05T010:15:00+00:00", "'2026-12-05T010:15:00+00:00' is not a time like"),
        ("created_at", "2026-12-05T10:15:00", "is not a time like"),  # no zone: whose clock?
        ("confidence", "1.5", "1.5 is not a probability between 0 and 1"),
        ("p_setosa", "nan", "'nan' is not a finite number"),
        ("latitude", "91", "91 is not between -90 and 90"),
        ("sync_state", "done", "'done' is not one of pending, syncing, synced, failed"),
        ("model_sha256", "abc", "'abc' is not a SHA-256"),
    ],
)
def test_a_bad_cell_is_named_by_file_line_and_column_and_nothing_is_imported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, column: str, value: str, words: str
) -> None:
    save_two()
    path = rewrite(export(tmp_path), set_cell(column, value, row=1))
    with path.open(encoding="utf-8") as handle:
        number = next(csv.reader(handle)).index(column) + 1
    move_to_new_laptop(tmp_path, monkeypatch)
    capsys.readouterr()
    assert cli.run(["history", "import", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path} has 1 bad row, nothing was imported: line 3, column {number} ({column}): " in err
    assert words in err
    assert err.count("\n") == 1
    with ObservationStore.open() as store:
        assert store.list() == []


def test_every_bad_row_is_counted_and_the_first_ten_listed(tmp_path: Path, monkeypatch, capsys) -> None:
    save_two()

    def many(header: list[str], data: list[list[str]]) -> list[list[str]]:
        row = data[0]
        copies = []
        for i in range(12):
            copy = list(row)
            copy[header.index("id")] = f"bad-{i}"
            copies.append(copy)
        return [*data, *copies]

    path = rewrite(export(tmp_path), many)
    move_to_new_laptop(tmp_path, monkeypatch)
    assert cli.run(["history", "import", str(path)]) == 2
    err = capsys.readouterr().err
    assert "has 12 bad rows, nothing was imported" in err and "; and 2 more" in err


def test_the_same_id_twice_in_one_file_is_named_as_such(tmp_path: Path, monkeypatch, capsys) -> None:
    save_two()
    path = rewrite(export(tmp_path), lambda header, data: [*data, data[0]])
    move_to_new_laptop(tmp_path, monkeypatch)
    capsys.readouterr()
    assert cli.run(["history", "import", str(path)]) == 2
    err = capsys.readouterr().err
    assert "line 4, column 1 (id): the id" in err and "appears twice in this file (first on line 2)" in err
    assert "already" not in err


def test_a_row_that_differs_from_the_stored_one_is_reported_and_update_takes_the_newer(
    tmp_path: Path, capsys
) -> None:
    first, second = save_two()
    path = export(tmp_path)
    # Edited "on the other laptop": a new note, edited later than the history's.
    rewrite(path, set_cell("note", "edited there", row=0))
    rewrite(path, set_cell("updated_at", "2099-01-01T00:00:00.000000+00:00", row=0))
    capsys.readouterr()
    assert cli.run(["history", "import", str(path)]) == 0
    captured = capsys.readouterr()
    assert (
        "Imported 0 observations" in captured.out and "1 already in the history were skipped" in captured.out
    )
    assert "1 that differ from the history's were left as they are" in captured.out
    assert (
        f"were edited later there ({second}); they were left as they are here; add --update" in captured.err
    )
    with ObservationStore.open() as store:
        assert store.get(second).note == "second"

    assert cli.run(["history", "import", "--update", str(path)]) == 0
    assert "1 observation edited later there replaced the history's" in capsys.readouterr().out
    with ObservationStore.open() as store:
        updated = store.get(second)
        assert updated.note == "edited there" and updated.updated_at.startswith("2099-01-01")
        assert store.get(first).note == "first"
        assert len(store.list()) == 2


def test_update_keeps_the_historys_row_when_it_was_edited_later(tmp_path: Path, capsys) -> None:
    first, _second = save_two()
    path = export(tmp_path)
    with ObservationStore.open() as store:
        store.set_note(first, "edited here, later")
    rewrite(path, set_cell("note", "older edit", row=1))
    capsys.readouterr()
    assert cli.run(["history", "import", "--update", str(path)]) == 0
    err = capsys.readouterr().err
    assert f"differ from the history's, which were edited later ({first}); the history's were kept" in err
    with ObservationStore.open() as store:
        assert store.get(first).note == "edited here, later"


def mark_synced(observation_id: str, run_id: str) -> None:
    """Leave the outbox row as a finished sync leaves it (stage synced, its run and server)."""
    with ObservationStore.open() as store:
        updated_at = store.get(observation_id).updated_at
    with sqlite3.connect(default_db_path()) as db:
        db.execute(
            "INSERT INTO sync_outbox (observation_id, stage, tracking_uri, experiment_name, experiment_id,"
            " run_id, pushed_updated_at, changed_at) VALUES (?, 'synced', 'http://127.0.0.1:5000',"
            " 'iris-field-observations', '7', ?, ?, '2026-05-01T09:00:00+00:00')",
            (observation_id, run_id, updated_at),
        )
    db.close()


def test_a_synced_observation_comes_back_synced_with_its_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    first, second = save_two()
    mark_synced(first, "a" * 32)
    path = export(tmp_path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = {row["id"]: row for row in csv.DictReader(handle)}
    assert '"run_id": "' + "a" * 32 in rows[first]["sync_run"] and rows[second]["sync_run"] == ""

    move_to_new_laptop(tmp_path, monkeypatch)
    assert cli.run(["history", "import", str(path)]) == 0
    with ObservationStore.open() as store:
        states = {o.id: o.sync_state for o in store.list()}
    assert states == {first: "synced", second: "pending"}
    with sqlite3.connect(default_db_path()) as db:
        outbox = db.execute(
            "SELECT stage, run_id, tracking_uri, experiment_id, pushed_updated_at FROM sync_outbox"
        ).fetchall()
    db.close()
    assert len(outbox) == 1 and outbox[0][:4] == ("synced", "a" * 32, "http://127.0.0.1:5000", "7")
    # Exported again from the new laptop, the run travels on.
    again = export(tmp_path, "again.csv")
    with again.open(encoding="utf-8-sig", newline="") as handle:
        assert {row["id"]: row["sync_run"] for row in csv.DictReader(handle)}[first] == rows[first][
            "sync_run"
        ]


@pytest.mark.parametrize("when", ["2026-12-05T010:15:00+00:00", "yesterday", "20261205T101500", "2026-W49-1"])
def test_predict_csv_refuses_an_observed_at_that_is_not_a_plain_iso_time(
    tmp_path: Path, capsys, when: str
) -> None:
    path = tmp_path / "timed.csv"
    path.write_text(
        f"sepal_length,sepal_width,petal_length,petal_width,observed_at\n5.1,3.5,1.4,0.2,{when}\n"
    )
    assert cli.run(["predict", "--csv", str(path), "--save"]) == 2
    assert (
        f"line 2: observed_at {when!r} is not a date and time like 2026-05-01T09:30"
        in capsys.readouterr().err
    )
    with ObservationStore.open() as store:
        assert store.list() == []


def test_an_export_of_another_models_measurements_is_refused_by_name(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    save_two()

    def renamed(header: list[str], data: list[list[str]]) -> list[list[str]]:
        header[header.index("petal_width")] = "stem_height"
        return data

    path = rewrite(export(tmp_path), renamed)
    move_to_new_laptop(tmp_path, monkeypatch)
    capsys.readouterr()
    assert cli.run(["history", "import", str(path)]) == 2
    assert "holds measurements of another model" in capsys.readouterr().err


def test_a_row_with_too_few_cells_is_named(tmp_path: Path, monkeypatch, capsys) -> None:
    save_two()
    path = rewrite(export(tmp_path), lambda header, data: [data[0], data[1][:5]])
    move_to_new_laptop(tmp_path, monkeypatch)
    capsys.readouterr()
    assert cli.run(["history", "import", str(path)]) == 2
    assert "line 3: it has 5 cells, the header has" in capsys.readouterr().err
    with ObservationStore.open() as store:
        assert store.list() == []


def test_a_measurement_saved_from_inches_comes_back_and_one_typed_beyond_the_precision_does_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """The window's rule (0.1 cm) everywhere; a value `predict --csv` converted from 0.01 in is kept."""
    flowers = tmp_path / "inches.csv"
    flowers.write_text(
        "sepal length (in),sepal width (in),petal length (in),petal width (in)\n2.01,1.38,0.55,0.08\n",
        encoding="utf-8",
    )
    assert cli.run(["predict", "--csv", str(flowers), "--save"]) == 0
    with ObservationStore.open() as store:
        (saved,) = store.list()
    assert saved.measurements["sepal_length"] == 5.1054  # 2.01 in, kept to a micrometre
    path = export(tmp_path)
    move_to_new_laptop(tmp_path, monkeypatch)
    assert cli.run(["history", "import", str(path)]) == 0
    with ObservationStore.open() as store:
        assert store.get(saved.id).measurements == saved.measurements

    # The same file with a value no unit the app reads gives at 0.1 cm precision: refused, nothing saved.
    other = rewrite(path, set_cell("sepal_width", "3.5012"))
    move_to_new_laptop(tmp_path / "third", monkeypatch)
    capsys.readouterr()
    assert cli.run(["history", "import", str(other)]) == 2
    assert (
        "Sepal width 3.5012 cm has more decimals than the model's precision of 0.1 cm"
        in capsys.readouterr().err
    )


def mark_outbox(observation_id: str, stage: str, run_id: str, failure: str = "", kind: str = "") -> None:
    """Leave the outbox row as a sync that got to ``stage`` (and maybe failed there) leaves it."""
    with sqlite3.connect(default_db_path()) as db:
        db.execute(
            "INSERT INTO sync_outbox (observation_id, stage, tracking_uri, experiment_name, experiment_id,"
            " run_id, failure, failure_kind, changed_at) VALUES (?, ?, 'http://127.0.0.1:5000',"
            " 'iris-field-observations', '7', ?, ?, ?, '2026-05-01T09:00:00+00:00')",
            (observation_id, stage, run_id, failure, kind),
        )
    db.close()


@pytest.mark.parametrize(
    ("stage", "run_id", "failure", "kind", "state"),
    [
        ("logged", "b" * 32, "", "", "syncing"),  # the run exists, its values are on the server
        ("creating", "", "", "", "syncing"),  # a create was maybe sent: the new laptop looks for it first
        ("created", "c" * 32, "the server refused the run (403)", "permanent", "failed"),
        ("pending", "", "the server refused the run (403)", "permanent", "failed"),
        ("synced", "d" * 32, "", "", "synced"),
    ],
)
def test_an_observation_under_way_comes_back_with_its_sync_state_and_run(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    stage: str,
    run_id: str,
    failure: str,
    kind: str,
    state: str,
) -> None:
    first, second = save_two()
    mark_outbox(first, stage, run_id, failure, kind)
    path = export(tmp_path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = {row["id"]: row for row in csv.DictReader(handle)}
    assert rows[first]["sync_state"] == state and rows[second]["sync_run"] == ""

    move_to_new_laptop(tmp_path, monkeypatch)
    assert cli.run(["history", "import", str(path)]) == 0
    with ObservationStore.open() as store:
        assert {o.id: (o.sync_state, o.sync_error) for o in store.list()} == {
            first: (state, failure),
            second: ("pending", ""),
        }
    with sqlite3.connect(default_db_path()) as db:
        outbox = db.execute(
            "SELECT stage, run_id, failure, failure_kind, experiment_id FROM sync_outbox"
        ).fetchall()
    db.close()
    assert outbox == [(stage, run_id, failure, kind, "7")]
    again = export(tmp_path, "again.csv")
    with again.open(encoding="utf-8-sig", newline="") as handle:
        assert {row["id"]: row["sync_run"] for row in csv.DictReader(handle)}[first] == rows[first][
            "sync_run"
        ]


def test_a_sync_run_that_contradicts_the_rows_sync_state_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    first, _second = save_two()
    mark_outbox(first, "logged", "b" * 32)
    path = rewrite(export(tmp_path), set_cell("sync_state", "synced", row=1))  # the first saved
    move_to_new_laptop(tmp_path, monkeypatch)
    capsys.readouterr()
    assert cli.run(["history", "import", str(path)]) == 2
    assert "(sync_run): it says syncing, but the row's sync_state is synced" in capsys.readouterr().err
