"""Linux: the tarball's install.sh puts Iris Field into the user's application menu, folders and all."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from build_scripts import build
from build_scripts.icons import render_png

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="a POSIX shell script")


def read_entry(path: Path) -> configparser.SectionProxy:
    """Parse a .desktop file (an ini file whose keys are case-sensitive)."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


def exec_program(exec_value: str) -> str:
    """Return the program an Exec value starts, undoing the Desktop Entry Specification's quoting."""
    unescaped = exec_value.replace("\\\\", "\\")  # the string-value escape comes first
    assert unescaped.startswith('"') and unescaped.endswith('"'), exec_value
    inner, program, i = unescaped[1:-1], "", 0
    while i < len(inner):
        if inner[i] == "\\":
            i += 1
        program += inner[i]
        i += 1
    return program.replace("%%", "%")


@pytest.fixture
def unpacked(tmp_path: Path) -> Path:
    """Return an unpacked bundle folder, as tar leaves it, at a path with a space and a dollar sign."""
    folder = tmp_path / "My Programs $2026" / "iris-field"
    folder.mkdir(parents=True)
    program = folder / "iris-field"
    program.write_text("#!/bin/sh\necho iris-field\n")
    program.chmod(0o755)
    icon = tmp_path / "iris-field.png"
    icon.write_bytes(render_png(build.ROOT / "assets" / "icons" / "iris-field.svg", 32))
    build.add_desktop_entry(folder, icon)
    return folder


def run_install(folder: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"HOME": str(home), "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    return subprocess.run(
        [str(folder / "install.sh"), *args], env=env, capture_output=True, text=True, timeout=60
    )


def test_the_bundle_carries_a_menu_entry_for_the_app():
    entry = read_entry(build.LINUX_FILES / "iris-field.desktop")
    assert entry["Type"] == "Application"
    assert entry["Name"] == "Iris Field"
    assert entry["Icon"] == "iris-field"
    assert entry["Terminal"] == "false"
    assert entry["Comment[de]"]
    # Qt names the window's class after setDesktopFileName("iris-field"): the menu entry matches it.
    assert entry["StartupWMClass"] == "iris-field"


def test_install_creates_the_menu_folders_and_points_at_this_folder(unpacked: Path, tmp_path: Path):
    home = tmp_path / "home"  # a fresh account: no ~/.local at all
    home.mkdir()

    result = run_install(unpacked, home)

    assert result.returncode == 0, result.stderr
    installed = home / ".local" / "share" / "applications" / "iris-field.desktop"
    entry = read_entry(installed)
    program = Path(exec_program(entry["Exec"]))
    assert program == unpacked / "iris-field"
    assert subprocess.run([program], capture_output=True, text=True).stdout == "iris-field\n"
    assert entry["Name"] == "Iris Field"
    assert entry["Comment"] == read_entry(unpacked / "iris-field.desktop")["Comment"]
    icon = home / ".local" / "share" / "icons" / "hicolor" / "256x256" / "apps" / "iris-field.png"
    assert icon.read_bytes() == (unpacked / "iris-field.png").read_bytes()
    assert str(installed) in result.stdout


def test_uninstall_removes_the_entry_and_leaves_the_program(unpacked: Path, tmp_path: Path):
    home = tmp_path / "home"
    home.mkdir()
    assert run_install(unpacked, home).returncode == 0

    result = run_install(unpacked, home, "--uninstall")

    assert result.returncode == 0, result.stderr
    assert not (home / ".local" / "share" / "applications" / "iris-field.desktop").exists()
    assert not list((home / ".local" / "share" / "icons").rglob("iris-field.png"))
    assert (unpacked / "iris-field").is_file()


def test_install_outside_the_bundle_folder_says_so(tmp_path: Path):
    stray = tmp_path / "Downloads"
    stray.mkdir()
    shutil.copy2(build.LINUX_FILES / "install.sh", stray / "install.sh")

    result = run_install(stray, tmp_path)

    assert result.returncode == 1
    assert "run me from the unpacked iris-field folder" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
