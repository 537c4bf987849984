"""Refuse to release from a tag that is not ``v`` + the project's version (desktop/__init__.py).

    uv run python build_scripts/release_tag.py v0.2.0

The release workflow runs this first on a pushed tag: a ``v0.2.0`` tag on code that says 0.1.0 would
otherwise publish files named 0.1.0 under the release v0.2.0. Exit 0 when they match; otherwise one
sentence on stderr and exit 1.
"""

from __future__ import annotations

import sys

import desktop

TAG_PREFIX = "v"


def expected_tag(version: str = desktop.__version__) -> str:
    """Return the tag that releases ``version``: ``v`` + the version, e.g. ``v0.1.0``."""
    return f"{TAG_PREFIX}{version}"


def tag_problem(tag: str, version: str = desktop.__version__) -> str | None:
    """Return one sentence saying why ``tag`` may not release ``version``, or ``None`` when it may."""
    if tag == expected_tag(version):
        return None
    return (
        f"The tag {tag!r} does not release version {version} (desktop/__init__.py): tag the commit "
        f"{expected_tag(version)!r}, or set __version__ to the tag's version and tag again."
    )


def main(argv: list[str] | None = None) -> int:
    """Check the tag given as the only argument against the project's version."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: release_tag.py TAG", file=sys.stderr)
        return 2
    problem = tag_problem(args[0])
    if problem:
        print(problem, file=sys.stderr)
        return 1
    print(f"tag {args[0]} releases version {desktop.__version__}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
