"""A history whose pages are whole but a few of its records are garbage, repaired in a copy: those rows go.

Garbage can land inside a record and leave every page as SQLite expects it: the record still reads, but
its stored JSON no longer decodes, or a text is no longer UTF-8. No check of SQLite's sees it; the
opening's record check does (``integrity.check_records``), or a read that meets it
(``files.mark_damaged_on_read``). Tried when the page repair found every page whole (``PagesWhole``).
Copying a gigabyte row by row for that takes longer than the 30 s a salvage may take (``salvage``).
Here the file is copied as it is, every row of every table is judged as the page-by-page salvage judges
it (``salvage.SOUND_OBSERVATION``, texts that are UTF-8), in ranges of row ids on two connections at
once, and the rows that fail are deleted:

* their entries in the table's indexes go with them; when a garbled value was indexed, SQLite cannot find
  the entry by it, and the indexes are rebuilt (``REINDEX``) first;
* their words stay in the search index (its delete trigger would need the text they came from): a search
  joins its row ids to the table's, so they never show, and row ids below the largest are never taken
  again. A garbled row with the largest row id makes no repair;
* rows of other tables pointing at a deleted observation go too (``salvage.remove_rows_pointing_nowhere``).

Garbage that hit a record may have hit a page of the search index too, where no other check looks: it is
checked whole (FTS5's ``integrity-check``) meanwhile. Any other damage makes no repair.
"""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from desktop.history.integrity import is_damage
from desktop.history.queries import SEARCH_TABLE
from desktop.history.salvage import (
    SOUND_OBSERVATION,
    TEXT_CHECK,
    register_text_check,
    remove_rows_pointing_nowhere,
    repaired_in_copy,
)

ROWS_JUDGED_AT_ONCE = 8192  # a range of row ids judged in one statement; halved around a failure
MOST_GARBLED_ROWS = 1000  # beyond, the file is read page by page: this is no longer a few records
_SEARCH_DELETE_TRIGGER = "observations_search_delete"
_TABLE_CHECKS = {"observations": SOUND_OBSERVATION}  # a table's own checks beside UTF-8 texts


class NotRecordDamage(Exception):
    """The damage is not a few garbled records this repair can delete: salvage the file page by page."""


@dataclass(frozen=True)
class Judged:
    """How one table's rows are judged: its checks, and its text columns (UTF-8 or the row fails)."""

    table: str
    sound: str
    texts: tuple[str, ...]

    def failing(self) -> str:
        """Return the query for the row ids in a range that fail the table's checks."""
        return f'SELECT rowid FROM "{self.table}" WHERE rowid BETWEEN ? AND ? AND NOT ({self.sound})'

    def texts_read(self) -> str:
        """Return the query that fails when a text in a range of row ids is not UTF-8 (one call a range)."""
        joined = ", ".join(f'group_concat("{c}")' for c in self.texts) or "NULL"
        return f'SELECT {TEXT_CHECK}({joined}) FROM "{self.table}" WHERE rowid BETWEEN ? AND ?'


def repair_records(aside: Path, target: Path) -> tuple[int, int] | None:
    """Write ``aside`` to ``target`` without its garbled rows; return (observations, observations deleted).

    None (``target`` untouched) when the damage is not of that kind. An ``OSError`` (no room for the copy)
    is raised after the copy is removed.
    """
    return repaired_in_copy(aside, target, _repaired, (NotRecordDamage, sqlite3.Error, UnicodeDecodeError))


def _repaired(copy: Path) -> tuple[int, int]:
    """Delete the garbled rows of ``copy``; return (observations left, observations deleted)."""
    db = sqlite3.connect(copy, isolation_level=None)
    try:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        garbled = garbled_rows(copy, db)
        if not any(garbled.values()):
            raise NotRecordDamage("every record reads")
        delete_rows(db, garbled)  # SQLite's own deletes: its check found every page whole, and still does
        observations = int(db.execute("SELECT COUNT(*) FROM observations").fetchone()[0])
    finally:
        db.close()
    return observations, len(garbled.get("observations", []))


def garbled_rows(copy: Path, db: sqlite3.Connection) -> dict[str, list[int]]:
    """Return each table's rows of ``copy`` that do not read as a salvage reads them, by row id.

    ``db`` is a connection to ``copy``. Raises ``NotRecordDamage`` when SQLite finds damage reading them,
    when the search index is damaged, when more than ``MOST_GARBLED_ROWS`` rows are garbled, or when the
    one with the largest row id is (its words would be taken again).
    """
    garbled = _garbled(copy, db, _tables(db))
    if sum(map(len, garbled.values())) > MOST_GARBLED_ROWS:
        raise NotRecordDamage("too many records are garbled")
    return garbled


def _tables(db: sqlite3.Connection) -> list[Judged]:
    """Return how each plain table of the file is judged (the search index's own tables are not)."""
    names = [
        name
        for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%' "
            "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE ?",
            (f"{SEARCH_TABLE}_%",),
        )
    ]
    judged = []
    for name in names:
        texts = tuple(c for _, c, kind, *_ in db.execute(f'PRAGMA table_info("{name}")') if kind == "TEXT")
        judged.append(Judged(name, _TABLE_CHECKS.get(name, "1"), texts))
    return judged


def _garbled(copy: Path, db: sqlite3.Connection, judged: list[Judged]) -> dict[str, list[int]]:
    """Return each table's garbled row ids: the rows judged on two connections, the search index checked.

    The second connection judges the upper third of the observations' row ids and then checks the search
    index (which takes as long as judging a third); this one judges the rest and every other table.
    """
    register_text_check(db)
    low, high = db.execute("SELECT IFNULL(MIN(rowid), 0), IFNULL(MAX(rowid), 0) FROM observations").fetchone()
    middle = low + (high - low) * 2 // 3
    observations = next(j for j in judged if j.table == "observations")
    with ThreadPoolExecutor(max_workers=1) as pool:
        upper = pool.submit(_upper_third, copy, observations, middle + 1, high)
        garbled = {"observations": _failing(db, observations, low, middle)}
        for table in judged:
            if table.table != "observations":
                garbled[table.table] = _failing(db, table, *_bounds(db, table.table))
        garbled["observations"] += upper.result()
    if high and high in garbled["observations"]:
        raise NotRecordDamage("the row with the largest row id is garbled: its words would be taken again")
    return garbled


def _upper_third(copy: Path, observations: Judged, low: int, high: int) -> list[int]:
    """Judge the observations from ``low`` to ``high`` and check the search index, on a connection."""
    db = sqlite3.connect(copy, isolation_level=None, check_same_thread=False)
    try:
        register_text_check(db)
        failing = _failing(db, observations, low, high)
        try:
            db.execute(f"INSERT INTO {SEARCH_TABLE} ({SEARCH_TABLE}) VALUES ('integrity-check')")
        except sqlite3.DatabaseError as exc:
            raise NotRecordDamage(f"the search index is damaged too ({exc})") from exc
        return failing
    finally:
        db.close()


def _bounds(db: sqlite3.Connection, table: str) -> tuple[int, int]:
    low, high = db.execute(f'SELECT IFNULL(MIN(rowid), 0), IFNULL(MAX(rowid), -1) FROM "{table}"').fetchone()
    return int(low), int(high)


def _failing(db: sqlite3.Connection, table: Judged, low: int, high: int) -> list[int]:
    """Return the row ids from ``low`` to ``high`` that fail ``table``'s checks, a range at a time."""
    failing: list[int] = []
    for start in range(low, high + 1, ROWS_JUDGED_AT_ONCE):
        failing += _failing_in(db, table, start, min(start + ROWS_JUDGED_AT_ONCE - 1, high))
        if len(failing) > MOST_GARBLED_ROWS:
            raise NotRecordDamage("too many records are garbled")
    return failing


def _failing_in(db: sqlite3.Connection, table: Judged, low: int, high: int) -> list[int]:
    """Return the failing row ids of one range; halve it around a row no statement can judge.

    A stored JSON that is no JSON at all makes ``json_each`` fail the statement, a text that is not UTF-8
    makes the text check fail it: judged alone, such a row fails. Damage SQLite finds is not for here.
    """
    try:
        failing = [rowid for (rowid,) in db.execute(table.failing(), (low, high))]
        db.execute(table.texts_read(), (low, high)).fetchone()
        return failing
    except sqlite3.DatabaseError as exc:
        if is_damage(exc):
            raise NotRecordDamage(f"SQLite finds damage reading the rows ({exc})") from exc
        if low == high:
            return (
                [low]
                if db.execute(f'SELECT 1 FROM "{table.table}" WHERE rowid = ?', (low,)).fetchone()
                else []
            )
        middle = (low + high) // 2
        return _failing_in(db, table, low, middle) + _failing_in(db, table, middle + 1, high)


def delete_rows(db: sqlite3.Connection, garbled: dict[str, list[int]]) -> None:
    """Delete the garbled rows in one transaction, their indexes rebuilt first when SQLite asks for it."""
    trigger = db.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (_SEARCH_DELETE_TRIGGER,)
    ).fetchone()
    for rebuilt in (False, True):
        db.execute("BEGIN IMMEDIATE")
        try:
            if trigger:
                db.execute(f"DROP TRIGGER {_SEARCH_DELETE_TRIGGER}")
            for table, rowids in garbled.items():
                if rebuilt and rowids:
                    db.execute(f'REINDEX "{table}"')
                db.executemany(f'DELETE FROM "{table}" WHERE rowid = ?', [(r,) for r in rowids])
            remove_rows_pointing_nowhere(db)
            if trigger:
                db.execute(trigger[0])
            db.execute("COMMIT")
            return
        except sqlite3.DatabaseError as exc:
            db.execute("ROLLBACK")
            if rebuilt or not is_damage(exc):
                raise
