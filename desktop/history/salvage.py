"""Salvage a damaged history: every readable observation into a fresh file, the damaged one kept beside it.

Damage of any kind ends here: a bad page, a record whose stored JSON is garbage, a truncated file, a wiped
header, a file that is no database at all. The damaged file (and its -wal/-shm) is renamed aside untouched
and read page by page (``desktop.history.sqlite_pages``): memory stays a few hundred pages whatever
the damage, and a damaged page costs the rows on it, not the rows after it. The records themselves are
decoded by SQLite: sound leaf pages are handed to it a few hundred at a time as a small database of their
own (``desktop.history.sqlite_image``), only a damaged or spilling page is read cell by cell in Python;
``desktop.history.row_copy`` judges the pages on one thread and copies their rows on another.
A record beside the history (``.salvage.json``) says a salvage began, and what it found once it finished:
one that did not finish is taken up again at the next start, and one that found nothing is said at every
start, until the damaged file is moved away.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from desktop.atomic_file import atomic_text_writer
from desktop.history.files import COMPANION_SUFFIXES, REPAIRING_SUFFIX, put_in_place, remove_with_companions
from desktop.history.observation import SYNC_STATES
from desktop.history.sqlite_image import TABLE as IMAGE_TABLE
from desktop.history.sqlite_pages import PageFile, PageWalker, Walk, record_width
from desktop.paths import corrupt_aside_path

RECORD_SUFFIX = ".salvage.json"
T = TypeVar("T")


@dataclass(frozen=True)
class SalvageReport:
    """What a salvage achieved: observations recovered, observations lost, where the damaged file is."""

    recovered: int
    lost: int | None  # None when not even a count could be read
    aside: Path

    def sentence(self) -> str:
        """Return the one sentence the botanist reads."""
        if not self.recovered:
            return (
                f"no observation could be recovered from a damaged history; the original is kept as "
                f"{self.aside} (this is said at every start until that file is moved away)"
            )
        lost = (
            "an unknown number could not be read"
            if self.lost is None
            else f"{self.lost} could not be read"
            if self.lost
            else "none was lost"
        )
        were = "observation was" if self.recovered == 1 else "observations were"
        return (
            f"{self.recovered} {were} recovered from a damaged history ({lost}); the original is kept as "
            f"{self.aside}"
        )


# ----------------------------------------------------------------- the record beside the history
def _record_path(path: Path) -> Path:
    return path.with_name(path.name + RECORD_SUFFIX)


def begin_record(path: Path, aside: Path) -> None:
    """Note that a salvage from ``aside`` began (a crash before it finished is taken up at the next start)."""
    with atomic_text_writer(_record_path(path)) as out:
        json.dump({"aside": aside.name, "finished": False}, out)


def finish_record(path: Path, report: SalvageReport) -> None:
    """Note what a finished salvage found; forget it when it recovered something (that is said once)."""
    if report.recovered:
        _record_path(path).unlink(missing_ok=True)
        return
    with atomic_text_writer(_record_path(path)) as out:
        json.dump({"aside": report.aside.name, "finished": True, "recovered": 0, "lost": report.lost}, out)


def standing_salvage(path: Path) -> tuple[Path, SalvageReport | None] | None:
    """Return a salvage still to be told or finished: (damaged file, report if it finished), else None.

    Once the damaged file is moved away the record is forgotten: the user has dealt with it.
    """
    record = _record_path(path)
    try:
        facts = json.loads(record.read_text(encoding="utf-8"))
        aside = path.with_name(Path(str(facts["aside"])).name)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        return None  # an unreadable record says nothing; the damaged file is still beside the history
    if not aside.exists():
        with contextlib.suppress(OSError):
            record.unlink()
        return None
    if not facts.get("finished"):
        return aside, None
    lost = facts.get("lost")
    return aside, SalvageReport(0, lost if isinstance(lost, int) else None, aside)


def move_aside(path: Path) -> Path:
    """Rename the damaged file and its -wal/-shm aside (never replayed into a new history); return it."""
    aside = corrupt_aside_path(path)
    os.replace(path, aside)
    for suffix in COMPANION_SUFFIXES:
        with contextlib.suppress(FileNotFoundError):
            os.replace(path.with_name(path.name + suffix), aside.with_name(aside.name + suffix))
    return aside


def copy_history(path: Path, folder: Path) -> Path:
    """Copy a history file and its write-ahead log (never the -shm index) into ``folder``; return the copy."""
    copy = folder / path.name
    copy_with_log(path, copy)
    return copy


def copy_with_log(path: Path, copy: Path) -> None:
    """Copy a history file to ``copy``, and its write-ahead log beside it (never the -shm index)."""
    shutil.copyfile(path, copy)
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))


def repaired_in_copy(
    aside: Path, target: Path, repair: Callable[[Path], T], refusals: tuple[type[Exception], ...]
) -> T | None:
    """Copy ``aside`` beside ``target``, ``repair`` the copy and put it in place; None if repair refuses.

    A refusal (one of ``refusals``: not the damage this repair takes on) or any other exception removes
    the copy and leaves ``target`` untouched; ``aside`` is never changed.
    """
    copy = target.with_name(target.name + REPAIRING_SUFFIX)
    remove_with_companions(copy)
    try:
        copy_with_log(aside, copy)
        result = repair(copy)
    except refusals:
        remove_with_companions(copy)
        return None
    except BaseException:
        remove_with_companions(copy)
        raise
    put_in_place(copy, target)
    return result


# ----------------------------------------------------------------- reading the damaged file
@dataclass(frozen=True)
class TableShape:
    """A table of the damaged file: where its tree starts, its columns and their defaults."""

    name: str
    root: int | None  # None when the schema page was lost: its rows are found as orphans only
    columns: tuple[str, ...]
    defaults: tuple[object, ...]
    rowid_column: str | None  # an INTEGER PRIMARY KEY stores NULL in the record: the row id is its value
    indexes: tuple[int, ...] = ()  # roots of its indexes (their entries end with the row id)
    default_sql: tuple[str | None, ...] = ()  # each column's DEFAULT as SQL (records older than a column)

    def image_sql(self) -> str:
        """Return the CREATE statement of an image's table: these columns, defaults, no other constraint."""
        columns = []
        for i, column in enumerate(self.columns):
            default = self.default_sql[i] if i < len(self.default_sql) else None
            kind = " INTEGER PRIMARY KEY" if column == self.rowid_column else ""
            columns.append(f'"{column}"{kind}' + (f" DEFAULT {default}" if default is not None else ""))
        return f"CREATE TABLE {IMAGE_TABLE} ({', '.join(columns)})"

    def row(self, rowid: int | None, values: tuple[object, ...]) -> dict[str, object] | None:
        """Return the record as column -> value (later columns take their defaults); None if it cannot be."""
        if len(values) > len(self.columns):
            return None
        row = dict(zip(self.columns, values + self.defaults[len(values) :], strict=True))
        if self.rowid_column is not None and row[self.rowid_column] is None:
            row[self.rowid_column] = rowid
        return row


def table_shapes(schema: Iterable[tuple[str, str, str, int | None, str]]) -> dict[str, TableShape]:
    """Return the plain tables of a schema (type, name, table, root, sql), built in memory to read them."""
    memory = sqlite3.connect(":memory:")
    try:
        entries = list(schema)
        virtual = {
            n for t, n, _, _, sql in entries if t == "table" and sql.upper().startswith("CREATE VIRTUAL")
        }
        shapes: dict[str, TableShape] = {}
        for kind, name, _table, root, sql in entries:
            if kind != "table" or name in virtual or any(name.startswith(f"{v}_") for v in virtual):
                continue
            if name.startswith("sqlite_") or "WITHOUT ROWID" in sql.upper():
                continue
            with contextlib.suppress(sqlite3.Error):
                memory.execute(sql)
                shapes[name] = _shape(memory, name, root)
        for kind, _name, table, root, _sql in entries:
            if kind == "index" and table in shapes and root:
                shape = shapes[table]
                shapes[table] = TableShape(**{**shape.__dict__, "indexes": (*shape.indexes, root)})
        return shapes
    finally:
        memory.close()


def _shape(memory: sqlite3.Connection, name: str, root: int | None) -> TableShape:
    info = memory.execute(f'PRAGMA table_info("{name}")').fetchall()
    defaults = tuple(
        memory.execute(f"SELECT {default}").fetchone()[0] if default is not None else None
        for _, _, _, _, default, _ in info
    )
    keys = [(column, kind) for _, column, kind, _, _, pk in info if pk]
    alias = keys[0][0] if len(keys) == 1 and keys[0][1].upper() == "INTEGER" else None
    default_sql = tuple(default for _, _, _, _, default, _ in info)
    return TableShape(name, root, tuple(c for _, c, *_ in info), defaults, alias, default_sql=default_sql)


@dataclass
class TableReading:
    """What reading one table found: how many rows it held, when that can be known."""

    walked: int = 0  # records reached from the table's root
    walk: Walk = field(default_factory=Walk)
    indexed: int | None = None  # entries of one of its indexes read whole: one per row


class DamagedHistory:
    """The damaged file, read page by page: each table's rows, then the rows no table's tree reached."""

    def __init__(self, path: Path, fallback_schema: list[tuple[str, str, str, int | None, str]]):
        """Open ``path`` read-only; ``fallback_schema`` names the tables when its own schema is lost."""
        self.pages = PageFile(path)
        self.walker = PageWalker(self.pages)
        schema = self._schema()
        known = table_shapes(schema) if schema else {}
        self._unread = [
            root for _, name, table, root, _ in schema if root and known.keys().isdisjoint((name, table))
        ]
        # Tables the file's schema lost are still recognised by their shape (found as orphans); a table
        # whose columns are not where this app's are (a damaged CREATE statement: older files only lack
        # the columns added since, at the end) is read with this app's columns.
        for name, shape in table_shapes(fallback_schema).items():
            own = known.get(name)
            if own is None:
                known[name] = TableShape(**{**shape.__dict__, "root": None, "indexes": ()})
            elif own.columns != shape.columns[: len(own.columns)]:
                known[name] = TableShape(**{**shape.__dict__, "root": own.root, "indexes": own.indexes})
        self.tables = known
        self.restart()

    def restart(self) -> None:
        """Forget what was read (to read the file again from the start); the schema is kept."""
        self.walker = PageWalker(self.pages)
        for root in self._unread:
            self.walker.claim(root)  # the search index and its kin: rebuilt, never read
        self.readings = {name: TableReading() for name in self.tables}

    def close(self) -> None:
        """Close the damaged file."""
        self.pages.close()

    def __enter__(self) -> DamagedHistory:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def header_rebuilt(self) -> bool:
        """Tell whether the file's header was wiped and its layout worked out from the pages."""
        return self.pages.shape.header_rebuilt

    def _schema(self) -> list[tuple[str, str, str, int | None, str]]:
        entries = []
        for _, values in self.walker.records(1, Walk()):
            if len(values) == 5 and all(isinstance(v, str) for v in (*values[:3], values[4] or "")):
                root = values[3] if isinstance(values[3], int) else None
                entries.append((values[0], values[1], values[2], root, values[4] or ""))
        return entries

    def leaf_pages(self, table: str) -> Iterator[tuple[int, bytes]]:
        """Yield (number, page) of every table leaf page reached from ``table``'s root, in row order."""
        shape, reading = self.tables.get(table), self.readings.get(table)
        if shape is None or reading is None or shape.root is None:
            if reading is not None:
                reading.walk.damaged = True
            return
        for number, data in self.walker.leaves(shape.root, reading.walk):
            reading.walked += int.from_bytes(data[3:5], "big")
            yield number, data

    def count_rows(self, table: str) -> None:
        """When ``table``'s tree was damaged, count its rows by an index read whole (an entry a row).

        Only the index pages' headers are read; called once the table's pages were all copied (a record
        found damaged while copying counts too).
        """
        shape, reading = self.tables[table], self.readings[table]
        if not reading.walk.damaged:
            return
        for root in shape.indexes:
            walk = Walk()
            entries = self.walker.count(root, walk)
            if not walk.damaged:
                reading.indexed = max(reading.indexed or 0, entries)

    def orphan_pages(self) -> Iterator[tuple[str, int, bytes]]:
        """Yield (table, number, page) of the leaf pages no tree reached, told by their records' width."""
        counts = {name: len(shape.columns) for name, shape in self.tables.items()}
        usable = self.pages.shape.usable
        tables: dict[int | None, str | None] = {None: None}  # records of a width belong to one table
        for number, data in self.walker.orphan_leaves():
            width = record_width(data, usable)
            if width not in tables:
                tables[width] = _table_of(width, counts)
            table = tables[width]
            if table is not None:
                yield table, number, data

    def page_rows(self, table: str, number: int) -> Iterator[dict[str, object]]:
        """Yield the readable rows of one leaf page of ``table``, decoded cell by cell (any damage)."""
        shape, walk = self.tables[table], self.readings[table].walk
        for rowid, values in self.walker.page_records(number, walk):
            row = shape.row(rowid, values)
            if row is not None:
                yield row

    def lost(self, table: str, recovered: int) -> int | None:
        """Return how many rows of ``table`` were not recovered (None if its size cannot be known)."""
        reading = self.readings[table]
        total = reading.walked if not reading.walk.damaged else reading.indexed
        return None if total is None else max(total - recovered, 0)


def _table_of(count: int, columns: dict[str, int]) -> str | None:
    """Return the one table a record of ``count`` values belongs to (same columns, or more than any other)."""
    exact = [name for name, n in columns.items() if n == count]
    if len(exact) == 1:
        return exact[0]
    wider = [name for name, n in columns.items() if n > count]
    if not exact and len(wider) == 1 and all(n < count for name, n in columns.items() if name not in wider):
        return wider[0]  # columns added later (ALTER TABLE) are missing from older records
    return None


# ----------------------------------------------------------------- what a sound record is
# SQL function taking a row's texts: Python's sqlite3 cannot hand it a text that is not valid UTF-8, and
# the statement fails (SQLite never checks): the image is split, its damaged leaf read cell by cell
# (``desktop.history.row_copy``).
TEXT_CHECK = "iris_field_texts"
# An observation decodes strictly (as the store reads it): JSON objects of numbers, a list of names, a
# known sync state; the judgement of ``codec.decoded_observation``, made by SQLite for every row (the
# cheap tests first: a JSON text that starts with "{" is an object). A text that is no JSON at all makes
# json_each fail the statement (half the cost of asking json_valid first): like a text that is not
# UTF-8, the rows are then judged in smaller groups until the one that fails is alone, and left out.
_KNOWN_STATES = "(" + ", ".join(f"'{state}'" for state in SYNC_STATES) + ")"
SOUND_OBSERVATION = f"""
    typeof(confidence) IN ('integer', 'real') AND sync_state IN {_KNOWN_STATES}
    AND typeof(measurements) = 'text' AND typeof(probabilities) = 'text' AND typeof(unusual) = 'text'
    AND substr(measurements, 1, 1) = '{{' AND substr(probabilities, 1, 1) = '{{'
    AND substr(unusual, 1, 1) = '['
    AND measurements != '{{}}'
    AND NOT EXISTS (SELECT 1 FROM json_each(measurements) WHERE type NOT IN ('integer', 'real'))
    AND NOT EXISTS (SELECT 1 FROM json_each(probabilities) WHERE type NOT IN ('integer', 'real'))
    AND (unusual = '[]' OR NOT EXISTS (SELECT 1 FROM json_each(unusual) WHERE type != 'text'))
"""


def texts_read(*_texts: object) -> int:
    """Return 1: reaching here means every text was valid UTF-8."""
    return 1


def register_text_check(db: sqlite3.Connection) -> None:
    """Give ``db`` the SQL function ``TEXT_CHECK``: a statement passing it a text that is not UTF-8 fails."""
    db.create_function(TEXT_CHECK, -1, texts_read, deterministic=True)


def remove_rows_pointing_nowhere(db: sqlite3.Connection) -> None:
    """Delete the rows whose foreign key names a row that is gone (an observation that was not recovered)."""
    for table, rowid, _parent, _key in db.execute("PRAGMA foreign_key_check").fetchall():
        db.execute(f'DELETE FROM "{table}" WHERE rowid = ?', (rowid,))
