"""Build the Iris Field bundle for this OS: `uv run python build_scripts/build.py`.

Makes the icons, runs PyInstaller with build_scripts/iris-field.spec into dist/iris-field/ (one
folder), refuses a bundle that holds a training-only package, on macOS one with a binary newer than
the app's LSMinimumSystemVersion, adds the menu entry on Linux, packs dist/iris-field-<version>-<os>
.tar.xz (.zip on Windows) and prints both sizes. On Linux it fails above 200 MB unpacked or 50 MB
compressed and says how much room is left. The release workflow runs this command on Windows,
macOS and Linux; on Windows with --no-archive, then --pack-only once the executables are signed.
"""

from __future__ import annotations

import argparse
import lzma
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: make `build_scripts` importable without the venv's path

from build_scripts.bundle_check import (  # noqa: E402
    LINUX_BUDGET,
    MB,
    Budget,
    binaries_above_macos,
    command_line_executable,
    declared_macos_minimum,
    forbidden_contents,
    unpacked_size,
)
from build_scripts.bundled_release import UnsignedBundledModel, describe_bundled_release  # noqa: E402
from build_scripts.icons import write_icons  # noqa: E402

SPEC = ROOT / "build_scripts" / "iris-field.spec"
LINUX_FILES = ROOT / "build_scripts" / "linux"
APP_NAME = "iris-field"
MACOS_APP = "Iris Field.app"


class BuildError(Exception):
    """The build cannot produce a bundle that may ship; the message says why."""


def app_version() -> str:
    """Return the version the spec also reads (desktop/__init__.py)."""
    namespace: dict[str, str] = {}
    exec((ROOT / "desktop" / "__init__.py").read_text(encoding="utf-8"), namespace)
    return namespace["__version__"]


def platform_tag() -> str:
    """Return e.g. linux-x86_64, macos-arm64, windows-x64: the archive name's platform part."""
    machine = os.environ.get("TARGET_ARCH") or platform.machine().lower()
    machine = {"amd64": "x86_64", "aarch64": "arm64"}.get(machine, machine)
    if sys.platform == "win32":
        return "windows-x64" if machine == "x86_64" else f"windows-{machine}"
    return f"{'macos' if sys.platform == 'darwin' else 'linux'}-{machine}"


def run_pyinstaller(dist: Path, work: Path, icons: Path) -> Path:
    """Run PyInstaller on the spec and return the bundle folder."""
    env = dict(os.environ, ICONS_DIR=str(icons))
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--clean",
        "--log-level",
        "WARN",
        "--distpath",
        str(dist),
        "--workpath",
        str(work),
        str(SPEC),
    ]
    result = subprocess.run(command, cwd=ROOT, env=env, check=False)
    if result.returncode != 0:
        raise BuildError(f"PyInstaller failed with exit code {result.returncode}")
    bundle = dist / APP_NAME
    if not command_line_executable(bundle).is_file():
        raise BuildError(f"PyInstaller finished but {command_line_executable(bundle)} is missing")
    return bundle


def make_archive(bundle: Path, archive_base: Path) -> Path:
    """Pack the bundle folder: .zip on Windows (Explorer opens it), LZMA .tar.xz elsewhere."""
    if sys.platform == "win32":
        archive = archive_base.with_name(archive_base.name + ".zip")
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
            for path in sorted(bundle.rglob("*")):
                if path.is_file():
                    zf.write(path, path.relative_to(bundle.parent))
        return archive
    archive = archive_base.with_name(archive_base.name + ".tar.xz")
    with (
        lzma.LZMAFile(archive, "w", format=lzma.FORMAT_XZ, filters=xz_filters()) as xz,
        tarfile.open(fileobj=xz, mode="w") as tf,
    ):
        tf.add(bundle, arcname=bundle.name)
    return archive


def xz_filters() -> list[dict[str, int]]:
    """Return the xz filter chain: LZMA2 at its strongest, after x86 branch conversion on x86 machines.

    The branch filter makes machine code compress about 6 % smaller (most of the bundle is code);
    `tar -xJf` and every xz reader undo it on their own. Inno Setup applies the same idea to .exe/.dll.
    """
    lzma2 = {"id": lzma.FILTER_LZMA2, "preset": 9}  # "extreme" gains 0.2 % for twice the time
    if platform.machine().lower() in ("x86_64", "amd64"):
        return [{"id": lzma.FILTER_X86}, lzma2]
    return [lzma2]


def check_budget(unpacked: int, compressed: int | None, budget: Budget) -> list[str]:
    """Return one sentence per size over budget (an empty list when within it)."""
    problems = []
    if unpacked > budget.unpacked:
        problems.append(f"unpacked {unpacked / MB:.1f} MB is over the {budget.unpacked / MB:.0f} MB budget")
    if compressed is not None and compressed > budget.compressed:
        problems.append(
            f"compressed {compressed / MB:.1f} MB is over the {budget.compressed / MB:.0f} MB budget"
        )
    return problems


def room_left(unpacked: int, compressed: int | None, budget: Budget) -> str:
    """Return how much the bundle may still grow, e.g. "2.4 MB of 200 MB unpacked, 2.3 MB of 50 MB ..."."""
    parts = [f"{(budget.unpacked - unpacked) / MB:.1f} MB of {budget.unpacked / MB:.0f} MB unpacked"]
    if compressed is not None:
        parts.append(
            f"{(budget.compressed - compressed) / MB:.1f} MB of {budget.compressed / MB:.0f} MB compressed"
        )
    return ", ".join(parts)


def add_desktop_entry(bundle: Path, icon_png: Path) -> None:
    """Linux: put the menu entry, its icon and install.sh (which registers both) into the bundle folder."""
    shutil.copy2(LINUX_FILES / f"{APP_NAME}.desktop", bundle / f"{APP_NAME}.desktop")
    shutil.copy2(LINUX_FILES / "install.sh", bundle / "install.sh")
    shutil.copy2(icon_png, bundle / f"{APP_NAME}.png")


def check_macos_minimum(app: Path) -> None:
    """macOS: fail unless every binary of the app runs on the macOS its Info.plist promises."""
    minimum = declared_macos_minimum(app)
    arch = os.environ.get("TARGET_ARCH") or platform.machine()
    too_new = binaries_above_macos(app, minimum, arch)
    if too_new:
        raise BuildError(
            f"{app.name} promises macOS {minimum} (LSMinimumSystemVersion), but {len(too_new)} of its "
            f"binaries need more:\n  " + "\n  ".join(too_new[:20]) + "\nInstall the wheels built for "
            f"macOS {minimum}: MACOSX_DEPLOYMENT_TARGET={minimum} uv sync --locked --python-platform "
            f"{'aarch64' if arch == 'arm64' else arch}-apple-darwin"
        )
    print(f"macOS:      every binary of {app.name} runs on macOS {minimum} ({arch})")


def pack(bundle: Path, dist: Path, *, archive: bool) -> None:
    """Print the bundle's size, pack it unless told not to, and hold Linux to its budget."""
    unpacked = unpacked_size(bundle)
    compressed = None
    print(f"bundle:     {bundle}")
    print(f"unpacked:   {unpacked / MB:7.1f} MB  ({unpacked} bytes)")
    if archive:
        packed = make_archive(bundle, dist / f"{APP_NAME}-{app_version()}-{platform_tag()}")
        compressed = packed.stat().st_size
        print(f"archive:    {packed}")
        print(f"compressed: {compressed / MB:7.1f} MB  ({compressed} bytes)")
    if sys.platform.startswith("linux"):
        problems = check_budget(unpacked, compressed, LINUX_BUDGET)
        if problems:
            raise BuildError("the Linux bundle is too big: " + "; ".join(problems))
        print(f"room left:  {room_left(unpacked, compressed, LINUX_BUDGET)} (the Linux budget)")


def build(dist: Path, work: Path, *, archive: bool) -> int:
    """Build, check and pack the bundle; print the figures; return the exit code."""
    started = time.monotonic()
    try:
        print(f"model:      {describe_bundled_release(ROOT / 'assets')}")
    except UnsignedBundledModel as exc:
        raise BuildError(str(exc)) from None
    icons = write_icons(ROOT / "assets" / "icons" / "iris-field.svg", work / "icons")
    bundle = run_pyinstaller(dist, work / "pyinstaller", icons["ico"].parent)

    forbidden = forbidden_contents(bundle)
    if forbidden:
        raise BuildError(
            "the bundle holds training-only packages, which must never ship:\n  " + "\n  ".join(forbidden)
        )
    if sys.platform.startswith("linux"):
        add_desktop_entry(bundle, icons["png"])
    if sys.platform == "darwin":
        check_macos_minimum(dist / MACOS_APP)

    pack(bundle, dist, archive=archive)
    print(f"build took {time.monotonic() - started:.0f} s")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse the options, build, and turn a failed build into one line on stderr and exit code 1."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder (default: dist/)")
    parser.add_argument("--work", type=Path, default=ROOT / "build", help="work folder (default: build/)")
    parser.add_argument("--no-archive", action="store_true", help="skip the compressed archive (quicker)")
    parser.add_argument(
        "--pack-only",
        action="store_true",
        help="only pack the bundle already in --dist (after signing its executables)",
    )
    args = parser.parse_args(argv)
    if shutil.which("strip") is None and sys.platform.startswith("linux"):
        print(
            "build.py: `strip` (binutils) is missing; install it, or libpython stays 22 MB too big",
            file=sys.stderr,
        )
    dist = args.dist.resolve()
    try:
        if args.pack_only:
            if not (dist / APP_NAME).is_dir():
                raise BuildError(f"there is no bundle to pack in {dist / APP_NAME}; build it first")
            pack(dist / APP_NAME, dist, archive=True)
            return 0
        return build(dist, args.work.resolve(), archive=not args.no_archive)
    except BuildError as exc:
        print(f"build.py: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
