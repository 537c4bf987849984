"""Notarize a macOS app or disk image with Apple, staple the ticket to it, and show Apple's log if refused.

    uv run python build_scripts/notarize.py "dist/Iris Field.app"
    uv run python build_scripts/notarize.py dist/iris-field-0.3.0-macos-arm64.dmg

Reads APPLE_ID, APPLE_TEAM_ID and APPLE_APP_PASSWORD (an app-specific password) from the
environment. An app goes to Apple as a zip made by ditto (which keeps its links and signatures) and
the ticket is stapled to the app itself, so it opens offline on its first start; a disk image goes
as it is. On a refusal, `notarytool log` says which file failed and why.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ACCEPTED = "Accepted"
CREDENTIALS = ("APPLE_ID", "APPLE_TEAM_ID", "APPLE_APP_PASSWORD")


class NotarizationError(Exception):
    """Apple did not notarize the file, or the ticket could not be stapled; the message says why."""


@dataclass(frozen=True)
class Submission:
    """Apple's answer to one submission: its id, status (Accepted, Invalid, Rejected) and message."""

    id: str
    status: str
    message: str


def _credentials() -> list[str]:
    missing = [name for name in CREDENTIALS if not os.environ.get(name)]
    if missing:
        raise NotarizationError(f"set {', '.join(missing)} to notarize")
    return [
        "--apple-id",
        os.environ["APPLE_ID"],
        "--team-id",
        os.environ["APPLE_TEAM_ID"],
        "--password",
        os.environ["APPLE_APP_PASSWORD"],
    ]


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, check=False)


def submit(upload: Path) -> Submission:
    """Send ``upload`` to Apple's notary service and wait for its verdict."""
    result = _run(
        "xcrun", "notarytool", "submit", str(upload), *_credentials(), "--wait", "--output-format", "json"
    )
    try:
        answer = json.loads(result.stdout)
    except json.JSONDecodeError as exc:
        raise NotarizationError(
            f"notarytool gave no answer (exit {result.returncode}): {result.stderr.strip()}"
        ) from exc
    return Submission(answer.get("id", ""), answer.get("status", "unknown"), answer.get("message", ""))


def notary_log(submission: Submission) -> str:
    """Return Apple's log of a submission: which file was refused, and why."""
    result = _run("xcrun", "notarytool", "log", submission.id, *_credentials())
    return result.stdout + result.stderr


def staple(path: Path) -> None:
    """Attach the notarization ticket to ``path`` and check it is there."""
    for action in ("staple", "validate"):
        result = _run("xcrun", "stapler", action, str(path))
        if result.returncode != 0:
            raise NotarizationError(
                f"stapler {action} failed for {path}: {(result.stdout + result.stderr).strip()}"
            )


def notarize(path: Path) -> Submission:
    """Notarize ``path`` (an .app or a .dmg) and staple the ticket to it; NotarizationError if refused."""
    if not path.exists():
        raise NotarizationError(f"there is nothing to notarize at {path}")
    with tempfile.TemporaryDirectory() as scratch:
        upload = path
        if path.suffix == ".app":
            upload = Path(scratch) / f"{path.stem}.zip"
            zipped = _run("ditto", "-c", "-k", "--keepParent", str(path), str(upload))
            if zipped.returncode != 0:
                raise NotarizationError(f"ditto could not zip {path}: {zipped.stderr.strip()}")
        submission = submit(upload)
    if submission.status != ACCEPTED:
        print(notary_log(submission))
        raise NotarizationError(
            f"Apple did not notarize {path.name}: {submission.status} ({submission.message}); "
            "its log is above"
        )
    staple(path)
    return submission


def main(argv: list[str] | None = None) -> int:
    """Notarize and staple each path given; one line on stderr and exit 1 on the first failure."""
    paths = [Path(arg) for arg in (sys.argv[1:] if argv is None else argv)]
    if not paths:
        print("usage: notarize.py APP_OR_DMG...", file=sys.stderr)
        return 2
    try:
        for path in paths:
            submission = notarize(path)
            print(f"notarized and stapled {path} (submission {submission.id})")
    except NotarizationError as exc:
        print(f"notarize.py: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
