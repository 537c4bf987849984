"""Read whether a Windows executable is a console or a windowed program, from its PE header; any OS.

Windows decides at start from this field alone whether a program gets a console: iris-field-cli.exe
must be a console program (its output reaches cmd.exe and scripts), iris-field.exe a windowed one
(no black console window behind the app).
"""

from __future__ import annotations

import struct
from enum import IntEnum
from pathlib import Path

PE_SIGNATURE = b"PE\0\0"
COFF_HEADER_SIZE = 20
SUBSYSTEM_OFFSET = 68  # within the optional header, the same for PE32 and PE32+


class Subsystem(IntEnum):
    """The subsystems a desktop program can have."""

    WINDOWS_GUI = 2
    WINDOWS_CONSOLE = 3


class NotAnExecutable(ValueError):
    """The file is not a Windows PE executable."""


def subsystem(path: Path) -> int:
    """Return the subsystem field of the PE executable ``path`` (compare with ``Subsystem``)."""
    data = path.read_bytes()[:4096]
    if data[:2] != b"MZ" or len(data) < 0x40:
        raise NotAnExecutable(f"{path}: no MZ header")
    pe_offset = struct.unpack_from("<I", data, 0x3C)[0]
    field = pe_offset + len(PE_SIGNATURE) + COFF_HEADER_SIZE + SUBSYSTEM_OFFSET
    if data[pe_offset : pe_offset + 4] != PE_SIGNATURE or field + 2 > len(data):
        raise NotAnExecutable(f"{path}: no PE header")
    return struct.unpack_from("<H", data, field)[0]
