"""Inspect a built bundle: size, Python modules, training-only packages, and the oldest macOS it runs on."""

from __future__ import annotations

import os
import plistlib
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from build_scripts.bundle_filter import FORBIDDEN_PACKAGES
from build_scripts.macho import MacOSVersion, NotMachO, is_macho, minimum_macos

MB = 1_000_000  # sizes are reported in SI megabytes, the stricter reading of the budget


@dataclass(frozen=True)
class Budget:
    """The most a bundle may weigh, unpacked and as an LZMA archive, in bytes."""

    unpacked: int
    compressed: int


# The Linux budget of the issue; the Windows and macOS bundles are reported, not held to it.
LINUX_BUDGET = Budget(unpacked=200 * MB, compressed=50 * MB)

# The oldest macOS the app runs on (LSMinimumSystemVersion): onnxruntime's binaries need 13.4. The
# release workflow installs every wheel for it (MACOSX_DEPLOYMENT_TARGET) and build.py checks each
# binary of the app against it.
MACOS_MINIMUM = "13.4"


def executable_names(app_name: str = "iris-field") -> list[str]:
    """Return the bundle's executables on this OS; the first one is the smoke-tested command line."""
    if sys.platform == "win32":
        return [f"{app_name}-cli.exe", f"{app_name}.exe"]
    return [app_name]


def command_line_executable(bundle: Path) -> Path:
    """Return the executable that prints to the console (iris-field-cli.exe on Windows)."""
    return bundle / executable_names()[0]


def unpacked_size(folder: Path) -> int:
    """Return the bytes of every regular file under ``folder``; symbolic links count once, at their target."""
    return sum(path.stat().st_size for path in regular_files(folder))


def tar_listing(folder: Path) -> set[str]:
    """Return the names tar gives ``folder``'s files and symbolic links, never entering a linked folder.

    macOS frameworks hold folder links (Versions/Current -> A): tar stores the link itself, while
    Path.rglob + is_file() would skip it.
    """
    names = set()
    for dirpath, dirnames, filenames in os.walk(folder):
        linked_folders = [n for n in dirnames if Path(dirpath, n).is_symlink()]
        for name in filenames + linked_folders:
            names.add(Path(dirpath, name).relative_to(folder.parent).as_posix())
    return names


def archive_listing(archive: Path) -> set[str]:
    """Return the names of the files and symbolic links packed in a .zip or .tar.xz archive."""
    if archive.suffix == ".zip":
        with zipfile.ZipFile(archive) as zf:
            return {n for n in zf.namelist() if not n.endswith("/")}
    with tarfile.open(archive) as tf:
        return {m.name for m in tf.getmembers() if m.isfile() or m.issym()}


def python_modules(bundle: Path) -> set[str]:
    """Return the dotted names of all Python modules frozen into the bundle's executables and zip files."""
    from PyInstaller.archive.readers import CArchiveReader, NotAnArchiveError

    names: set[str] = set()
    for exe_name in executable_names():
        exe = bundle / exe_name
        if not exe.is_file():
            continue
        archive = CArchiveReader(str(exe))
        for entry_name in archive.toc:
            names.add(entry_name)
            try:
                names.update(archive.open_embedded_archive(entry_name).toc)
            except (NotAnArchiveError, KeyError):
                continue  # an ordinary entry (script, option), not an embedded archive
            except Exception as exc:  # noqa: BLE001 -- a damaged archive is a failed check, not a crash
                raise RuntimeError(f"cannot read the archive {entry_name!r} in {exe}: {exc}") from exc
    for library_zip in bundle.rglob("base_library.zip"):
        with zipfile.ZipFile(library_zip) as zf:
            names.update(n.removesuffix(".pyc").replace("/", ".") for n in zf.namelist())
    return names


def _top_level_name(name: str) -> str:
    return name.split(".")[0]


def forbidden_contents(bundle: Path) -> list[str]:
    """Return what in the bundle belongs to a training-only package (files and frozen modules), sorted."""
    found: set[str] = set()
    for module in python_modules(bundle):
        if _top_level_name(module) in FORBIDDEN_PACKAGES:
            found.add(f"module {module}")
    for path in bundle.rglob("*"):
        relative = path.relative_to(bundle).parts
        for depth, part in enumerate(relative):
            # "scipy", "scipy.libs", "mlflow-3.1.dist-info" style names; "onnxruntime" is not "onnx".
            if part.split(".")[0].split("-")[0] in FORBIDDEN_PACKAGES:
                found.add("path " + "/".join(relative[: depth + 1]))
                break
    return sorted(found)


def regular_files(folder: Path) -> list[Path]:
    """Return every regular file under ``folder``, never entering a symbolic link (frameworks hold some)."""
    found = []
    for dirpath, _dirnames, filenames in os.walk(folder):
        found.extend(Path(dirpath, n) for n in filenames if not Path(dirpath, n).is_symlink())
    return sorted(found)


def declared_macos_minimum(app: Path) -> MacOSVersion:
    """Return LSMinimumSystemVersion from the app bundle's Info.plist."""
    with (app / "Contents" / "Info.plist").open("rb") as handle:
        return MacOSVersion.parse(plistlib.load(handle)["LSMinimumSystemVersion"])


def binaries_above_macos(folder: Path, minimum: MacOSVersion, arch: str) -> list[str]:
    """Return "path needs macOS X" for every Mach-O under ``folder`` whose ``arch`` slice needs more."""
    problems = []
    for path in regular_files(folder):
        if not is_macho(path):
            continue
        try:
            needed = minimum_macos(path, arch)
        except NotMachO as exc:
            problems.append(f"{path.relative_to(folder)} cannot be read: {exc}")
            continue
        if needed is not None and needed > minimum:
            problems.append(f"{path.relative_to(folder)} needs macOS {needed}")
    return problems
