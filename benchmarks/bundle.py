"""Section 5: the frozen PyInstaller bundle — sizes, cold ``--self-test``, launch to window shown."""

from __future__ import annotations

import os
import tarfile
from pathlib import Path

from benchmarks.context import PROJECT_ROOT, Context
from benchmarks.gui import frozen_window_run
from benchmarks.process import spawn
from benchmarks.report import Figure, Section
from benchmarks.timing import Distribution

BUNDLE = PROJECT_ROOT / "dist" / "iris-field"
TARGET_SELF_TEST_S = 0.5
TARGET_UNPACKED_MB = 200.0
TARGET_XZ_MB = 50.0
NO_BUNDLE = "skipped: no bundle, run build_scripts/build.py"


def executable(bundle: Path = BUNDLE) -> Path:
    """Return the bundle's executable path."""
    return bundle / ("iris-field.exe" if os.name == "nt" else "iris-field")


def unpacked_bytes(folder: Path) -> int:
    """Return the apparent size of every file in the folder (symlinks counted as links, not targets)."""
    return sum(p.lstat().st_size for p in folder.rglob("*") if p.is_file() or p.is_symlink())


def _archive(bundle: Path) -> Path | None:
    """Return the newest .tar.xz in dist/ that is not older than the bundle, if the build made one."""
    built = executable(bundle).stat().st_mtime
    archives = [p for p in bundle.parent.glob("*.tar.xz") if p.stat().st_mtime >= built - 60]
    return max(archives, key=lambda p: p.stat().st_mtime) if archives else None


def _compress(bundle: Path, folder: Path) -> tuple[Path, str]:
    """Pack the bundle the way build_scripts/build.py does (its own function), else plain xz -9."""
    try:
        from build_scripts.build import make_archive
    except ImportError:
        target = folder / "iris-field.tar.xz"
        with tarfile.open(target, "w:xz", preset=9) as tar:
            tar.add(bundle, arcname=bundle.name)
        return target, "tarfile, xz preset 9"
    return make_archive(
        bundle, folder / "iris-field"
    ), "build_scripts.build.make_archive, as the build packs it"


def frozen_env(home: Path) -> dict[str, str]:
    """Return a clean environment as a botanist's machine has: no venv, no PYTHONPATH, a fresh data folder."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(IRIS_FIELD_HOME=str(home), QT_QPA_PLATFORM="offscreen")
    return env


def _size(name: str, bytes_: int, budget: float) -> Figure:
    mb = bytes_ / 1e6
    return Figure(name, "MB", mb, mb, 1, target=f"≤ {budget:g} MB", met=mb <= budget)


def run(ctx: Context) -> Section:
    """Measure dist/iris-field if it exists; every row says skipped otherwise."""
    exe = executable()
    names = ("unpacked size", "compressed size (tar.xz)", "cold --self-test", "launch → main window shown")
    if not exe.exists():
        units = ("MB", "MB", "s", "s")
        return Section(
            "bundle",
            "5. Frozen bundle",
            tuple(Figure.skip(n, u, NO_BUNDLE) for n, u in zip(names, units, strict=True)),
        )
    figures = [_size(names[0], unpacked_bytes(BUNDLE), TARGET_UNPACKED_MB)]
    notes = [f"Bundle: {BUNDLE.relative_to(PROJECT_ROOT)}; MB = 10^6 bytes."]
    archive = _archive(BUNDLE)
    if archive is None and ctx.quick:
        figures.append(
            Figure.skip(
                names[1], "MB", "skipped: no .tar.xz from the build in dist/, and --quick does not compress"
            )
        )
    else:
        if archive is None:
            archive, how = _compress(BUNDLE, ctx.work)
            notes.append(f"No archive from the build newer than the bundle: packed here with {how}.")
        else:
            notes.append(f"Compressed size of the build's own archive {archive.name}.")
        figures.append(_size(names[1], archive.stat().st_size, TARGET_XZ_MB))

    home = ctx.work / "home-frozen"
    home.mkdir(parents=True, exist_ok=True)
    env = frozen_env(home)
    command = [str(exe), "--self-test"]
    spawn(command, env, ready=None)  # untimed: warms the OS file cache like any second start
    runs = Distribution.of([spawn(command, env, ready=None).exit_s for _ in range(ctx.count(10, 2))])
    figures.append(
        Figure.measured(
            names[2], "s", runs, target=f"≤ {TARGET_SELF_TEST_S:g} s", met=runs.median <= TARGET_SELF_TEST_S
        )
    )
    figures.append(frozen_window_run(ctx, exe, env))
    notes.append(
        "Frozen runs use a clean environment (no venv, no PYTHONPATH, fresh IRIS_FIELD_HOME), offscreen."
    )
    return Section("bundle", "5. Frozen bundle", tuple(figures), tuple(notes))
