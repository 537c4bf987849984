"""Read the lowest macOS version a Mach-O binary runs on, from its load commands: pure Python, any OS.

A binary states it in ``LC_BUILD_VERSION`` (platform macOS, ``minos``) or, when built for macOS
10.13 and older, in ``LC_VERSION_MIN_MACOSX``. A fat (universal) binary holds one such Mach-O per
architecture; the slice of the architecture the app runs as is the one that counts. The wheel's
file name is not enough: onnxruntime's ``macosx_13_0_x86_64`` wheel holds binaries for 13.4.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

# Magic numbers as read little-endian from the first four bytes.
MH_MAGIC, MH_MAGIC_64 = 0xFEEDFACE, 0xFEEDFACF  # a little-endian thin binary (every Mac since 2006)
MH_CIGAM, MH_CIGAM_64 = 0xCEFAEDFE, 0xCFFAEDFE  # a big-endian (PowerPC) thin binary
FAT_MAGIC_BE, FAT_MAGIC_64_BE = 0xCAFEBABE, 0xCAFEBABF  # fat headers are big-endian
# Java class files share 0xCAFEBABE; their next word is >= 45 (the class file version).
MAX_FAT_ARCHS = 20
AR_MAGIC = b"!<arch>\n"

LC_VERSION_MIN_MACOSX = 0x24
LC_BUILD_VERSION = 0x32
PLATFORM_MACOS = 1

CPU_ARCH_ABI64 = 0x01000000
CPU_TYPES = {7: "i386", 7 | CPU_ARCH_ABI64: "x86_64", 12: "arm", 12 | CPU_ARCH_ABI64: "arm64", 18: "ppc"}


class NotMachO(ValueError):
    """The file is not a Mach-O binary, or one too damaged to read."""


@dataclass(frozen=True, order=True)
class MacOSVersion:
    """A macOS version such as 13.4 (patch 0 when not given)."""

    major: int
    minor: int = 0
    patch: int = 0

    @classmethod
    def parse(cls, text: str) -> MacOSVersion:
        """Read "13", "13.4" or "13.4.1" (as in LSMinimumSystemVersion)."""
        parts = [int(p) for p in text.strip().split(".")]
        if not 1 <= len(parts) <= 3:
            raise ValueError(f"not a macOS version: {text!r}")
        return cls(*parts)

    @classmethod
    def from_nibbles(cls, encoded: int) -> MacOSVersion:
        """Decode Mach-O's xxxx.yy.zz encoding (0x000D0400 is 13.4)."""
        return cls(encoded >> 16, (encoded >> 8) & 0xFF, encoded & 0xFF)

    def encoded(self) -> int:
        """Return the Mach-O encoding of this version (the inverse of ``from_nibbles``)."""
        return (self.major << 16) | (self.minor << 8) | self.patch

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}" + (f".{self.patch}" if self.patch else "")


@dataclass(frozen=True)
class MachOSlice:
    """One architecture of a Mach-O file and the lowest macOS it states (None: it states none)."""

    arch: str
    minimum_macos: MacOSVersion | None


def is_macho(path: Path) -> bool:
    """Tell from the first bytes whether ``path`` is a Mach-O binary, thin or fat."""
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError:
        return False
    if len(head) < 8:
        return False
    magic, count = struct.unpack("<I", head[:4])[0], struct.unpack(">I", head[4:8])[0]
    if magic in (MH_MAGIC, MH_MAGIC_64, MH_CIGAM, MH_CIGAM_64):
        return True
    big_endian_magic = struct.unpack(">I", head[:4])[0]
    return big_endian_magic in (FAT_MAGIC_BE, FAT_MAGIC_64_BE) and 0 < count <= MAX_FAT_ARCHS


def read_slices(path: Path) -> list[MachOSlice]:
    """Return every architecture in the Mach-O file ``path`` with its minimum macOS; raise NotMachO."""
    with path.open("rb") as handle:
        head = handle.read(8)
        if len(head) < 8:
            raise NotMachO(f"{path}: too short for a Mach-O header")
        if struct.unpack(">I", head[:4])[0] in (FAT_MAGIC_BE, FAT_MAGIC_64_BE):
            offsets = _fat_offsets(handle, head, path)
            # A fat static library (ar archives inside) is linked at build time, never loaded: no slices.
            return [_read_thin(handle, o, path) for o in offsets if not _is_static_library(handle, o)]
        return [_read_thin(handle, 0, path)]


def minimum_macos(path: Path, arch: str) -> MacOSVersion | None:
    """Return the lowest macOS the ``arch`` slice of ``path`` states; None if it states none or lacks arch."""
    for piece in read_slices(path):
        if piece.arch == arch:
            return piece.minimum_macos
    return None


def _fat_offsets(handle: BinaryIO, head: bytes, path: Path) -> list[int]:
    magic, count = struct.unpack(">II", head)
    if not 0 < count <= MAX_FAT_ARCHS:
        raise NotMachO(f"{path}: not a fat Mach-O ({count} architectures)")
    # fat_arch: cputype, cpusubtype, offset, size, align (32-bit); fat_arch_64 widens offset and size.
    entry = struct.Struct(">iiIII") if magic == FAT_MAGIC_BE else struct.Struct(">iiQQII")
    table = handle.read(entry.size * count)
    if len(table) < entry.size * count:
        raise NotMachO(f"{path}: truncated fat header")
    return [entry.unpack_from(table, i * entry.size)[2] for i in range(count)]


def _is_static_library(handle: BinaryIO, offset: int) -> bool:
    handle.seek(offset)
    return handle.read(len(AR_MAGIC)) == AR_MAGIC


def _read_thin(handle: BinaryIO, offset: int, path: Path) -> MachOSlice:
    handle.seek(offset)
    raw = handle.read(4)
    if len(raw) < 4:
        raise NotMachO(f"{path}: truncated at offset {offset}")
    magic = struct.unpack("<I", raw)[0]
    if magic in (MH_MAGIC, MH_MAGIC_64):
        order = "<"
    elif magic in (MH_CIGAM, MH_CIGAM_64):
        order = ">"
    else:
        raise NotMachO(f"{path}: no Mach-O header at offset {offset}")
    is_64 = magic in (MH_MAGIC_64, MH_CIGAM_64)
    # mach_header: magic, cputype, cpusubtype, filetype, ncmds, sizeofcmds, flags (+ reserved on 64-bit)
    header = handle.read(24 + (4 if is_64 else 0))
    if len(header) < 24:
        raise NotMachO(f"{path}: truncated Mach-O header")
    cputype, _subtype, _filetype, ncmds, sizeofcmds = struct.unpack_from(order + "iiIII", header)
    commands = handle.read(sizeofcmds)
    if len(commands) < sizeofcmds:
        raise NotMachO(f"{path}: truncated load commands")
    arch = CPU_TYPES.get(cputype, f"cpu{cputype:#x}")
    return MachOSlice(arch, _minimum_from_commands(commands, ncmds, order, path))


def _minimum_from_commands(commands: bytes, ncmds: int, order: str, path: Path) -> MacOSVersion | None:
    position = 0
    for _ in range(ncmds):
        if position + 8 > len(commands):
            raise NotMachO(f"{path}: load command {position} runs past the header")
        cmd, cmdsize = struct.unpack_from(order + "II", commands, position)
        if cmdsize < 8:
            raise NotMachO(f"{path}: load command of size {cmdsize}")
        if cmd == LC_BUILD_VERSION and position + 16 <= len(commands):
            platform, minos = struct.unpack_from(order + "II", commands, position + 8)
            if platform == PLATFORM_MACOS:
                return MacOSVersion.from_nibbles(minos)
        elif cmd == LC_VERSION_MIN_MACOSX and position + 12 <= len(commands):
            return MacOSVersion.from_nibbles(struct.unpack_from(order + "I", commands, position + 8)[0])
        position += cmdsize
    return None
