"""The location field: coordinates in either number style, anything else is a place name."""

import pytest

from desktop.ui.location_input import Location, parse_location


@pytest.mark.parametrize(
    "text",
    ["48.137, 11.575", "48,137; 11,575", "48.137 11.575", " 48,137,11,575 ", "+48.137;+11.575"],
)
def test_two_numbers_are_coordinates(text: str) -> None:
    assert parse_location(text) == Location(latitude=48.137, longitude=11.575)


def test_negative_coordinates_keep_their_sign() -> None:
    assert parse_location("-33.9, -70.6") == Location(latitude=-33.9, longitude=-70.6)


@pytest.mark.parametrize("text", ["Isar floodplain", "Plot 12, north", "48.137", "", "A9 km 12 3"])
def test_anything_else_is_a_place_name(text: str) -> None:
    assert parse_location(text) == Location(text=text.strip())
