"""Icons drawn for the project: one per species, and the app's own as a fallback."""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QIcon

from desktop.resources import asset_path

APP_ICON = "iris-field.svg"


@cache
def app_icon() -> QIcon:
    """Return the application icon."""
    return QIcon(str(asset_path("icons", APP_ICON)))


@cache
def species_icon(species: str) -> QIcon:
    """Return the icon of a species (``assets/icons/<class>.svg``), or the app icon for an unknown class."""
    path = asset_path("icons", f"{species.lower()}.svg")
    return QIcon(str(path)) if path.is_file() else app_icon()
