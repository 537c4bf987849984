"""Measure every function of the project's packages: its length in lines and its cyclomatic complexity.

The limits (issue 23): no function over 60 lines, none above complexity 15, in ``desktop/``,
``training/`` and ``build_scripts/`` (``*.py`` and PyInstaller's ``*.spec``). Functions that broke a
limit before the rule came are listed in tests/function_size_allowlist.txt with what they measure;
tests/test_function_size.py lets that list only shrink, and keeps it exact. After shortening
functions, write the list again::

    uv run python -m tests.function_size --write     # rewrite the allowlist from the code as it is
    uv run python -m tests.function_size             # check as the test does; count per package

Length is ``end_lineno - lineno + 1`` of the ``def`` (signature, docstring and body; decorators not
counted). Complexity is radon's cyclomatic complexity (the measure issue 23 quotes), counted here from
``ast`` so that no extra package is needed: 1, plus 1 per ``if``, ``elif``, conditional expression,
``for``, ``while``, loop ``else``, ``except`` handler, ``try ... else``, ``assert``, comprehension
``for`` and its ``if`` clauses, ``case`` (but a final ``case _``), and 1 per extra operand of ``and``/``or``
(radon does not look inside an ``assert``'s condition; neither does this).
A nested function or class is measured on its own and adds nothing to the function around it; a
lambda is part of the function that holds it.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("desktop", "training", "build_scripts")
ALLOWLIST = ROOT / "tests" / "function_size_allowlist.txt"
SUFFIXES = ("*.py", "*.spec")  # a PyInstaller spec is Python
MAX_LINES = 60
MAX_COMPLEXITY = 15

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_SCOPES = (*_FUNCTIONS, ast.ClassDef)
_TRIES = (ast.Try, ast.TryStar) if hasattr(ast, "TryStar") else (ast.Try,)  # TryStar: Python 3.11+
_REWRITE = "uv run python -m tests.function_size --write"
_ALLOWLIST_HEADER = f"""\
# Functions that were over a limit (more than {MAX_LINES} lines or complexity above {MAX_COMPLEXITY}) when
# tests/test_function_size.py came (issue 23), with what they measure. This list only shrinks: a new
# long function, a listed one that grew, or a listed one that shrank or is within the limits now but
# still listed as it was fails the test.
# Rewrite it with:  {_REWRITE}
# path::qualname lines complexity
"""


@dataclass(frozen=True)
class Size:
    """How long and how branchy one function is."""

    lines: int
    complexity: int

    def over_limit(self) -> bool:
        """Return whether this breaks either limit."""
        return self.lines > MAX_LINES or self.complexity > MAX_COMPLEXITY

    def grew_beyond(self, before: Size) -> bool:
        """Return whether either measure is larger than ``before``."""
        return self.lines > before.lines or self.complexity > before.complexity


def complexity(function: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Return the cyclomatic complexity of ``function`` (nested functions and classes excluded)."""
    return 1 + sum(_decisions(node) for statement in function.body for node in _own_nodes(statement))


def _own_nodes(node: ast.AST) -> Iterator[ast.AST]:
    """Yield ``node`` and what it holds, but not what a nested function or class or an assert holds."""
    pending = [node]
    while pending:
        current = pending.pop()
        yield current
        if not isinstance(current, (*_SCOPES, ast.Assert)):  # an assert counts once, whatever its condition
            pending.extend(ast.iter_child_nodes(current))


def _decisions(node: ast.AST) -> int:
    """Return how many branches ``node`` itself adds."""
    if isinstance(node, (ast.If, ast.IfExp, ast.Assert)):
        return 1
    if isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
        return 1 + bool(node.orelse)
    if isinstance(node, _TRIES):
        return len(node.handlers) + bool(node.orelse)
    if isinstance(node, ast.BoolOp):
        return len(node.values) - 1
    if isinstance(node, ast.comprehension):
        return 1 + len(node.ifs)
    if isinstance(node, ast.Match):
        wildcard = any(
            isinstance(case.pattern, ast.MatchAs) and case.pattern.pattern is None for case in node.cases
        )
        return max(0, len(node.cases) - wildcard)
    return 0


def functions_in(tree: ast.Module) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """Yield ``(qualname, node)`` for every function in ``tree``, methods and nested functions included."""

    def walk(node: ast.AST, prefix: str) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, _FUNCTIONS):
                qualname = f"{prefix}{child.name}"
                yield qualname, child
                yield from walk(child, f"{qualname}.<locals>.")
            elif isinstance(child, ast.ClassDef):
                yield from walk(child, f"{prefix}{child.name}.")
            else:
                yield from walk(child, prefix)

    yield from walk(tree, "")


def measure_file(path: Path, root: Path = ROOT) -> dict[str, Size]:
    """Return the size of every function in one source file, keyed ``path::qualname``.

    Two definitions with one qualname (a property's getter and setter, a function defined in both
    branches of an ``if``) share a key; the larger of their measures is kept.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    relative = path.relative_to(root).as_posix()
    sizes: dict[str, Size] = {}
    for qualname, node in functions_in(tree):
        key = f"{relative}::{qualname}"
        size = Size(node.end_lineno - node.lineno + 1, complexity(node))
        if key in sizes:
            size = Size(max(size.lines, sizes[key].lines), max(size.complexity, sizes[key].complexity))
        sizes[key] = size
    return sizes


def sources(root: Path = ROOT, packages: Iterable[str] = PACKAGES) -> list[Path]:
    """Return every Python file of the measured packages (PyInstaller's ``.spec`` too), in a stable order."""
    return sorted(
        path for package in packages for pattern in SUFFIXES for path in (root / package).rglob(pattern)
    )


def measure(root: Path = ROOT, packages: Iterable[str] = PACKAGES) -> dict[str, Size]:
    """Return the size of every function in the measured packages, keyed ``path::qualname``."""
    sizes: dict[str, Size] = {}
    for path in sources(root, packages):
        sizes.update(measure_file(path, root))
    return sizes


def offenders(sizes: dict[str, Size]) -> dict[str, Size]:
    """Return the functions over a limit."""
    return {key: size for key, size in sizes.items() if size.over_limit()}


def ratchet_problems(sizes: dict[str, Size], listed: dict[str, Size]) -> list[str]:
    """Return one sentence per breach: a new offender, a listed one that grew, a stale entry or size."""
    problems = []
    for key, size in sorted(sizes.items()):
        before = listed.get(key)
        if before is None and size.over_limit():
            problems.append(
                f"{key} has {size.lines} lines and complexity {size.complexity}: "
                f"the limits are {MAX_LINES} lines and complexity {MAX_COMPLEXITY}; split it into named steps"
            )
        elif before is not None and size.grew_beyond(before):
            problems.append(
                f"{key} grew to {size.lines} lines and complexity {size.complexity} "
                f"(listed at {before.lines} and {before.complexity}); a listed function may only shrink"
            )
        elif before is not None and not size.over_limit():
            problems.append(f"{key} is within the limits now: take it off the allowlist ({_REWRITE})")
        elif before is not None and size != before:
            problems.append(
                f"{key} shrank to {size.lines} lines and complexity {size.complexity} "
                f"(listed at {before.lines} and {before.complexity}): "
                f"list the new size so it cannot grow back ({_REWRITE})"
            )
    for key in sorted(listed.keys() - sizes.keys()):
        problems.append(f"{key} is listed but no longer exists: take it off the allowlist ({_REWRITE})")
    return problems


def changes(before: dict[str, Size], after: dict[str, Size]) -> list[str]:
    """Return what rewriting the allowlist from ``before`` to ``after`` adds, removes and changes."""
    lines = [f"removed {key}" for key in sorted(before.keys() - after.keys())]
    for key, size in sorted(after.items()):
        was = before.get(key)
        if was is None:
            lines.append(f"added   {key} {size.lines} {size.complexity}")
        elif was != size:
            lines.append(f"changed {key} {was.lines} {was.complexity} -> {size.lines} {size.complexity}")
    return lines


def format_allowlist(listed: dict[str, Size]) -> str:
    """Return the allowlist's text for ``listed``: the header, then one sorted line per function."""
    lines = [f"{key} {size.lines} {size.complexity}" for key, size in sorted(listed.items())]
    return _ALLOWLIST_HEADER + "".join(f"{line}\n" for line in lines)


def parse_allowlist(text: str) -> dict[str, Size]:
    """Read the allowlist's lines (``path::qualname lines complexity``); ``#`` starts a comment."""
    listed: dict[str, Size] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        fields = line.split()
        if len(fields) != 3 or "::" not in fields[0] or not (fields[1].isdigit() and fields[2].isdigit()):
            raise ValueError(f"line {number} is not 'path::qualname lines complexity': {raw!r}")
        if fields[0] in listed:
            raise ValueError(f"line {number} lists {fields[0]} a second time")
        listed[fields[0]] = Size(int(fields[1]), int(fields[2]))
    return listed


def summary(sizes: dict[str, Size], packages: Iterable[str] = PACKAGES) -> str:
    """Return per package how many functions there are and how many break each limit."""
    rows = []
    for package in packages:
        mine = [size for key, size in sizes.items() if key.startswith(f"{package}/")]
        long = sum(size.lines > MAX_LINES for size in mine)
        branchy = sum(size.complexity > MAX_COMPLEXITY for size in mine)
        rows.append(
            f"{package}: {len(mine)} functions, {long} over {MAX_LINES} lines, "
            f"{branchy} above complexity {MAX_COMPLEXITY}"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    """Check the functions against the allowlist (exit 1 on a breach), or (``--write``) rewrite the list."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.function_size", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--write", action="store_true", help=f"rewrite {ALLOWLIST.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    sizes = measure()
    over = offenders(sizes)
    listed = parse_allowlist(ALLOWLIST.read_text(encoding="utf-8")) if ALLOWLIST.exists() else {}
    if args.write:
        ALLOWLIST.write_text(format_allowlist(over), encoding="utf-8")
        for line in changes(listed, over):
            print(line)
        print(f"wrote {len(over)} functions to {ALLOWLIST.relative_to(ROOT)}")
        print(summary(sizes))
        return 0
    problems = ratchet_problems(sizes, listed)
    for problem in problems:
        print(problem)
    print(summary(sizes))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
