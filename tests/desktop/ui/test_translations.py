"""The German catalogue covers every text of the window, and the shipped .qm is built from it."""

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from desktop.resources import asset_path

ROOT = Path(__file__).resolve().parents[3]
CATALOGUE = asset_path("translations", "iris_field_de.ts")
COMPILED = asset_path("translations", "iris_field_de.qm")


def qt_tool(name: str) -> str:
    # The PySide6 tools sit beside the interpreter of the environment the tests run in.
    return shutil.which(name, path=str(Path(sys.executable).parent)) or name


def test_every_window_text_has_a_german_translation(tmp_path: Path) -> None:
    fresh = tmp_path / "iris_field_de.ts"
    shutil.copy(CATALOGUE, fresh)
    sources = sorted(str(p) for p in (ROOT / "desktop" / "ui").glob("*.py"))
    subprocess.run(
        [qt_tool("pyside6-lupdate"), "-no-obsolete", *sources, "-ts", str(fresh)],
        check=True,
        capture_output=True,
    )
    untranslated = [
        message.findtext("source")
        for message in ET.parse(fresh).getroot().iter("message")
        if message.find("translation").get("type") in ("unfinished", "vanished", "obsolete")
    ]
    assert untranslated == [], "run pyside6-lupdate and translate these in iris_field_de.ts"


def test_the_shipped_qm_file_is_compiled_from_the_catalogue(tmp_path: Path) -> None:
    built = tmp_path / "iris_field_de.qm"
    subprocess.run(
        [qt_tool("pyside6-lrelease"), str(CATALOGUE), "-qm", str(built)], check=True, capture_output=True
    )
    assert built.read_bytes() == COMPILED.read_bytes(), "run pyside6-lrelease on iris_field_de.ts"
