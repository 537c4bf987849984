"""The command line saves nothing twice by accident and reads a CSV's note, place, observer, time, species."""

from pathlib import Path

import pytest

from desktop.cli import main as cli
from desktop.store import ObservationStore

SETOSA = ["5.1", "3.5", "1.4", "0.2"]
HEADER = "sepal_length,sepal_width,petal_length,petal_width"


def saved() -> list:
    with ObservationStore.open() as store:
        return store.list()


def test_the_same_flower_saved_again_shortly_needs_allow_duplicate(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.run(["predict", *SETOSA, "--save"]) == 0
    assert cli.run(["predict", *SETOSA, "--save"]) == 2
    assert "add --allow-duplicate" in capsys.readouterr().err
    assert len(saved()) == 1
    assert cli.run(["predict", *SETOSA, "--save", "--allow-duplicate"]) == 0
    assert cli.run(["predict", "5.1", "3.5", "1.4", "0.3", "--save"]) == 0
    assert len(saved()) == 3


def test_a_csv_already_in_the_history_is_refused_unless_allowed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "flowers.csv"
    path.write_text(f"{HEADER},note\n5.1,3.5,1.4,0.2,a\n6.3,2.9,5.6,1.8,b\n", encoding="utf-8")
    assert cli.run(["predict", "--csv", str(path), "--save"]) == 0
    assert cli.run(["predict", "--csv", str(path), "--save"]) == 2
    err = capsys.readouterr().err
    assert "rows of" in err and "already in the history" in err and "--allow-duplicates" in err
    assert len(saved()) == 2
    assert cli.run(["predict", "--csv", str(path), "--save", "--allow-duplicates"]) == 0
    assert len(saved()) == 4


def test_predict_csv_saves_note_location_observer_time_and_confirmed_species(tmp_path: Path) -> None:
    path = tmp_path / "field.csv"
    path.write_text(
        f"{HEADER},note,location,observer,observed_at,confirmed_species\n"
        "5.1,3.5,1.4,0.2,by the stream,Schwarzwald,Ana,2026-05-01T09:30:00+02:00,Iris versicolor\n",
        encoding="utf-8",
    )
    assert cli.run(["predict", "--csv", str(path), "--save"]) == 0
    (obs,) = saved()
    assert (obs.note, obs.location, obs.observer) == ("by the stream", "Schwarzwald", "Ana")
    assert obs.created_at == "2026-05-01T07:30:00.000000+00:00"
    assert (obs.confirmed_species, obs.predicted_species) == ("versicolor", "setosa")


def test_a_bad_time_or_species_cell_saves_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "field.csv"
    path.write_text(f"{HEADER},observed_at,confirmed_species\n5.1,3.5,1.4,0.2,yesterday,\n5,3,1,0.2,,tulip\n")
    assert cli.run(["predict", "--csv", str(path), "--save"]) == 2
    err = capsys.readouterr().err
    assert "line 2: observed_at 'yesterday'" in err and "line 3: confirmed_species 'tulip'" in err
    assert saved() == []


def test_history_shows_a_corrected_species_with_the_models_own_answer_beside_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "field.csv"
    path.write_text(f"{HEADER},confirmed_species\n5.1,3.5,1.4,0.2,versicolor\n", encoding="utf-8")
    assert cli.run(["predict", "--csv", str(path), "--save"]) == 0
    capsys.readouterr()
    assert cli.run(["history"]) == 0
    (row,) = [line for line in capsys.readouterr().out.splitlines() if "versicolor*" in line]
    (obs,) = saved()
    assert f"setosa {obs.confidence * 100:.1f} %" in row
