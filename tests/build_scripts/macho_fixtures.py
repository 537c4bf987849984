"""Mach-O files written with struct, laid out as in Apple's <mach-o/loader.h> and <mach-o/fat.h>."""

from __future__ import annotations

import struct

from build_scripts.macho import LC_BUILD_VERSION, LC_VERSION_MIN_MACOSX, MacOSVersion

CPU_X86_64, CPU_ARM64 = 0x01000007, 0x0100000C
MH_DYLIB = 6
LC_SEGMENT_64, LC_UUID = 0x19, 0x1B
PLATFORM_MACOS, PLATFORM_IOS = 1, 2


def build_version(minos: str, platform: int = PLATFORM_MACOS) -> bytes:
    """Return LC_BUILD_VERSION: platform, minos, sdk, ntools (no tool entries)."""
    encoded = MacOSVersion.parse(minos).encoded()
    return struct.pack("<IIIIII", LC_BUILD_VERSION, 24, platform, encoded, 0x000F0000, 0)


def version_min(version: str) -> bytes:
    """Return LC_VERSION_MIN_MACOSX: version, sdk."""
    return struct.pack("<IIII", LC_VERSION_MIN_MACOSX, 16, MacOSVersion.parse(version).encoded(), 0x000A0F00)


def uuid_command() -> bytes:
    return struct.pack("<II", LC_UUID, 24) + bytes(range(16))


def segment_command() -> bytes:
    """Return an LC_SEGMENT_64 without sections (72 bytes), as every real binary has several."""
    return struct.pack("<II16sQQQQiiII", LC_SEGMENT_64, 72, b"__TEXT", 0, 0x4000, 0, 0x4000, 5, 5, 0, 0)


def thin_macho(cputype: int, *commands: bytes) -> bytes:
    """Return a 64-bit little-endian Mach-O: mach_header_64, the load commands, a little code."""
    body = b"".join(commands)
    header = struct.pack("<IiiIIIII", 0xFEEDFACF, cputype, 0, MH_DYLIB, len(commands), len(body), 0, 0)
    return header + body + b"\x90" * 64


def fat_macho(*slices: bytes, wide: bool = False) -> bytes:
    """Return a fat binary: big-endian header, one fat_arch per slice, slices 4096-byte aligned."""
    entry_size = 32 if wide else 20
    offset = 4096
    table, payload = b"", b""
    for piece in slices:
        cputype = struct.unpack_from("<i", piece, 4)[0]
        padded = piece + b"\0" * (-len(piece) % 4096)
        if wide:
            table += struct.pack(">iiQQII", cputype, 0, offset, len(piece), 12, 0)
        else:
            table += struct.pack(">iiIII", cputype, 0, offset, len(piece), 12)
        payload += padded
        offset += len(padded)
    header = struct.pack(">II", 0xCAFEBABF if wide else 0xCAFEBABE, len(slices)) + table
    assert len(header) <= 4096 and entry_size * len(slices) + 8 == len(header)
    return header + b"\0" * (4096 - len(header)) + payload
