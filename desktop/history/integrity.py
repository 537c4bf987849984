"""Whether a history file is sound: SQLite's checks, and every record decoding as the app wrote it."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from desktop.history.codec import COLUMNS, decoded_observation
from desktop.history.files import read_only_cause
from desktop.history.salvage import copy_history

# SQLite's primary result codes for "this is not (or no longer) a database".
SQLITE_CORRUPT = 11
_SQLITE_NOTADB = 26


# SQLite's words for a header whose schema format number (bytes 44-47) is beyond the 4 it has written
# since 2006: in a file this program wrote, garbage there.
_UNKNOWN_FORMAT = "unsupported file format"


def is_damage(exc: sqlite3.Error) -> bool:
    """Tell whether SQLite says the file itself is damaged (as opposed to locked, read-only, full…)."""
    code = getattr(exc, "sqlite_errorcode", None)
    text = str(exc).lower()
    if code is not None:
        return code & 0xFF in (SQLITE_CORRUPT, _SQLITE_NOTADB) or (code == 1 and _UNKNOWN_FORMAT in text)
    return "malformed" in text or "not a database" in text or _UNKNOWN_FORMAT in text


# Python's words for a stored text that is not UTF-8 (SQLite never checks text: a damaged page can hold one).
_NOT_UTF8 = "could not decode to utf-8"


def is_unreadable_text(exc: sqlite3.Error) -> bool:
    """Tell whether a read failed on a stored text that is not UTF-8: damage SQLite's checks never see."""
    return _NOT_UTF8 in str(exc).lower()


def damage_error(words: str) -> sqlite3.DatabaseError:
    """Return the "corrupt" error SQLite would raise, saying ``words`` (``is_damage`` is true of it)."""
    error = sqlite3.DatabaseError(f"database disk image is malformed: {words}")
    error.sqlite_errorcode = SQLITE_CORRUPT  # type: ignore[attr-defined]
    return error


def inspect_history(path: Path) -> tuple[int, list[str]]:
    """Check a history without changing it: return (observations, problems found); no problems = sound.

    Runs SQLite's full ``integrity_check`` and decodes every record, as a salvage would.
    """
    if read_only_cause(Path(path)) is not None:
        # SQLite cannot open a logged file read-only where it may not create the -shm index: look at a copy.
        with tempfile.TemporaryDirectory(prefix="iris-field-inspect-") as folder:
            try:
                copy = copy_history(Path(path), Path(folder))
            except OSError as exc:
                return 0, [f"the history {path} cannot be read ({exc.strerror or exc})"]
            return inspect_history(copy)
    try:
        db = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
    except sqlite3.Error as exc:
        return 0, [f"the history {path} cannot be opened ({exc})"]
    try:
        db.row_factory = sqlite3.Row
        problems = [r[0] for r in db.execute("PRAGMA integrity_check").fetchall() if r[0] != "ok"]
        rows = db.execute(f"SELECT {COLUMNS} FROM observations").fetchall()
        undecodable = 0
        for row in rows:
            try:
                decoded_observation(row)
            except (ValueError, TypeError, KeyError):
                undecodable += 1
        if undecodable:
            problems.append(f"{undecodable} record(s) cannot be decoded")
        return len(rows), problems
    except sqlite3.Error as exc:
        return 0, [f"the history {path} cannot be read ({exc})"]
    finally:
        db.close()


# A record is sound when its JSON columns hold what the app wrote: objects of numbers, a list of names.
_UNSOUND_RECORDS = """
    SELECT COUNT(*) FROM observations WHERE NOT (
        json_valid(measurements) AND json_type(measurements) = 'object'
        AND json_valid(probabilities) AND json_type(probabilities) = 'object'
        AND json_valid(unusual) AND json_type(unusual) = 'array'
    )
"""


def check_records(db: sqlite3.Connection) -> None:
    """Raise a "corrupt" ``sqlite3.DatabaseError`` if any stored observation cannot be decoded."""
    bad = db.execute(_UNSOUND_RECORDS).fetchone()[0]
    if bad:
        raise damage_error(f"{bad} undecodable observation(s)")


def check_integrity(db: sqlite3.Connection) -> None:
    """Raise a "corrupt" ``sqlite3.DatabaseError`` unless SQLite's quick check finds the file sound."""
    problems = [row[0] for row in db.execute("PRAGMA quick_check").fetchall()]
    if problems != ["ok"]:
        raise damage_error(problems[0])
