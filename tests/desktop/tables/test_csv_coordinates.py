"""`predict --csv --save` keeps where each flower was measured: coordinate columns, or "lat, lon"."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.errors import InputError
from desktop.location import Location, located, parse_location
from desktop.store import ObservationStore
from tests.desktop.cli.test_cli import assert_one_line_error, iris

HEADER = "sepal_length,sepal_width,petal_length,petal_width"


def saved(home: Path, tmp_path: Path, text: str) -> dict[str, tuple[str, float | None, float | None]]:
    flowers = tmp_path / "flowers.csv"
    flowers.write_text(text, encoding="utf-8")
    result = iris(home, "predict", "--csv", str(flowers), "--save")
    assert result.returncode == 0, result.stderr
    with ObservationStore.open() as store:
        return {o.note: (o.location, o.latitude, o.longitude) for o in store.list()}


def test_latitude_and_longitude_columns_in_any_spelling_and_decimal_commas_are_kept(
    iris_home: Path, tmp_path: Path
) -> None:
    got = saved(
        iris_home, tmp_path, f"{HEADER};note;Lat;Lon\n".replace(",", ";") + "5,1;3,5;1,4;0,2;a;47,1;8,25\n"
    )
    assert got == {"a": ("", 47.1, 8.25)}
    got = saved(
        iris_home,
        tmp_path,
        f"{HEADER},note,latitude,longitude,location\n5.1,3.5,1.4,0.2,b,-33.9,-70.6,Creek\n",
    )
    assert got["b"] == ("Creek", -33.9, -70.6)


def test_a_location_written_as_lat_lon_becomes_coordinates_as_in_the_window(
    iris_home: Path, tmp_path: Path
) -> None:
    got = saved(
        iris_home,
        tmp_path,
        f'{HEADER},note,location\n5.1,3.5,1.4,0.2,c,"47.1, 8.2"\n6.3,3.3,6.0,2.5,d,Meadow 3\n',
    )
    window = parse_location("47.1, 8.2")
    assert got["c"] == ("", window.latitude, window.longitude) == ("", 47.1, 8.2)
    assert got["d"] == ("Meadow 3", None, None)


def test_an_unreadable_or_impossible_coordinate_names_its_line_and_nothing_is_saved(
    iris_home: Path, tmp_path: Path
) -> None:
    flowers = tmp_path / "flowers.csv"
    flowers.write_text(
        f"{HEADER},lat,lon\n5.1,3.5,1.4,0.2,47.1,8.2\n5.1,3.5,1.4,0.2,95,8\n5.1,3.5,1.4,0.2,north,8\n"
    )
    line = assert_one_line_error(iris(iris_home, "predict", "--csv", str(flowers), "--save"), 2)
    assert "line 3: latitude 95 lies outside -90 to 90 degrees" in line
    assert "line 4: latitude 'north' is not a number of degrees" in line


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (("", "", "47,1; 8,2"), Location("", 47.1, 8.2)),
        (("1.5", "2", "Ridge"), Location("Ridge", 1.5, 2.0)),
        (("", "", "Ridge"), Location("Ridge")),
    ],
)
def test_located_reads_cells_like_the_window(cells: tuple[str, str, str], expected: Location) -> None:
    assert located(*cells) == expected


def test_a_lone_coordinate_is_refused() -> None:
    with pytest.raises(InputError, match="needs a longitude too"):
        located("47.1", "", "")
