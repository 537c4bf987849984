"""The Mach-O reader finds the lowest macOS each binary states, in thin and fat files, on any OS.

The fixtures (macho_fixtures.py) are Mach-O headers written with struct, laid out as in <mach-o/loader.h>
and <mach-o/fat.h>: a header, a few load commands, and for fat files the big-endian arch table.
"""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from build_scripts.macho import (
    MachOSlice,
    MacOSVersion,
    NotMachO,
    is_macho,
    minimum_macos,
    read_slices,
)
from tests.build_scripts.macho_fixtures import (
    CPU_ARM64,
    CPU_X86_64,
    PLATFORM_IOS,
    build_version,
    fat_macho,
    segment_command,
    thin_macho,
    uuid_command,
    version_min,
)


@pytest.fixture
def write(tmp_path: Path):
    def write(name: str, content: bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(content)
        return path

    return write


def test_a_thin_binary_states_its_minimum_in_lc_build_version(write):
    dylib = write("libonnxruntime.dylib", thin_macho(CPU_X86_64, segment_command(), build_version("13.4")))
    assert read_slices(dylib) == [MachOSlice("x86_64", MacOSVersion(13, 4))]


def test_an_old_binary_states_it_in_lc_version_min_macosx(write):
    old = write("_old.so", thin_macho(CPU_X86_64, uuid_command(), version_min("10.9")))
    assert minimum_macos(old, "x86_64") == MacOSVersion(10, 9)


def test_only_the_macos_platform_counts(write):
    ios_only = write("ios.dylib", thin_macho(CPU_ARM64, build_version("17.0", PLATFORM_IOS)))
    assert minimum_macos(ios_only, "arm64") is None


def test_a_binary_stating_nothing_has_no_minimum(write):
    bare = write("bare.so", thin_macho(CPU_ARM64, segment_command(), uuid_command()))
    assert read_slices(bare) == [MachOSlice("arm64", None)]


@pytest.mark.parametrize("wide", [False, True], ids=["fat", "fat64"])
def test_a_fat_binary_gives_each_architecture_its_own_minimum(write, wide: bool):
    universal = write(
        "Shiboken.abi3.so",
        fat_macho(
            thin_macho(CPU_X86_64, segment_command(), build_version("10.13")),
            thin_macho(CPU_ARM64, segment_command(), build_version("15.0")),
            wide=wide,
        ),
    )
    assert read_slices(universal) == [
        MachOSlice("x86_64", MacOSVersion(10, 13)),
        MachOSlice("arm64", MacOSVersion(15, 0)),
    ]
    assert minimum_macos(universal, "arm64") == MacOSVersion(15)
    assert minimum_macos(universal, "x86_64") == MacOSVersion(10, 13)


def test_a_fat_static_library_has_no_loadable_slices(write):
    archive = b"!<arch>\n" + b"member" * 20
    static = write("libplugin.a", fat_macho(archive, archive))
    assert is_macho(static)
    assert read_slices(static) == []


def test_other_files_are_not_macho(write):
    assert not is_macho(write("script.py", b"print('hello')\n"))
    assert not is_macho(write("empty", b""))
    assert not is_macho(write("lib.so", b"\x7fELF\x02\x01\x01" + bytes(60)))
    # Java class files share the fat magic; their next word is the class file version (>= 45).
    assert not is_macho(write("Main.class", struct.pack(">IHH", 0xCAFEBABE, 0, 52) + bytes(32)))


def test_a_truncated_binary_is_reported_not_misread(write):
    whole = thin_macho(CPU_X86_64, segment_command(), build_version("13.4"))
    cut = write("cut.dylib", whole[:40])
    with pytest.raises(NotMachO, match="truncated"):
        read_slices(cut)


def test_versions_compare_and_print_as_in_info_plist():
    assert MacOSVersion.parse("13.4") > MacOSVersion.parse("13")
    assert MacOSVersion.parse("13.4") == MacOSVersion.from_nibbles(0x000D0400)
    assert MacOSVersion.parse("10.15.7") < MacOSVersion.parse("11")
    assert str(MacOSVersion(13, 4)) == "13.4"
    assert str(MacOSVersion(14)) == "14.0"
    with pytest.raises(ValueError):
        MacOSVersion.parse("13.x")
