"""CSV in and out: measurement rows for batch prediction, and the observation history as a table."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from desktop.atomic_file import atomic_text_writer
from desktop.errors import InputError

if TYPE_CHECKING:
    from desktop.model_card import ModelCard
    from desktop.store import Observation

# Fixed columns of an exported history; measurement columns (card feature names) and one
# probability column per class ("p_<class>") sit between them.
_LEADING = ("id", "created_at", "updated_at", "observer")
_TRAILING = (
    "predicted_species",
    "confidence",
    "confirmed_species",
    "unusual",
    "note",
    "location",
    "latitude",
    "longitude",
    "model_name",
    "model_version",
    "model_sha256",
    "sync_state",
    "sync_error",
    "deleted",
)
_PROBABILITY_PREFIX = "p_"
_DELIMITERS = ",;\t"


def _normalise_header(text: str) -> str:
    """Reduce "Sepal length (cm)", "sepal-length", "SEPAL_LENGTH" to "sepal_length"."""
    text = re.sub(r"[\(\[].*?[\)\]]", " ", text)  # drop units such as "(cm)" or "[cm]"
    text = re.sub(r"\bcm\b", " ", text.lower())
    return "_".join(re.findall(r"[0-9a-zäöüß]+", text))


@dataclass(frozen=True)
class MeasurementRow:
    """One data row of an input CSV: its line number, its raw measurement cells, its optional note."""

    line: int
    cells: tuple[str, ...]  # card feature order, exactly as written
    note: str = ""
    problem: str = ""  # set when the row's shape is wrong; the cells are then empty

    def values(self) -> list[float | str]:
        """Return the cells as floats where they parse (decimal comma accepted), else as written."""
        return [_parse_number(c) for c in self.cells]


def _parse_number(cell: str) -> float | str:
    text = cell.strip()
    for candidate in (text, text.replace(",", ".")):
        try:
            return float(candidate)
        except ValueError:
            continue
    return text


def _open_text(path: Path) -> str:
    try:
        # utf-8-sig: spreadsheets on Windows put a byte-order mark in front of the header.
        return Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"the file {path} does not exist") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a folder, not a CSV file") from None
    except UnicodeDecodeError:
        raise InputError(f"the file {path} is not UTF-8 text; save it as CSV (UTF-8)") from None
    except OSError as exc:
        raise InputError(f"the file {path} cannot be read: {exc.strerror}") from None


def _delimiter(header_line: str) -> str:
    """Pick the separator of the header (comma, semicolon as in German spreadsheets, or tab)."""
    counts = {d: header_line.count(d) for d in _DELIMITERS}
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else ","


def read_measurement_rows(path: Path, card: ModelCard) -> list[MeasurementRow]:
    """Read a CSV whose header names the card's features (by name or label, any case, units allowed).

    Raises ``InputError`` when the file cannot be read, a feature column is missing, or it has no rows.
    Cell values are not checked here: the classifier judges them, so the rules live in one place.
    """
    text = _open_text(path)
    first_line = next((ln for ln in text.splitlines() if ln.strip()), "")
    if not first_line:
        raise InputError(f"the file {path} is empty; it needs a header row naming the measurements")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    header: list[str] | None = None
    rows: list[MeasurementRow] = []
    positions: list[int] = []
    note_at: int | None = None
    width = 0
    try:
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue  # blank lines are not rows
            if header is None:
                header = record
                positions, note_at = _locate_columns(header, card, path)
                width = len(header)
                continue
            line = reader.line_num
            if len(record) != width:
                # Keep the row; a wrong cell count is reported with the other bad rows.
                problem = f"it has {len(record)} cells, the header has {width}"
                rows.append(MeasurementRow(line, (), problem=problem))
                continue
            cells = tuple(record[i] for i in positions)
            note = record[note_at].strip() if note_at is not None else ""
            rows.append(MeasurementRow(line, cells, note))
    except csv.Error as exc:
        raise InputError(f"the file {path} is not valid CSV (line {reader.line_num}: {exc})") from None
    if not rows:
        raise InputError(f"the file {path} has a header but no rows of measurements")
    return rows


def _locate_columns(header: Sequence[str], card: ModelCard, path: Path) -> tuple[list[int], int | None]:
    """Return the column index of each card feature (card order) and of an optional "note" column."""
    names = [_normalise_header(h) for h in header]
    positions: list[int] = []
    missing: list[str] = []
    for feature in card.features:
        accepted = {_normalise_header(feature.name), _normalise_header(feature.label)}
        found = [i for i, n in enumerate(names) if n in accepted]
        if len(found) > 1:
            columns = ", ".join(repr(header[i]) for i in found)
            raise InputError(f"the file {path} has more than one column for {feature.label}: {columns}")
        if found:
            positions.append(found[0])
        else:
            missing.append(feature.name)
    if missing:
        raise InputError(
            f"the file {path} has no column for {', '.join(missing)} "
            f"(its header is: {', '.join(h.strip() for h in header)}); "
            f"name the columns {', '.join(card.feature_names)}"
        )
    note_at = next((i for i, n in enumerate(names) if n == "note"), None)
    return positions, note_at


# ------------------------------------------------------------------ history out and back in
def history_columns(observations: Iterable[Observation]) -> list[str]:
    """Return the export columns: fixed ones plus every measurement and probability name, first seen first."""
    features: dict[str, None] = {}
    classes: dict[str, None] = {}
    for obs in observations:
        features.update(dict.fromkeys(obs.measurements))
        classes.update(dict.fromkeys(obs.probabilities))
    return [*_LEADING, *features, *_TRAILING[:2], *(_PROBABILITY_PREFIX + c for c in classes), *_TRAILING[2:]]


def _cells(obs: Observation, columns: Sequence[str]) -> list[str]:
    plain = {
        "id": obs.id,
        "created_at": obs.created_at,
        "updated_at": obs.updated_at,
        "observer": obs.observer,
        "predicted_species": obs.predicted_species,
        "confidence": repr(float(obs.confidence)),
        "confirmed_species": obs.confirmed_species or "",
        "unusual": ";".join(obs.unusual),
        "note": obs.note,
        "location": obs.location,
        "latitude": "" if obs.latitude is None else repr(obs.latitude),
        "longitude": "" if obs.longitude is None else repr(obs.longitude),
        "model_name": obs.model_name,
        "model_version": obs.model_version,
        "model_sha256": obs.model_sha256,
        "sync_state": obs.sync_state,
        "sync_error": obs.sync_error,
        "deleted": "1" if obs.deleted else "0",
    }
    out = []
    for column in columns:
        if column in plain:
            out.append(plain[column])
        elif column.startswith(_PROBABILITY_PREFIX) and column[2:] in obs.probabilities:
            out.append(repr(float(obs.probabilities[column[2:]])))
        elif column in obs.measurements:
            out.append(repr(float(obs.measurements[column])))
        else:
            out.append("")
    return out


def write_history(observations: Sequence[Observation], stream: IO[str]) -> None:
    """Write observations as CSV (header + one row each) to an open text stream."""
    columns = history_columns(observations)
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(columns)
    for obs in observations:
        writer.writerow(_cells(obs, columns))


def export_history(observations: Sequence[Observation], path: Path) -> None:
    """Write observations to a CSV file atomically: the file is either complete or not there."""
    path = Path(path)
    # newline="": the csv module writes its own line ends; utf-8-sig so spreadsheets detect UTF-8.
    with atomic_text_writer(path, encoding="utf-8-sig", newline="") as handle:
        write_history(observations, handle)


def import_history(path: Path) -> list[Observation]:
    """Read observations back from a CSV written by ``export_history``; raise ``InputError`` on bad rows."""
    from desktop.store import Observation

    text = _open_text(path)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    fixed = set(_LEADING) | set(_TRAILING)
    header = reader.fieldnames or []
    missing = [c for c in (*_LEADING, *_TRAILING) if c not in header]
    if missing:
        raise InputError(f"the file {path} is not an Iris Field history export (no column {missing[0]!r})")
    probability_columns = [c for c in header if c.startswith(_PROBABILITY_PREFIX) and c not in fixed]
    measurement_columns = [c for c in header if c not in fixed and c not in probability_columns]
    result: list[Observation] = []
    problems: list[str] = []
    for record in reader:
        try:
            result.append(
                Observation(
                    id=record["id"],
                    created_at=record["created_at"],
                    updated_at=record["updated_at"],
                    observer=record["observer"],
                    measurements={c: float(record[c]) for c in measurement_columns if record[c] != ""},
                    probabilities={c[2:]: float(record[c]) for c in probability_columns if record[c] != ""},
                    predicted_species=record["predicted_species"],
                    confidence=float(record["confidence"]),
                    confirmed_species=record["confirmed_species"] or None,
                    unusual=tuple(u for u in record["unusual"].split(";") if u),
                    note=record["note"],
                    location=record["location"],
                    latitude=float(record["latitude"]) if record["latitude"] else None,
                    longitude=float(record["longitude"]) if record["longitude"] else None,
                    model_name=record["model_name"],
                    model_version=record["model_version"],
                    model_sha256=record["model_sha256"],
                    sync_state=record["sync_state"],
                    sync_error=record["sync_error"],
                    deleted=record["deleted"] == "1",
                )
            )
        except (TypeError, ValueError) as exc:
            problems.append(f"line {reader.line_num}: {exc}")
    if problems:
        raise InputError(f"the file {path} has bad rows: {'; '.join(problems[:10])}")
    return result
