"""The Windows version resource of each executable: what Explorer shows under Properties → Details.

Plain data here (tested on any OS); the spec turns it into PyInstaller's VSVersionInfo on Windows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PRODUCT_NAME = "Iris Field"
# The publisher as the installer names it (AppPublisher in installer/iris-field.iss).
COMPANY_NAME = "Iris Field"
LANGUAGE_US_ENGLISH_UNICODE = "040904B0"


@dataclass(frozen=True)
class VersionResource:
    """The numbers and strings of one executable's version resource."""

    numbers: tuple[int, int, int, int]
    strings: dict[str, str]


def version_numbers(version: str) -> tuple[int, int, int, int]:
    """Return the four numbers Windows wants from a version string: "0.2.0rc1" -> (0, 2, 0, 0)."""
    parts = (version.split(".") + ["0"] * 4)[:4]
    return tuple(int(re.match(r"\d*", part).group() or 0) for part in parts)  # type: ignore[return-value]


def version_resource(version: str, exe_name: str, description: str) -> VersionResource:
    """Return the version resource of ``exe_name`` (without .exe), described as ``description``."""
    return VersionResource(
        numbers=version_numbers(version),
        strings={
            "CompanyName": COMPANY_NAME,
            "FileDescription": description,
            "FileVersion": version,
            "InternalName": exe_name,
            "OriginalFilename": f"{exe_name}.exe",
            "ProductName": PRODUCT_NAME,
            "ProductVersion": version,
        },
    )
