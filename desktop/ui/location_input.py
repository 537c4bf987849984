"""Read the save form's location field: a place name, or "latitude, longitude" in either number style."""

from __future__ import annotations

import re
from dataclasses import dataclass

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
