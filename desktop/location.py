"""Read a location: a place name, or "latitude, longitude" in either number style (window and CSV alike)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from desktop.errors import InputError

_NUMBER = r"([+-]?\d+(?:[.,]\d+)?)"
# "48.137, 11.575", "48,137; 11,575", "48.137 11.575": two numbers and a separator, nothing else.
_COORDINATES = re.compile(rf"^\s*{_NUMBER}\s*(?:[;,]\s*|\s+){_NUMBER}\s*$")


@dataclass(frozen=True)
class Location:
    """Where a flower was measured: free text, or coordinates in decimal degrees."""

    text: str = ""
    latitude: float | None = None
    longitude: float | None = None


def parse_location(text: str) -> Location:
    """Return coordinates if ``text`` is two numbers, else the text itself as a place name."""
    match = _COORDINATES.match(text)
    if match is None:
        return Location(text=text.strip())
    latitude, longitude = (float(group.replace(",", ".")) for group in match.groups())
    return Location(latitude=latitude, longitude=longitude)


def _within(value: float, what: str, limit: float) -> float:
    if not -limit <= value <= limit:
        raise InputError(f"{what} {value:g} lies outside -{limit:g} to {limit:g} degrees")
    return value


def _degrees(text: str, what: str, limit: float) -> float:
    cleaned = text.strip()
    if not re.fullmatch(_NUMBER, cleaned):
        raise InputError(f"{what} {cleaned!r} is not a number of degrees (write it like 47.1 or 47,1)")
    return _within(float(cleaned.replace(",", ".")), what, limit)


def located(latitude: str, longitude: str, location: str) -> Location:
    """Return where a table row was measured: its latitude/longitude cells, else its location text.

    The location text is read as the window reads it ("47.1, 8.2" is coordinates, anything else a place
    name). Raise ``InputError`` for a lone or unreadable coordinate, or one outside the globe.
    """
    place = parse_location(location)
    if latitude.strip() or longitude.strip():
        if not (latitude.strip() and longitude.strip()):
            raise InputError("a row with a latitude needs a longitude too, and the other way round")
        text = place.text if place.latitude is None else ""
        return Location(text, _degrees(latitude, "latitude", 90), _degrees(longitude, "longitude", 180))
    if place.latitude is None or place.longitude is None:
        return place
    return Location("", _within(place.latitude, "latitude", 90), _within(place.longitude, "longitude", 180))
