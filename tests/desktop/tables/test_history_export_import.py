"""Exports never overwrite by accident or replace a device; an export moves a history to a new laptop."""

import os
from pathlib import Path

import pytest

from desktop.cli import main as cli
from desktop.store import ObservationStore


def save_three(tmp_path: Path) -> None:
    path = tmp_path / "field.csv"
    path.write_text(
        "sepal_length,sepal_width,petal_length,petal_width,note,location,observer,observed_at,confirmed_species\n"
        "5.1,3.5,1.4,0.2,by the stream,Schwarzwald,Ana,2026-05-01T09:30:00+00:00,\n"
        "6.3,2.9,5.6,1.8,,Hegau,Ben,2026-05-02T10:00:00+00:00,versicolor\n"
        "5.9,3.0,4.2,1.5,,,,2026-05-03T11:00:00+00:00,\n",
        encoding="utf-8",
    )
    assert cli.run(["predict", "--csv", str(path), "--save"]) == 0


def test_an_existing_file_is_not_overwritten_without_force(tmp_path: Path, capsys) -> None:
    save_three(tmp_path)
    out = tmp_path / "history.csv"
    out.write_text("someone's spreadsheet\n", encoding="utf-8")
    assert cli.run(["history", "--csv", str(out)]) == 2
    assert f"{out} already exists; add --force" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "someone's spreadsheet\n"
    assert cli.run(["history", "--csv", str(out), "--force"]) == 0
    assert out.read_text(encoding="utf-8-sig").startswith("id,created_at,")


@pytest.mark.parametrize("target", ["/dev/full", "/dev/null", "folder"])
def test_a_target_that_is_no_regular_file_is_refused_and_named(tmp_path: Path, capsys, target: str) -> None:
    save_three(tmp_path)
    path = Path(target) if target.startswith("/") else tmp_path / target
    path.mkdir(exist_ok=True) if target == "folder" else None
    kind_before = os.stat(path).st_mode
    assert cli.run(["history", "--csv", str(path), "--force"]) == 2
    err = capsys.readouterr().err
    assert f"cannot write {path}: it is" in err and "not a regular file" in err
    assert os.stat(path).st_mode == kind_before, "the device or folder is still what it was"


def test_a_failed_write_names_the_target_not_a_temporary_file(tmp_path: Path, capsys) -> None:
    save_three(tmp_path)
    out = tmp_path / "missing-folder" / "history.csv"
    assert cli.run(["history", "--csv", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"cannot write {out}" in err and ".tmp" not in err


def test_an_export_imported_on_another_laptop_keeps_everything_and_skips_what_is_there(
    tmp_path: Path, iris_home: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    save_three(tmp_path)
    with ObservationStore.open() as store:
        store.set_note(store.list()[0].id, "edited later")
        original = store.list()
    export = tmp_path / "export.csv"
    assert cli.run(["history", "--csv", str(export)]) == 0

    monkeypatch.setenv("IRIS_FIELD_HOME", str(tmp_path / "new-laptop"))
    assert cli.run(["history", "import", str(export)]) == 0
    assert "Imported 3 observations" in capsys.readouterr().out
    with ObservationStore.open() as store:
        assert store.list() == original  # ids, times, notes, places, observers, confirmations
    assert cli.run(["history", "import", str(export)]) == 0
    again = capsys.readouterr().out
    assert "Imported 0 observations" in again and "3 already in the history were skipped" in again
    with ObservationStore.open() as store:
        assert len(store.list()) == 3
    confirmed = [o for o in original if o.confirmed_species]
    assert [(o.confirmed_species, o.predicted_species) for o in confirmed] == [("versicolor", "virginica")]
