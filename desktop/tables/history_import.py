"""Read a history export back, every cell checked as strictly as what the window and `predict` save.

Each refusal is one sentence naming the file, the line and the column. Checked: ids (UUIDs, each once in
the file), ISO times with a zone, the three species (predicted, confirmed, one probability column each),
measurements in the model card's range at most to a micrometre (a value read in inches is kept to
0.0001 cm; one typed in cm has the card's 0.1 cm), probabilities and confidence between 0 and 1,
coordinates, flags, and the sync state, with the run a synced observation became.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.errors import InputError
from desktop.model_delivery.release import ShadowPrediction
from desktop.prediction.measurement_rules import Allowed, MeasurementRefused, allowed, check_range
from desktop.tables.measurement_table import decode_file
from desktop.tables.spreadsheet_text import unguarded

if TYPE_CHECKING:
    from desktop.history.observation import Observation
    from desktop.prediction.model_card import Feature, ModelCard

# Bad rows listed in the one sentence; the rest are counted.
PROBLEMS_LISTED = 10
# Decimals a measurement in the history may carry: a micrometre (values converted from inches or mm).
HISTORY_DECIMALS = 4
# An ISO time as the app writes it: date, "T", time (seconds, optional fraction), a zone.
_ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})")


@dataclass(frozen=True)
class SyncedRun:
    """The MLflow run a synced observation became (the ``sync_run`` column of an export)."""

    run_id: str
    tracking_uri: str
    experiment_name: str
    experiment_id: str
    pushed_updated_at: str

    def to_json(self) -> str:
        """Return the run as the export writes it."""
        return json.dumps(self.__dict__, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> SyncedRun:
        """Read a run written by ``to_json``; raise ``ValueError`` if it is not one."""
        data = json.loads(text)
        if not isinstance(data, dict) or not str(data.get("run_id", "")).strip():
            raise ValueError("it names no run_id")
        return cls(*(str(data.get(name, "")) for name in cls.__dataclass_fields__))


@dataclass(frozen=True)
class ImportedRow:
    """One checked row of an export: the observation and, if it was synced, its run."""

    line: int
    observation: Observation
    synced_run: SyncedRun | None = None


class _RowProblem(ValueError):
    """A cell of one row is wrong: which column and why."""

    def __init__(self, column: str, why: str):
        super().__init__(why)
        self.column = column
        self.why = why


@dataclass
class _Reading:
    path: Path
    header: list[str]
    card: ModelCard | None
    measurement_columns: list[str]
    probability_columns: list[str]
    rules: dict[str, tuple[Feature, Allowed]] = field(default_factory=dict)  # by measurement column

    def __post_init__(self) -> None:
        if self.card is not None:
            self.rules = {f.name: (f, allowed(f)) for f in self.card.features}

    def where(self, line: int, column: str) -> str:
        number = self.header.index(column) + 1 if column in self.header else 0
        return f"line {line}, column {number} ({column})" if number else f"line {line}"


def read_export(
    path: Path,
    card: ModelCard | None,
    columns: tuple[Sequence[str], Sequence[str], frozenset[str], Sequence[str]],
) -> list[ImportedRow]:
    """Return every row of an export, checked; raise ``InputError`` naming file, line and column if bad.

    ``columns`` is (leading, trailing, optional, release) as ``observation_csv`` writes them.
    """
    leading, trailing, optional, release = columns
    text, _, _ = decode_file(path)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = list(reader.fieldnames or [])
    missing = [c for c in (*leading, *trailing) if c not in header and c not in optional]
    if missing:
        raise InputError(f"the file {path} is not an Iris Field history export (no column {missing[0]!r})")
    fixed = {*leading, *trailing, *release, "sync_run"}
    probability_columns = [c for c in header if c.startswith("p_") and c not in fixed]
    measurement_columns = [c for c in header if c not in fixed and c not in probability_columns]
    reading = _Reading(Path(path), header, card, measurement_columns, probability_columns)
    _check_columns(reading)
    return _read_rows(reader, reading, blank=dict.fromkeys((*leading, *trailing, *release), ""))


def _read_rows(reader: csv.DictReader, reading: _Reading, blank: dict[str, str]) -> list[ImportedRow]:
    """Return every row checked, or raise ``InputError`` listing the first bad ones and counting the rest."""
    rows: list[ImportedRow] = []
    problems: list[str] = []
    count = 0
    first_line: dict[str, int] = {}
    for record in reader:
        line = reader.line_num
        try:
            row = _row(reading, line, _complete(record, len(reading.header), blank))
            earlier = first_line.setdefault(row.observation.id, line)
            if earlier != line:
                why = f"the id {row.observation.id} appears twice in this file (first on line {earlier})"
                raise _RowProblem("id", why)
            rows.append(row)
        except _RowProblem as problem:
            count += 1
            if len(problems) < PROBLEMS_LISTED:
                where = reading.where(line, problem.column) if problem.column else f"line {line}"
                problems.append(f"{where}: {problem.why}")
    if count:
        more = f"; and {count - len(problems)} more" if count > len(problems) else ""
        rows_word = "bad row" if count == 1 else "bad rows"
        path = reading.path
        raise InputError(f"{path} has {count} {rows_word}, nothing was imported: {'; '.join(problems)}{more}")
    return rows


def _complete(record: dict[Any, Any], width: int, blank: dict[str, str]) -> dict[str, str]:
    """Return a record with every known column (blank where the file lacks one); raise if its width is off."""
    if None in record or None in record.values():
        cells = sum(v is not None for k, v in record.items() if k is not None) + len(record.get(None) or [])
        raise _RowProblem("", f"it has {cells} cells, the header has {width}")
    return blank | record


def _check_columns(reading: _Reading) -> None:
    card = reading.card
    if card is None:
        return
    path = reading.path
    unknown = [c for c in reading.measurement_columns if c not in card.feature_names]
    lacking = [f for f in card.feature_names if f not in reading.measurement_columns]
    if unknown or lacking:
        raise InputError(
            f"{path} holds measurements of another model ({', '.join(reading.measurement_columns)}); "
            f"this model measures {', '.join(card.feature_names)}"
        )
    species = [c[2:] for c in reading.probability_columns]
    if sorted(species) != sorted(card.classes):
        raise InputError(
            f"{path} holds the species {', '.join(species) or 'none'}; "
            f"this model knows {', '.join(card.classes)}"
        )


def _row(reading: _Reading, line: int, record: Mapping[str, str]) -> ImportedRow:
    from desktop.history.observation import SYNC_STATES, Observation

    cell = record.__getitem__  # every column is there (blank where the file lacks an optional one)

    classes = (
        reading.card.classes if reading.card is not None else [c[2:] for c in reading.probability_columns]
    )
    sync_state = cell("sync_state")
    if sync_state not in SYNC_STATES:
        raise _RowProblem("sync_state", f"{sync_state!r} is not one of {', '.join(SYNC_STATES)}")
    observation = Observation(
        id=_uuid(cell("id")),
        created_at=_time("created_at", cell("created_at")),
        updated_at=_time("updated_at", cell("updated_at")),
        observer=unguarded(cell("observer")),
        measurements={c: _measurement(reading, c, cell(c)) for c in reading.measurement_columns},
        probabilities={c[2:]: _share(c, cell(c)) for c in reading.probability_columns},
        predicted_species=_species("predicted_species", unguarded(cell("predicted_species")), classes),
        confidence=_share("confidence", cell("confidence")),
        confirmed_species=_optional_species(unguarded(cell("confirmed_species")), classes),
        unusual=_unusual(unguarded(cell("unusual")), reading.measurement_columns),
        note=unguarded(cell("note")),
        location=unguarded(cell("location")),
        latitude=_coordinate("latitude", cell("latitude"), 90.0),
        longitude=_coordinate("longitude", cell("longitude"), 180.0),
        model_name=unguarded(cell("model_name")),
        model_version=unguarded(cell("model_version")),
        model_sha256=_sha256(unguarded(cell("model_sha256"))),
        sync_state=sync_state,
        sync_error=unguarded(cell("sync_error")),
        deleted=_flag("deleted", cell("deleted")),
        outlier=_flag("outlier", cell("outlier") or "0"),
        outlier_score=_optional_number("outlier_score", cell("outlier_score")),
        model_registry=unguarded(cell("model_registry")),
        model_sequence=_sequence(cell("model_sequence")),
        challenger=_parsed(
            "challenger", cell("challenger"), lambda t: ShadowPrediction.from_dict(json.loads(t))
        ),
    )
    run = _parsed("sync_run", cell("sync_run"), SyncedRun.from_json)
    return ImportedRow(line, observation, run if sync_state == "synced" else None)


def _uuid(text: str) -> str:
    try:
        parsed = uuid.UUID(text)
    except ValueError:
        parsed = None
    if parsed is None or str(parsed) != text.lower():
        raise _RowProblem("id", f"{text!r} is not an observation id (a UUID like 0190f1c2-…)")
    return text


def _time(column: str, text: str) -> str:
    if _ISO_TIME.fullmatch(text):
        try:
            datetime.fromisoformat(text)
            return text
        except ValueError:
            pass
    raise _RowProblem(column, f"{text!r} is not a time like 2026-05-01T09:30:00+00:00 (ISO 8601 with a zone)")


def _number(column: str, text: str) -> float:
    try:
        number = float(text)
    except ValueError:
        raise _RowProblem(column, f"{text!r} is not a number") from None
    if not math.isfinite(number):
        raise _RowProblem(column, f"{text!r} is not a finite number")
    return number


def _optional_number(column: str, text: str) -> float | None:
    return None if text == "" else _number(column, text)


def _measurement(reading: _Reading, column: str, text: str) -> float:
    if text == "":
        raise _RowProblem(column, "the measurement is missing")
    number = _number(column, text)
    ruled = reading.rules.get(column)
    if ruled is not None and not ruled[1].low <= number <= ruled[1].high:
        try:
            check_range(ruled[0], number, text)  # for its sentence
        except MeasurementRefused as exc:
            raise _RowProblem(column, str(exc)) from None
    scaled = number * 10**HISTORY_DECIMALS
    if abs(scaled - round(scaled)) > 1e-6:
        raise _RowProblem(column, f"{text} has more decimals than any measurement Iris Field saves")
    return number


def _share(column: str, text: str) -> float:
    number = _number(column, text)
    if not 0.0 <= number <= 1.0:
        raise _RowProblem(column, f"{text} is not a probability between 0 and 1")
    return number


def _species(column: str, text: str, classes: Sequence[str]) -> str:
    if text not in classes:
        raise _RowProblem(column, f"{text!r} is not one of the species {', '.join(classes)}")
    return text


def _optional_species(text: str, classes: Sequence[str]) -> str | None:
    return None if text == "" else _species("confirmed_species", text, classes)


def _unusual(text: str, measurements: Sequence[str]) -> tuple[str, ...]:
    names = tuple(u for u in text.split(";") if u)
    wrong = [n for n in names if n not in measurements]
    if wrong:
        raise _RowProblem("unusual", f"{wrong[0]!r} is not a measurement of this file")
    return names


def _coordinate(column: str, text: str, limit: float) -> float | None:
    number = _optional_number(column, text)
    if number is not None and not -limit <= number <= limit:
        raise _RowProblem(column, f"{text} is not between -{limit:g} and {limit:g}")
    return number


def _sha256(text: str) -> str:
    if not re.fullmatch(r"[0-9a-f]{64}", text):
        raise _RowProblem("model_sha256", f"{text!r} is not a SHA-256 (64 hexadecimal digits)")
    return text


def _flag(column: str, text: str) -> bool:
    if text not in ("0", "1"):
        raise _RowProblem(column, f"{text!r} is neither 0 nor 1")
    return text == "1"


def _sequence(text: str) -> int | None:
    if text == "":
        return None
    if not text.isdigit():
        raise _RowProblem("model_sequence", f"{text!r} is not a whole number")
    return int(text)


def _parsed(column: str, text: str, parse: Callable[[str], Any]) -> Any:
    if not text:
        return None
    try:
        return parse(text)
    except (ValueError, TypeError, AttributeError) as exc:
        raise _RowProblem(column, f"it cannot be read ({exc})") from None
