"""The bundle checks see what ships: each file and link as tar packs it, each Mach-O against the minimum."""

from __future__ import annotations

import os
import plistlib
from pathlib import Path

import pytest

from build_scripts import build
from build_scripts.bundle_check import (
    archive_listing,
    binaries_above_macos,
    declared_macos_minimum,
    tar_listing,
    unpacked_size,
)
from build_scripts.macho import MacOSVersion
from tests.build_scripts.macho_fixtures import (
    CPU_ARM64,
    CPU_X86_64,
    build_version,
    fat_macho,
    segment_command,
    thin_macho,
)


def make_app(root: Path, minimum: str, binaries: dict[str, bytes]) -> Path:
    """Write a small "Iris Field.app": Info.plist, the given files, a framework with folder links."""
    app = root / "Iris Field.app"
    contents = app / "Contents"
    contents.mkdir(parents=True)
    with (contents / "Info.plist").open("wb") as handle:
        plistlib.dump({"CFBundleName": "Iris Field", "LSMinimumSystemVersion": minimum}, handle)
    for relative, content in binaries.items():
        path = contents / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    framework = contents / "Frameworks" / "QtCore.framework"
    (framework / "Versions" / "A").mkdir(parents=True)
    (framework / "Versions" / "A" / "QtCore").write_bytes(
        thin_macho(CPU_ARM64, segment_command(), build_version("12.0"))
    )
    os.symlink("A", framework / "Versions" / "Current")
    os.symlink("Versions/Current/QtCore", framework / "QtCore")
    return app


def test_a_binary_newer_than_the_declared_minimum_is_named(tmp_path: Path):
    app = make_app(
        tmp_path,
        "13.4",
        {
            "MacOS/iris-field": thin_macho(CPU_ARM64, segment_command(), build_version("11.0")),
            "Frameworks/numpy/_core/_multiarray_umath.so": thin_macho(CPU_ARM64, build_version("14.0")),
            "Frameworks/onnxruntime/capi/libonnxruntime.dylib": thin_macho(CPU_ARM64, build_version("13.4")),
            "Resources/base_library.zip": b"PK\x03\x04 not a binary",
        },
    )
    minimum = declared_macos_minimum(app)

    assert minimum == MacOSVersion(13, 4)
    assert binaries_above_macos(app, minimum, "arm64") == [
        "Contents/Frameworks/numpy/_core/_multiarray_umath.so needs macOS 14.0"
    ]


def test_only_the_slice_of_the_app_architecture_counts(tmp_path: Path):
    universal = fat_macho(
        thin_macho(CPU_X86_64, build_version("13.0")), thin_macho(CPU_ARM64, build_version("15.0"))
    )
    app = make_app(tmp_path, "13.4", {"Frameworks/shiboken6/Shiboken.abi3.so": universal})

    assert binaries_above_macos(app, MacOSVersion(13, 4), "x86_64") == []
    assert binaries_above_macos(app, MacOSVersion(13, 4), "arm64") == [
        "Contents/Frameworks/shiboken6/Shiboken.abi3.so needs macOS 15.0"
    ]


def test_the_build_refuses_an_app_that_would_not_start_on_its_minimum(tmp_path: Path, monkeypatch):
    app = make_app(tmp_path, "13.4", {"MacOS/iris-field": thin_macho(CPU_X86_64, build_version("15.0"))})
    monkeypatch.setenv("TARGET_ARCH", "x86_64")

    with pytest.raises(build.BuildError) as refused:
        build.check_macos_minimum(app)

    message = str(refused.value)
    assert "Contents/MacOS/iris-field needs macOS 15.0" in message
    assert "MACOSX_DEPLOYMENT_TARGET=13.4 uv sync --locked --python-platform x86_64-apple-darwin" in message


def test_the_archive_lists_framework_folder_links_as_tar_packs_them(tmp_path: Path):
    bundle = make_app(tmp_path / "dist", "13.4", {"MacOS/iris-field": b"#!"})

    archive = build.make_archive(bundle, tmp_path / "iris-field-test")

    listed = tar_listing(bundle)
    assert "Iris Field.app/Contents/Frameworks/QtCore.framework/Versions/Current" in listed
    assert "Iris Field.app/Contents/Frameworks/QtCore.framework/QtCore" in listed
    assert archive_listing(archive) == listed
    # A linked file counts once, at its target.
    qtcore = bundle / "Contents/Frameworks/QtCore.framework/Versions/A/QtCore"
    assert unpacked_size(bundle) == sum(
        p.stat().st_size
        for p in (qtcore, bundle / "Contents/Info.plist", bundle / "Contents/MacOS/iris-field")
    )
