"""Read tables of flower measurements the one way both ``predict --csv`` and ``iris-train --data`` use.

The rules, in one place: a typed number is taken exactly or refused (decimal point or comma, nothing
else); a column is found by the app's English or German label, its code name, or the R and UCI forms,
whatever the case and punctuation; a unit in a header is converted to the model's unit or refused; a file
that is not UTF-8 is read as Windows-1252 and the reader is told so.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from contract import observation as fields
from desktop.errors import InputError

# A measurement as people type it: digits with at most one decimal point or comma, an optional sign.
# No thousands separators, no exponent, no underscores (Python's float() reads "1_5" as 15).
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)")
_MISSING = ("", "na", "nan", "null", "none", "-")  # how spreadsheets and R write an empty cell
_MINUS_SIGNS = "\u2212\u2012\u2013"  # what word processors put in place of "-"

# Centimetres per unit named in a header.
UNIT_FACTORS: dict[str, float] = {
    "cm": 1.0,
    "centimeter": 1.0,
    "centimetre": 1.0,
    "zentimeter": 1.0,
    "mm": 0.1,
    "millimeter": 0.1,
    "millimetre": 0.1,
    "m": 100.0,
    "in": 2.54,
    "inch": 2.54,
    "inches": 2.54,
    "zoll": 2.54,
}
MODEL_UNIT = "cm"
# Decimals a converted value keeps (a micrometre): 2.01 in is saved as 5.1054 cm, not 5.105399999999999.
CONVERTED_DECIMALS = 4

# The app's own German labels (assets/translations/iris_field_de.ts; a test keeps them equal) and the
# German spellings of the optional columns.
GERMAN_FEATURE_LABELS: dict[str, str] = {
    "Sepal length": "Kelchblattlänge",
    "Sepal width": "Kelchblattbreite",
    "Petal length": "Kronblattlänge",
    "Petal width": "Kronblattbreite",
}


class TextColumn(StrEnum):
    """Columns besides the measurements that a table may carry."""

    SPECIES = "species"
    NOTE = fields.NOTE.name  # the observation's fields, as the contract names them
    LOCATION = fields.LOCATION.name
    LATITUDE = fields.LATITUDE.name
    LONGITUDE = fields.LONGITUDE.name
    OBSERVER = fields.OBSERVER.name
    OBSERVED_AT = fields.OBSERVED_AT.name
    CONFIRMED_SPECIES = fields.CONFIRMED_SPECIES.name


_TEXT_COLUMNS = frozenset(c.value for c in TextColumn)
# Header spellings of each text column besides its own name (compared after `header_key`).
_OTHER_NAMES: dict[TextColumn, tuple[str, ...]] = {
    TextColumn.SPECIES: ("class", "variety", "art", "spezies", "sorte"),
    TextColumn.NOTE: ("notes", "notiz", "bemerkung", "kommentar", "comment"),
    TextColumn.LOCATION: ("place", "ort", "fundort", "standort"),
    TextColumn.LATITUDE: ("lat", "decimallatitude", "breitengrad"),
    TextColumn.LONGITUDE: ("lon", "lng", "long", "decimallongitude", "laengengrad"),
    TextColumn.OBSERVER: ("beobachter", "beobachterin"),
    TextColumn.OBSERVED_AT: ("observed", "time", "date", "beobachtet_am", "datum", "zeit"),
    TextColumn.CONFIRMED_SPECIES: ("confirmed", "bestaetigte_art", "bestaetigt"),
}
_TEXT_COLUMN_NAMES = {column: (column.value, *others) for column, others in _OTHER_NAMES.items()}


class MeasurementSpec(Protocol):
    """What the reader needs to know of a feature (the card's ``Feature`` and training's spec both fit)."""

    @property
    def name(self) -> str: ...  # noqa: D102

    @property
    def label(self) -> str: ...  # noqa: D102

    @property
    def unit(self) -> str: ...  # noqa: D102


def parse_measurement(text: str) -> float:
    """Return the number a person typed ("2.5" and "2,5" are both 2.5); raise ``InputError`` otherwise."""
    cleaned = text.strip()
    for sign in _MINUS_SIGNS:
        cleaned = cleaned.replace(sign, "-")
    if not _NUMBER.fullmatch(cleaned):
        raise InputError(f"{text.strip()!r} is not a number (write it like 2.5 or 2,5)")
    return float(cleaned.replace(",", "."))


def decimals_of(text: str) -> int:
    """Return how many decimals a typed number holds, trailing zeros not counted ("5.10" holds one).

    A spreadsheet formatted to two places writes 5.1 as "5.10": the same measurement, to the same 0.1 cm.
    """
    match = re.search(r"[.,](\d*)\s*$", text.strip())
    return len(match.group(1).rstrip("0")) if match else 0


def _fold(text: str) -> str:
    """Lower-case and spell umlauts out, so "Kelchblattlänge" and "KELCHBLATTLAENGE" compare equal."""
    text = text.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _tokens(text: str) -> list[str]:
    return re.findall(r"[0-9a-z]+", _fold(text))


@dataclass(frozen=True)
class HeaderName:
    """A header cell taken apart: the words that name the column and the unit it states, if any."""

    key: str  # the words run together: "Sepal.Length" -> "sepallength"
    unit: str  # as written in the header ("" when none is stated)


def read_header(cell: str) -> HeaderName:
    """Split "Sepal length (in)", "sepal_length_mm", "Sepal.Length" into words and unit."""
    unit = ""
    bracket = re.search(r"[\(\[]([^\)\]]*)[\)\]]", cell)
    words_part = cell
    if bracket:
        unit = bracket.group(1).strip()
        words_part = cell[: bracket.start()] + " " + cell[bracket.end() :]
    words = _tokens(words_part)
    if not unit and len(words) > 1 and words[-1] in UNIT_FACTORS:
        unit = words.pop()
    if len(words) > 1 and words[-1] in ("in", "im") and (unit or bracket):
        words.pop()  # "length in cm", "Länge in (mm)": a preposition, not inches
    return HeaderName("".join(words), unit)


def _key(text: str) -> str:
    return "".join(_tokens(text))


@dataclass(frozen=True)
class Column:
    """Where one wanted column sits in the file, and what its values are multiplied by to get cm."""

    index: int
    header: str
    factor: float = 1.0


@dataclass(frozen=True)
class TableRow:
    """One data row: its line number, its measurements in cm (feature order) or why it has none."""

    line: int
    cells: tuple[str, ...]  # the measurement cells exactly as written, feature order
    measurements: tuple[float, ...] | None  # None when ``problem`` says why
    problem: str = ""
    texts: dict[TextColumn, str] = field(default_factory=dict)

    def values(self) -> list[float | str]:
        """Return the measurements in cm, or the cells as written when they could not be read."""
        return list(self.measurements) if self.measurements is not None else list(self.cells)

    def text(self, column: TextColumn) -> str:
        """Return an optional text cell as written, stripped ("" when the table has no such column)."""
        return self.texts.get(column, "")

    @property
    def species(self) -> str:
        """Return the species cell as written ("" when the table has none)."""
        return self.text(TextColumn.SPECIES)

    @property
    def note(self) -> str:
        """Return the note cell ("" when the table has none)."""
        return self.text(TextColumn.NOTE)


@dataclass(frozen=True)
class MeasurementTable:
    """A whole table read from a file, with what the reader assumed about it."""

    path: Path
    rows: tuple[TableRow, ...]
    encoding: str
    has_header: bool
    columns: dict[str, Column]  # feature name or TextColumn -> where it was found
    notices: tuple[str, ...] = ()  # one sentence each: the encoding assumed, units converted

    @property
    def problems(self) -> list[TableRow]:
        """Return the rows that could not be read."""
        return [r for r in self.rows if r.problem]


# ------------------------------------------------------------------ the file as text
def decode_file(path: Path) -> tuple[str, str, str]:
    """Return (text, encoding, notice): UTF-8 if it is, else Windows-1252 / Latin-1 with a notice."""
    from desktop.file_kinds import read_regular

    data = read_regular(Path(path))  # a folder, a device or a pipe is refused by name, never read
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _utf16(data, path)
    if b"\x00" in data[:4096]:
        raise InputError(f"the file {path} is not text (it holds binary data); save it as CSV (UTF-8)")
    try:
        # utf-8-sig: spreadsheets on Windows put a byte-order mark in front of the header.
        return data.decode("utf-8-sig"), "UTF-8", ""
    except UnicodeDecodeError:
        pass
    for encoding, name in (("cp1252", "Windows-1252"), ("latin-1", "Latin-1 (ISO-8859-1)")):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        notice = (
            f"{path} is not UTF-8; it was read as {name}, the encoding of Excel on Western European "
            f"Windows (check that names with umlauts look right)"
        )
        return text, name, notice
    raise InputError(f"the file {path} is not UTF-8 text; save it as CSV (UTF-8)")  # pragma: no cover


def _utf16(data: bytes, path: Path) -> tuple[str, str, str]:
    """Decode Excel's "Unicode text" (UTF-16 with a byte-order mark, tab-separated), with a notice."""
    try:
        text = data.decode("utf-16")  # the mark says which byte order; it is not part of the text
    except UnicodeDecodeError:
        raise InputError(
            f"the file {path} starts like UTF-16 text but is not; save it as CSV (UTF-8)"
        ) from None
    notice = f'{path} is UTF-16 ("Unicode text" of Excel); it was read as such'
    return text, "UTF-16", notice


def _delimiter(first_line: str) -> str:
    """Pick the separator: tab, else semicolon (German spreadsheets, decimal commas), else comma."""
    for candidate in ("\t", ";"):
        if candidate in first_line:
            return candidate
    return ","


# ------------------------------------------------------------------ the columns
def _feature_keys(spec: MeasurementSpec) -> set[str]:
    keys = {_key(spec.name), _key(spec.label)}
    german = GERMAN_FEATURE_LABELS.get(spec.label)
    if german:
        keys.add(_key(german))
    return keys


def _unit_factor(header: str, unit: str, target: str, path: Path) -> float:
    if not unit:
        return 1.0
    factor = UNIT_FACTORS.get(_key(unit))
    target_factor = UNIT_FACTORS.get(target)
    if factor is None or target_factor is None:
        known = ", ".join(sorted({"cm", "mm", "m", "in"}))
        raise InputError(
            f"the column {header.strip()!r} of {path} is in {unit!r}, a unit Iris Field cannot convert "
            f"(it reads {known}); convert the column to {target} or name its unit"
        )
    return factor / target_factor


def locate_columns(
    header: Sequence[str], features: Sequence[MeasurementSpec], path: Path
) -> dict[str, Column]:
    """Return where each feature (all required) and each optional text column sits in ``header``."""
    names = [read_header(h) for h in header]
    located: dict[str, Column] = {}
    missing: list[str] = []
    for spec in features:
        column = _feature_column(spec, header, names, path)
        if column is None:
            missing.append(spec.name)
        else:
            located[spec.name] = column
    if missing:
        raise InputError(
            f"the file {path} has no column for {', '.join(missing)} "
            f"(its header is: {', '.join(h.strip() for h in header)}); "
            f"name the columns {', '.join(s.name for s in features)}"
        )
    for column, spellings in _TEXT_COLUMN_NAMES.items():
        keys = {_key(s) for s in spellings}
        found = [i for i, n in enumerate(names) if n.key in keys]
        if found:
            located[column] = Column(found[0], header[found[0]])
    return located


def _feature_column(
    spec: MeasurementSpec, header: Sequence[str], names: Sequence[HeaderName], path: Path
) -> Column | None:
    """Return where ``spec``'s one column sits in ``header`` (None: nowhere); refuse a second one."""
    accepted = _feature_keys(spec)
    found = [i for i, n in enumerate(names) if n.key in accepted]
    if len(found) > 1:
        columns = ", ".join(repr(header[i].strip()) for i in found)
        raise InputError(f"the file {path} has more than one column for {spec.label}: {columns}")
    if not found:
        return None
    i = found[0]
    return Column(i, header[i], _unit_factor(header[i], names[i].unit, spec.unit, path))


def _headerless_columns(width: int, features: Sequence[MeasurementSpec]) -> dict[str, Column]:
    """Columns of a file without header (UCI's iris.data): the features in order, then the species."""
    located = {spec.name: Column(i, spec.name) for i, spec in enumerate(features)}
    if width > len(features):
        located[TextColumn.SPECIES] = Column(len(features), TextColumn.SPECIES)
    return located


def _is_number(cell: str) -> bool:
    try:
        parse_measurement(cell)
    except InputError:
        return False
    return True


# ------------------------------------------------------------------ the rows
def _texts(record: Sequence[str], columns: dict[str, Column]) -> dict[TextColumn, str]:
    """Return a record's optional text cells, stripped."""
    return {
        TextColumn(name): record[c.index].strip()
        for name, c in columns.items()
        if name in _TEXT_COLUMNS and c.index < len(record)
    }


def _row(
    line: int,
    record: Sequence[str],
    width: int,
    features: Sequence[MeasurementSpec],
    columns: dict[str, Column],
) -> TableRow:
    texts = _texts(record, columns)
    if len(record) != width:
        return TableRow(line, (), None, f"it has {len(record)} cells, the header has {width}", texts)
    cells = tuple(record[columns[spec.name].index] for spec in features)
    values: list[float] = []
    for spec, cell in zip(features, cells, strict=True):
        column = columns[spec.name].header.strip()  # named as the file names it
        shown = cell.strip()
        if shown.lower() in _MISSING:
            return TableRow(line, cells, None, f"{column} is missing", texts)
        try:
            number = parse_measurement(cell)
        except InputError:
            return TableRow(line, cells, None, f"{column} {shown!r} is not a number", texts)
        factor = columns[spec.name].factor
        refusal = _beyond_rules(spec, shown, number, factor)
        if refusal:
            return TableRow(line, cells, None, f"{column} {refusal}", texts)
        values.append(number if factor == 1.0 else round(number * factor, CONVERTED_DECIMALS))
    return TableRow(line, cells, tuple(values), "", texts)


def allowed_decimals(spec: MeasurementSpec, factor: float = 1.0) -> int | None:
    """Return the decimals a cell may carry in its own unit (None: the spec states no resolution).

    The model's step (0.1 cm) in the column's unit: 1 decimal in cm, none in mm, 3 in m, 2 in inches.
    """
    resolution = getattr(spec, "resolution", None)
    if resolution is None:
        return None
    from desktop.prediction.measurement_rules import decimals_for

    return decimals_for(resolution / factor)


def _beyond_rules(spec: MeasurementSpec, shown: str, number: float, factor: float) -> str:
    """Return why a readable cell still breaks the rules (too many decimals, endless), or ""."""
    from desktop.prediction.measurement_rules import MeasurementRefused, check_range, shown_value

    # The model card's features carry range and resolution (training's specs judge values themselves);
    # converted values are judged in cm by the classifier.
    if hasattr(spec, "plausible_min") and hasattr(spec, "resolution") and factor == 1.0:
        try:
            check_range(spec, number, shown_value(shown))  # type: ignore[arg-type]
        except MeasurementRefused as exc:
            return str(exc).removeprefix(f"{spec.label} ")  # the column is named by the caller
    if not np.isfinite(number * factor):
        return f"{shown_value(shown)} is not a plausible measurement"
    decimals = allowed_decimals(spec, factor)
    if decimals is not None and decimals_of(shown) > decimals:
        step = f"{10**-decimals:.{decimals}f}" if decimals else "1"
        unit = _unit_of(spec, factor)
        return f"{shown} has more decimals than the model's precision of {step} {unit}"
    return ""


def _unit_of(spec: MeasurementSpec, factor: float) -> str:
    """Return the unit a column is written in (the spec's own unless a header named another)."""
    if factor == 1.0:
        return spec.unit
    target = UNIT_FACTORS.get(spec.unit, 1.0)
    return next((u for u in ("mm", "m", "in") if abs(UNIT_FACTORS[u] / target - factor) < 1e-12), spec.unit)


@dataclass(frozen=True)
class TableChunk:
    """Consecutive data rows read together: the readable ones as one matrix, the others with a problem."""

    lines: tuple[int, ...]  # line numbers of the readable rows
    measurements: np.ndarray  # (len(lines), features) float64, in each feature's unit
    notes: tuple[str, ...]  # the note cell of each readable row ("" when the table has none)
    problems: tuple[TableRow, ...]  # the rows that could not be read, each saying why
    texts: tuple[dict[TextColumn, str], ...] = ()  # every optional text cell of each readable row


@dataclass(frozen=True)
class TableStream:
    """A table whose rows are read a chunk at a time: a million rows cost what one chunk costs."""

    table: MeasurementTable  # what the reader assumed (encoding, header, columns); ``rows`` is empty
    line_count: int  # lines in the file, to tell how far the chunks have got
    chunks: Iterator[TableChunk]


# A column of measurements, one per line, that Python's float() reads exactly as ``parse_measurement`` does:
# digits with at most one decimal point, an optional sign, spaces around. Anything else takes the slow path,
# which also says why a cell is refused: more decimals than the model's precision, or endless digits.
_PLAIN_NUMBER = r"[ \t]*[+-]?(?:\d{{1,15}}(?:\.\d{{0,{d}}}0*)?|\.\d{{1,{d}}}0*)[ \t]*"


@functools.lru_cache(maxsize=16)
def _plain_column(decimals: int | None) -> re.Pattern[str]:
    """Return the pattern of a column of plain numbers with at most ``decimals`` decimals (None: any)."""
    number = _PLAIN_NUMBER.format(d="" if decimals is None else decimals)
    if decimals is not None and decimals == 0:
        number = r"[ \t]*[+-]?\d{1,15}(?:\.0*)?[ \t]*"
    return re.compile(f"(?:{number}\n)*{number}")


@dataclass
class _Source:
    """The text of a table being read, and the CSV reader walking it."""

    path: Path
    text: io.StringIO
    delimiter: str
    reader: Any  # csv.reader over ``text``
    line_offset: int = 0  # lines read by earlier readers of ``text``

    def records(self) -> Iterator[tuple[int, list[str]]]:
        """Yield each non-blank record with the line it ends on, one record at a time."""
        reader = self.reader
        try:
            for record in reader:
                if any(cell.strip() for cell in record):  # blank lines are not rows
                    yield self.line_offset + reader.line_num, record
        except csv.Error as exc:
            raise self.invalid(exc) from None

    def invalid(self, exc: csv.Error) -> InputError:
        """Return the sentence for a file that stops being valid CSV."""
        return InputError(
            f"the file {self.path} is not valid CSV (line {self.line_offset + self.reader.line_num}: {exc})"
        )

    def batches(self, size: int) -> Iterator[tuple[Sequence[int], list[list[str]]]]:
        """Yield (line numbers, records) ``size`` records at a time, blank records among them.

        Records are read by the C reader a batch at a time; while each took one line, their line numbers
        follow from where the batch began. Once a quoted cell spans lines, the rest is read record by
        record, each with the line the reader says.
        """
        while True:
            start, position = self.line_offset + self.reader.line_num, self.text.tell()
            try:
                batch = list(itertools.islice(self.reader, size))
            except csv.Error as exc:
                raise self.invalid(exc) from None
            if not batch:
                return
            if self.line_offset + self.reader.line_num - start != len(batch):
                break
            yield range(start + 1, start + 1 + len(batch)), batch
        self.text.seek(position)
        self.line_offset = start
        self.reader = csv.reader(self.text, delimiter=self.delimiter)
        while batch := list(itertools.islice(self.records(), size)):
            yield [line for line, _ in batch], [record for _, record in batch]


def _filled(record: list[str]) -> bool:
    """Tell whether a record holds anything (a blank line, or one of separators only, is no row)."""
    return any(cell.strip() for cell in record)


def _open(path: Path, features: Sequence[MeasurementSpec]) -> tuple[MeasurementTable, int, _Source, int]:
    """Return the table's description, its width, its records after the header, its lines."""
    path = Path(path)
    text, encoding, encoding_notice = decode_file(path)
    first_line = next((ln for ln in text.splitlines() if ln.strip()), "")
    if not first_line:
        raise InputError(f"the file {path} is empty; it needs a header row naming the measurements")
    delimiter = _delimiter(first_line)
    source = io.StringIO(text, newline="")
    rows = _Source(path, source, delimiter, csv.reader(source, delimiter=delimiter))
    opened = next(rows.records(), None)
    if opened is None:
        raise InputError(f"the file {path} has no rows of measurements, only empty cells")
    line, first = opened
    width = len(first)
    if len(first) >= len(features) and all(_is_number(c) for c in first[: len(features)]):
        has_header = False  # UCI's iris.data: the first row is already data: read the file again
        columns = _headerless_columns(width, features)
        source.seek(0)
        rows.reader = csv.reader(source, delimiter=delimiter)
    else:
        has_header = True
        columns = locate_columns(first, features, path)
    notices = [encoding_notice] if encoding_notice else []
    notices.extend(_unit_notices(columns, features, path))
    table = MeasurementTable(path, (), encoding, has_header, columns, tuple(notices))
    return table, width, rows, text.count("\n") + 1


def read_table(path: Path, features: Sequence[MeasurementSpec]) -> MeasurementTable:
    """Read a CSV of measurements (header optional); raise ``InputError`` if it cannot be a table.

    Rows whose cells are wrong are kept with a ``problem``: the caller reports them all together.
    Values are converted to each feature's unit; whether they are plausible is the caller's judgement.
    """
    table, width, source, _lines = _open(path, features)
    rows = tuple(_row(line, record, width, features, table.columns) for line, record in source.records())
    if not rows:
        raise InputError(f"the file {table.path} has a header but no rows of measurements")
    return replace(table, rows=rows)


def stream_table(path: Path, features: Sequence[MeasurementSpec], chunk_rows: int = 20_000) -> TableStream:
    """Read a table as ``read_table`` does, by the same rules, but in chunks of ``chunk_rows`` rows.

    Raises ``InputError`` at once if the file cannot be a table, and from the chunks if it turns out
    not to be valid CSV further down, or to have no rows at all.
    """
    table, width, source, line_count = _open(path, features)

    def chunks() -> Iterator[TableChunk]:
        seen = False
        for lines, records in source.batches(chunk_rows):
            chunk = _chunk(lines, records, width, features, table.columns)
            if chunk.lines or chunk.problems:  # not blank lines only
                seen = True
                yield chunk
        if not seen:
            raise InputError(f"the file {table.path} has a header but no rows of measurements")

    return TableStream(table, line_count, chunks())


def _all_plain(features: Sequence[MeasurementSpec], wanted: list[Any], columns: dict[str, Column]) -> bool:
    """Tell whether every wanted column holds plain numbers within the precision its unit allows."""
    return all(
        _plain_column(allowed_decimals(spec, columns[spec.name].factor)).fullmatch("\n".join(column))
        for spec, column in zip(features, wanted, strict=True)
    )


def _chunk(
    lines: Sequence[int],
    records: list[list[str]],
    width: int,
    features: Sequence[MeasurementSpec],
    columns: dict[str, Column],
) -> TableChunk:
    """Read a chunk's rows: whole columns at once when every cell is a plain number, else row by row.

    Blank records are no rows: one makes the chunk be read row by row (its measurement cells are empty).
    """
    if set(map(len, records)) == {width}:
        chunk = _chunk_by_columns(lines, records, features, columns)
        if chunk is not None:
            return chunk
    return _chunk_by_rows(lines, records, width, features, columns)


def _chunk_by_columns(
    lines: Sequence[int],
    records: list[list[str]],
    features: Sequence[MeasurementSpec],
    columns: dict[str, Column],
) -> TableChunk | None:
    """Read full-width records a whole column at a time; return None unless every cell is a plain number."""
    cells = list(zip(*records, strict=True))  # the file's columns
    wanted = [cells[columns[spec.name].index] for spec in features]
    if not _all_plain(features, wanted, columns):
        return None
    matrix = np.array(wanted, dtype=np.float64).T
    for i, spec in enumerate(features):
        factor = columns[spec.name].factor
        if factor != 1.0:
            matrix[:, i] = np.round(matrix[:, i] * factor, 4)
    texts = _texts_by_column(cells, columns)
    notes = tuple(t[TextColumn.NOTE] for t in texts) if TextColumn.NOTE in columns else ("",) * len(lines)
    return TableChunk(tuple(lines), matrix, notes, (), texts)


def _texts_by_column(
    cells: list[tuple[str, ...]], columns: dict[str, Column]
) -> tuple[dict[TextColumn, str], ...]:
    """Return each row's stripped text cells by text column (none when the file has no text column)."""
    # Every record has the full width here: each text column is there to take.
    text_at = [(TextColumn(name), c.index) for name, c in columns.items() if name in _TEXT_COLUMNS]
    if not text_at:
        return ()  # none: every row's texts are empty
    stripped = [[cell.strip() for cell in cells[i]] for _column, i in text_at]
    names = [column for column, _i in text_at]
    return tuple(dict(zip(names, row, strict=True)) for row in zip(*stripped, strict=True))


def _chunk_by_rows(
    lines: Sequence[int],
    records: list[list[str]],
    width: int,
    features: Sequence[MeasurementSpec],
    columns: dict[str, Column],
) -> TableChunk:
    """Read a chunk's records one by one, blank ones skipped, each bad row kept with its problem."""
    rows = [
        _row(line, record, width, features, columns)
        for line, record in zip(lines, records, strict=True)
        if _filled(record)
    ]
    good = [row for row in rows if not row.problem]
    matrix = np.array([row.measurements for row in good], dtype=np.float64).reshape(len(good), len(features))
    return TableChunk(
        tuple(row.line for row in good),
        matrix,
        tuple(row.note for row in good),
        tuple(r for r in rows if r.problem),
        tuple(row.texts for row in good),
    )


def _unit_notices(columns: dict[str, Column], features: Iterable[MeasurementSpec], path: Path) -> list[str]:
    converted = [f"{columns[s.name].header.strip()!r}" for s in features if columns[s.name].factor != 1.0]
    if not converted:
        return []
    return [f"{path}: the columns {', '.join(converted)} were converted to cm"]
