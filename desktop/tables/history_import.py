"""Read a history export back, every cell checked as strictly as what the window and `predict` save.

Each refusal is one sentence naming the file, the line and the column. Checked: ids (UUIDs, each once in
the file), ISO times with a zone, the three species (predicted, confirmed, one probability column each),
measurements by the window's and the command line's own rules (``measurement_rules.check_saved``: the
model card's range and 0.1 cm precision, or a value of that precision converted from inches),
probabilities and confidence between 0 and 1, coordinates, flags, and the sync state, with the run
a synced observation became.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import MISSING, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contract import observation as fields
from desktop import observation_extras as extras
from desktop.errors import InputError
from desktop.model_delivery.release import ShadowPrediction
from desktop.prediction.measurement_rules import Allowed, MeasurementRefused, allowed, check_saved
from desktop.sync.states import FailureKind, Stage, SyncState
from desktop.tables.export_cells import (
    CHALLENGER,
    DELETED,
    PROBABILITY_PREFIX,
    SYNC_ERROR,
    SYNC_RUN,
    SYNC_STATE,
    UNGUARDED_KINDS,
    UPDATED_AT,
    csv_header,
)
from desktop.tables.measurement_table import decode_file
from desktop.tables.spreadsheet_text import unguarded

if TYPE_CHECKING:
    from desktop.prediction.model_card import Feature, ModelCard
    from desktop.store import Observation

# Bad rows listed in the one sentence; the rest are counted.
PROBLEMS_LISTED = 10
# An ISO time as the app writes it: date, "T", time (seconds, optional fraction), a zone.
_ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})")


# Stages at which the outbox row names the run (before ``created`` the create's answer is not known).
_STAGES_WITH_RUN = frozenset({Stage.CREATED, Stage.LOGGED, Stage.FINISHED, Stage.SYNCED})


@dataclass(frozen=True)
class SyncedRun:
    """How far an observation got on its way to the server (the ``sync_run`` column of an export).

    Written for every observation past ``pending`` or failed: its outbox stage, failure and the run it
    became (when it has one), so an import brings back ``syncing``, ``failed`` and ``synced`` rows as
    they were, never as pending (an export before these fields came only holds synced runs).
    """

    run_id: str
    tracking_uri: str
    experiment_name: str
    experiment_id: str
    pushed_updated_at: str
    stage: str = Stage.SYNCED
    failure: str = ""
    failure_kind: str = FailureKind.NONE

    def to_json(self) -> str:
        """Return the run as the export writes it."""
        return json.dumps(self.__dict__, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> SyncedRun:
        """Read a run written by ``to_json``; raise ``ValueError`` if it is not one."""
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("it is not a JSON object")
        run = cls(**{name: str(data.get(name, cls._default(name))) for name in cls.__dataclass_fields__})
        if run.stage not in tuple(Stage) or run.failure_kind not in tuple(FailureKind):
            raise ValueError(f"stage {run.stage!r} or failure kind {run.failure_kind!r} is unknown")
        if run.stage in _STAGES_WITH_RUN and not run.run_id.strip():
            raise ValueError("it names no run_id")
        return run

    @classmethod
    def _default(cls, name: str) -> object:
        default = cls.__dataclass_fields__[name].default
        return "" if default is MISSING else default

    @property
    def sync_state(self) -> SyncState:
        """Return the state a history row shows for this progress (as ``sync_state_sql`` derives it)."""
        if self.failure:
            return SyncState.FAILED
        if self.stage == Stage.PENDING:
            return SyncState.PENDING
        return SyncState.SYNCED if self.stage == Stage.SYNCED else SyncState.SYNCING


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
    fixed = {*leading, *trailing, *release, SYNC_RUN}
    probability_columns = [c for c in header if c.startswith(PROBABILITY_PREFIX) and c not in fixed]
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
                raise _RowProblem(csv_header(fields.OBSERVATION_ID), why)
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
    species = [_species_of(c) for c in reading.probability_columns]
    if sorted(species) != sorted(card.classes):
        raise InputError(
            f"{path} holds the species {', '.join(species) or 'none'}; "
            f"this model knows {', '.join(card.classes)}"
        )


def _row(reading: _Reading, line: int, record: Mapping[str, str]) -> ImportedRow:
    from desktop.store import SYNC_STATES, Observation

    def cell(declared: fields.ObservationField) -> str:
        return record[csv_header(declared)]  # every column is there (blank where the file lacks one)

    def text(declared: fields.ObservationField) -> str:
        return unguarded(cell(declared))

    sync_state = record[SYNC_STATE]
    if sync_state not in SYNC_STATES:
        raise _RowProblem(SYNC_STATE, f"{sync_state!r} is not one of {', '.join(SYNC_STATES)}")
    observation = Observation(
        id=_uuid(cell(fields.OBSERVATION_ID)),
        created_at=_time(csv_header(fields.OBSERVED_AT), cell(fields.OBSERVED_AT)),
        updated_at=_time(UPDATED_AT, record[UPDATED_AT]),
        observer=text(fields.OBSERVER),
        measurements={c: _measurement(reading, c, record[c]) for c in reading.measurement_columns},
        probabilities={_species_of(c): _share(c, record[c]) for c in reading.probability_columns},
        **_prediction(reading, record),
        note=text(fields.NOTE),
        location=text(fields.LOCATION),
        latitude=_coordinate(csv_header(fields.LATITUDE), cell(fields.LATITUDE), 90.0),
        longitude=_coordinate(csv_header(fields.LONGITUDE), cell(fields.LONGITUDE), 180.0),
        sync_state=sync_state,
        sync_error=unguarded(record[SYNC_ERROR]),
        deleted=_flag(DELETED, record[DELETED]),
        outlier=_flag(csv_header(fields.OUTLIER), cell(fields.OUTLIER) or "0"),
        outlier_score=_optional_number(csv_header(fields.OUTLIER_SCORE), cell(fields.OUTLIER_SCORE)),
        **_release(record),
        extras=_extras(record),
    )
    return ImportedRow(line, observation, _sync_run(record[SYNC_RUN], sync_state))


def _sync_run(text: str, sync_state: str) -> SyncedRun | None:
    """Return the sync progress of a row, which must agree with its ``sync_state`` (blank: none)."""
    run: SyncedRun | None = _parsed(SYNC_RUN, text, SyncedRun.from_json)
    if run is not None and run.sync_state != sync_state:
        raise _RowProblem(SYNC_RUN, f"it says {run.sync_state}, but the row's sync_state is {sync_state}")
    return run


def _species_of(probability_column: str) -> str:
    return probability_column[len(PROBABILITY_PREFIX) :]


def _prediction(reading: _Reading, record: Mapping[str, str]) -> dict[str, Any]:
    """Return what the model said of a row (species, confidence, unusual measurements), checked."""
    card = reading.card
    classes = card.classes if card is not None else [_species_of(c) for c in reading.probability_columns]
    predicted = csv_header(fields.PREDICTED_SPECIES)
    unusual = unguarded(record[csv_header(fields.UNUSUAL)])
    return {
        fields.PREDICTED_SPECIES.name: _species(predicted, unguarded(record[predicted]), classes),
        fields.CONFIDENCE.name: _share(csv_header(fields.CONFIDENCE), record[csv_header(fields.CONFIDENCE)]),
        fields.CONFIRMED_SPECIES.name: _optional_species(
            unguarded(record[csv_header(fields.CONFIRMED_SPECIES)]), classes
        ),
        fields.UNUSUAL.name: _unusual(unusual, reading.measurement_columns),
    }


def _release(record: Mapping[str, str]) -> dict[str, Any]:
    """Return the release that predicted a row and the challenger's shadow answer, checked."""
    return {
        fields.MODEL_NAME.name: unguarded(record[csv_header(fields.MODEL_NAME)]),
        fields.MODEL_VERSION.name: unguarded(record[csv_header(fields.MODEL_VERSION)]),
        fields.MODEL_SHA256.name: _sha256(unguarded(record[csv_header(fields.MODEL_SHA256)])),
        fields.MODEL_REGISTRY.name: unguarded(record[csv_header(fields.MODEL_REGISTRY)]),
        fields.MODEL_SEQUENCE.name: _sequence(record[csv_header(fields.MODEL_SEQUENCE)]),
        CHALLENGER: _parsed(
            CHALLENGER, record[CHALLENGER], lambda t: ShadowPrediction.from_dict(json.loads(t))
        ),
    }


def _extras(record: Mapping[str, str]) -> dict[str, Any]:
    """Return the row's extras (the contract's fields without a column of their own), blank ones left out."""
    found = {}
    for column, declared in extras.CSV_COLUMNS.items():
        text = record[column] if declared.kind in UNGUARDED_KINDS else unguarded(record[column])
        try:
            value = extras.from_csv_cell(declared, text)
        except extras.ExtraValueError as exc:
            raise _RowProblem(column, str(exc)) from None
        if value is not None:
            found[declared.name] = value
    return found


def _uuid(text: str) -> str:
    try:
        parsed = uuid.UUID(text)
    except ValueError:
        parsed = None
    if parsed is None or str(parsed) != text.lower():
        raise _RowProblem(
            csv_header(fields.OBSERVATION_ID), f"{text!r} is not an observation id (a UUID like 0190f1c2-…)"
        )
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
    ruled = reading.rules.get(column)
    if ruled is None:  # no model card: any finite number (nothing to judge it by)
        return _number(column, text)
    try:
        return check_saved(ruled[0], text)
    except MeasurementRefused as exc:
        raise _RowProblem(column, str(exc)) from None


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
    return None if text == "" else _species(csv_header(fields.CONFIRMED_SPECIES), text, classes)


def _unusual(text: str, measurements: Sequence[str]) -> tuple[str, ...]:
    names = tuple(u for u in text.split(";") if u)
    wrong = [n for n in names if n not in measurements]
    if wrong:
        raise _RowProblem(csv_header(fields.UNUSUAL), f"{wrong[0]!r} is not a measurement of this file")
    return names


def _coordinate(column: str, text: str, limit: float) -> float | None:
    number = _optional_number(column, text)
    if number is not None and not -limit <= number <= limit:
        raise _RowProblem(column, f"{text} is not between -{limit:g} and {limit:g}")
    return number


def _sha256(text: str) -> str:
    if not re.fullmatch(r"[0-9a-f]{64}", text):
        raise _RowProblem(
            csv_header(fields.MODEL_SHA256), f"{text!r} is not a SHA-256 (64 hexadecimal digits)"
        )
    return text


def _flag(column: str, text: str) -> bool:
    if text not in ("0", "1"):
        raise _RowProblem(column, f"{text!r} is neither 0 nor 1")
    return text == "1"


def _sequence(text: str) -> int | None:
    if text == "":
        return None
    if not text.isdigit():
        raise _RowProblem(csv_header(fields.MODEL_SEQUENCE), f"{text!r} is not a whole number")
    return int(text)


def _parsed(column: str, text: str, parse: Callable[[str], Any]) -> Any:
    if not text:
        return None
    try:
        return parse(text)
    except (ValueError, TypeError, AttributeError) as exc:
        raise _RowProblem(column, f"it cannot be read ({exc})") from None
