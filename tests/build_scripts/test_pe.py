"""The PE reader tells a console program from a windowed one, on executables written here with struct."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from build_scripts.pe import NotAnExecutable, Subsystem, subsystem


def executable(subsystem_value: int, *, pe32_plus: bool = True, pe_offset: int = 0x80) -> bytes:
    """Return the headers of a Windows executable: DOS stub, PE signature, COFF and optional header."""
    dos = bytearray(pe_offset)
    dos[:2] = b"MZ"
    struct.pack_into("<I", dos, 0x3C, pe_offset)
    machine = 0x8664 if pe32_plus else 0x14C
    optional_size = 240 if pe32_plus else 224
    coff = struct.pack("<HHIIIHH", machine, 3, 0, 0, 0, optional_size, 0x22)
    optional = bytearray(optional_size)
    struct.pack_into("<H", optional, 0, 0x20B if pe32_plus else 0x10B)
    struct.pack_into("<H", optional, 68, subsystem_value)
    return bytes(dos) + b"PE\0\0" + coff + bytes(optional) + b"\0" * 512


@pytest.mark.parametrize("pe32_plus", [True, False], ids=["64-bit", "32-bit"])
def test_a_console_and_a_windowed_program_are_told_apart(tmp_path: Path, pe32_plus: bool):
    cli, app = tmp_path / "iris-field-cli.exe", tmp_path / "iris-field.exe"
    cli.write_bytes(executable(Subsystem.WINDOWS_CONSOLE, pe32_plus=pe32_plus))
    app.write_bytes(executable(Subsystem.WINDOWS_GUI, pe32_plus=pe32_plus, pe_offset=0xF8))

    assert subsystem(cli) == Subsystem.WINDOWS_CONSOLE
    assert subsystem(app) == Subsystem.WINDOWS_GUI


def test_other_files_are_refused(tmp_path: Path):
    script = tmp_path / "install.sh"
    script.write_bytes(b"#!/bin/sh\necho hi\n")
    stub_only = tmp_path / "stub.exe"
    stub_only.write_bytes(executable(3)[:0x80] + b"NE\0\0" + bytes(300))
    for path in (script, stub_only):
        with pytest.raises(NotAnExecutable):
            subsystem(path)
