"""Collect the test suite as Windows would: the Unix-only modules cannot be imported by the project's code.

The release workflow runs the frozen smoke test on a Windows runner, where ``pytest`` first imports
tests/conftest.py and every module it imports. Windows has no ``pwd``, ``grp``, ``fcntl``, ``termios``
or ``resource``; a module-level import of one of them in the project's code stops pytest there (exit 4)
and no installer is made. Here (Linux) the same collection runs with those imports refused to every
module under the project folder, so such an import fails CI instead of the first tag::

    uv run python -m tests.windows_collection            # the whole suite, as configured in pyproject.toml
    uv run python -m tests.windows_collection --project DIR -- PYTEST_ARGS...

Third-party and standard-library modules may still import them (they pick their own Windows path);
an import inside a function is refused only if collection calls that function.
"""

from __future__ import annotations

import argparse
import builtins
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

WINDOWS_LACKS = frozenset({"pwd", "grp", "fcntl", "termios", "resource"})
ROOT = Path(__file__).resolve().parents[1]
THIRD_PARTY_FOLDERS = frozenset({".venv", "site-packages", "dist-packages"})


class UnixOnlyImport(ModuleNotFoundError):
    """The project imported a module that Windows does not have."""


def is_project_file(filename: str | None, project: Path) -> bool:
    """Return whether ``filename`` is the project's own code (under ``project``, not an installed package)."""
    if not filename:
        return False
    path = Path(filename).resolve()
    return path.is_relative_to(project) and not THIRD_PARTY_FOLDERS.intersection(path.parts)


@contextmanager
def unix_only_modules_refused(project: Path) -> Iterator[list[str]]:
    """Refuse ``import pwd`` (and the others Windows lacks) to the project's modules; yield the refusals."""
    refused: list[str] = []
    original: Callable[..., object] = builtins.__import__

    def guarded_import(name, globals=None, locals=None, fromlist=(), level=0):
        importer = (globals or {}).get("__file__")
        if level == 0 and name.partition(".")[0] in WINDOWS_LACKS and is_project_file(importer, project):
            where = Path(importer).resolve().relative_to(project)
            refused.append(f"{where} imports {name}")
            raise UnixOnlyImport(
                f"No module named {name!r}: Windows has none. {where} must import it where it is used, "
                "not at module level",
                name=name,
            )
        return original(name, globals, locals, fromlist, level)

    builtins.__import__ = guarded_import
    try:
        yield refused
    finally:
        builtins.__import__ = original


def collect_as_on_windows(project: Path, pytest_args: Sequence[str]) -> int:
    """Run ``pytest --collect-only`` with the Unix-only modules refused; return pytest's exit code."""
    with unix_only_modules_refused(project) as refused:
        code = int(pytest.main(["--collect-only", "-q", "-p", "no:cacheprovider", *pytest_args]))
    if refused:
        print("\nWindows would stop here. Module-level imports of modules Windows lacks:", file=sys.stderr)
        for line in dict.fromkeys(refused):
            print(f"  {line}", file=sys.stderr)
        return code or 1
    if code != 0:
        print(f"\nCollection failed (pytest exit {code}).", file=sys.stderr)
    else:
        print(f"Every test module imports without {', '.join(sorted(WINDOWS_LACKS))}.")
    return code


def main(argv: Sequence[str] | None = None) -> int:
    """Collect the suite (or the given pytest arguments) as on Windows; exit non-zero if it would fail."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, default=ROOT, help="folder whose modules may not import them")
    parser.add_argument("pytest_args", nargs="*", help="passed to pytest (after --)")
    args = parser.parse_args(argv)
    return collect_as_on_windows(args.project.resolve(), args.pytest_args)


if __name__ == "__main__":
    sys.exit(main())
