"""The history file's schema steps, from every package that keeps tables in it, run in order.

One file holds the observations and the tables of the packages that work on them (the sync's outbox and
lease). Each package declares its own steps and registers them here; the history runs them all, in the
order of their numbers, whenever it opens a file. PRAGMA user_version holds how many have run, as it
always has, so every history written before the steps were split opens as it did.

Numbers are shared by every owner: a new step takes the next free number, and a step that has shipped
never changes. A package that keeps tables in the file registers its steps when it is imported
(``desktop/sync/__init__.py`` does); a history that needs a step nobody registered is refused with
``MissingSchemaStep``, a wiring mistake of the program, never a problem of the file.
"""

from __future__ import annotations

import functools
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from desktop.errors import StoreError, StoreProblem
from desktop.history.schema import HISTORY_STEPS, OTHER_OWNERS


@dataclass(frozen=True)
class SchemaStep:
    """One step of the history file's schema: its number (user_version once it ran), owner and SQL."""

    number: int
    owner: str
    sql: str


class MissingSchemaStep(RuntimeError):
    """A history needs a schema step that no package of this program registered (a wiring mistake)."""


HISTORY = "history"
_STEPS: dict[int, SchemaStep] = {n: SchemaStep(n, HISTORY, sql) for n, sql in HISTORY_STEPS.items()}


def register_steps(owner: str, steps: dict[int, str]) -> None:
    """Add ``owner``'s schema steps by number; registering the very same steps again changes nothing.

    A number another owner holds, or the same number with other SQL, is refused with ``ValueError``.
    """
    for number, sql in steps.items():
        step = SchemaStep(number, owner, sql)
        known = _STEPS.get(number)
        if known is not None and known != step:
            raise ValueError(f"schema step {number} is {known.owner}'s; {owner} cannot register another")
    _STEPS.update((number, SchemaStep(number, owner, sql)) for number, sql in steps.items())


def known_version() -> int:
    """Return the newest schema step this program knows (the user_version a fully migrated file has)."""
    return max(_STEPS)


def schema_steps() -> list[SchemaStep]:
    """Return every step from 1 to ``known_version()`` in order; raise ``MissingSchemaStep`` on a gap."""
    return [_step(number) for number in range(1, known_version() + 1)]


def _step(number: int) -> SchemaStep:
    step = _STEPS.get(number)
    if step is None:
        owner = OTHER_OWNERS.get(number, "a package this program does not load")
        raise MissingSchemaStep(
            f"schema step {number} of the history belongs to {owner}, which registered no steps here; "
            "import it before opening a history"
        )
    return step


def steps_behind(path: Path) -> int:
    """Return how many schema steps an existing history still has to run (0 for none or a new file)."""
    if not Path(path).is_file():
        return 0
    try:
        db = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
        try:
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
        finally:
            db.close()
    except sqlite3.Error:
        return 0  # opening it says what is wrong, in words
    return max(known_version() - version, 0)


def migrate(db: sqlite3.Connection, path: Path) -> None:
    """Bring the schema up to ``known_version()``, one transaction per step."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    known = known_version()
    if version > known:
        raise StoreError(
            f"the observation history {path} was written by a newer version of Iris Field "
            f"(schema {version}, this version knows {known}); please update the app",
            StoreProblem.NEWER_SCHEMA,
            path=path,
            version=version,
            known=known,
        )
    for step in [_step(number) for number in range(version + 1, known + 1)]:  # all known before the first
        # executescript commits anything pending first, then runs the whole step; the step and its
        # version bump commit together, so a crash mid-migration leaves the previous version intact.
        try:
            db.executescript(f"BEGIN IMMEDIATE;\n{step.sql}\nPRAGMA user_version = {step.number};\nCOMMIT;")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise


def check_columns(db: sqlite3.Connection) -> None:
    """Raise ``sqlite3.DatabaseError`` (damage) unless every table has the columns the known steps make.

    Damage inside a table's CREATE statement that still reads as SQL (a column's name changed by a flipped
    byte) passes SQLite's checks, and every query naming that column would fail: such a file is damaged.
    """
    for table, columns in _columns_made(known_version()).items():
        found = {row[1] for row in db.execute(f'PRAGMA main.table_info("{table}")')}
        missing = sorted(columns - found)
        if missing:
            raise sqlite3.DatabaseError(
                f"database disk image is malformed (the table {table} lacks {', '.join(missing)})"
            )


@functools.cache
def _columns_made(version: int) -> dict[str, frozenset[str]]:
    """Return each plain table's columns once the steps up to ``version`` ran (worked out in memory)."""
    memory = sqlite3.connect(":memory:")
    try:
        for step in schema_steps()[:version]:
            memory.executescript(step.sql)
        tables = [
            name
            for name, sql in memory.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
            if not str(sql).upper().startswith("CREATE VIRTUAL") and not name.startswith("sqlite_")
        ]
        return {t: frozenset(row[1] for row in memory.execute(f'PRAGMA table_info("{t}")')) for t in tables}
    finally:
        memory.close()
