"""CSV in and out: measurement rows for batch prediction, and the observation history as a table."""

from __future__ import annotations

import csv
import io
import json
import stat
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING

from desktop.atomic_file import atomic_text_writer
from desktop.errors import InputError, StoreError, StoreProblem
from desktop.measurement_table import (
    MeasurementTable,
    TableRow,
    TableStream,
    TextColumn,
    decode_file,
    read_table,
    stream_table,
)
from desktop.model_delivery.release import ModelStamp, ShadowPrediction

if TYPE_CHECKING:
    from desktop.history_query import HistoryQuery
    from desktop.inference import Prediction
    from desktop.model_card import ModelCard
    from desktop.store import Observation, ObservationStore

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
    "outlier",
    "outlier_score",
)
# Columns added after the first exports: an export without them still imports.
_OPTIONAL = frozenset({"outlier", "outlier_score"})
_PROBABILITY_PREFIX = "p_"
EXPORT_PAGE_ROWS = 5000  # rows an export reads from the history at a time
# The release that predicted and the challenger's shadow answer (JSON); optional when reading older exports.
_RELEASE = ("model_registry", "model_sequence", "challenger")


# A measurement row of an input CSV; the reading rules live in desktop/measurement_table.py.
MeasurementRow = TableRow


def read_measurements(path: Path, card: ModelCard) -> MeasurementTable:
    """Read a CSV whose header names the card's features (see ``desktop.measurement_table``).

    Raises ``InputError`` when the file cannot be read, a feature column is missing, or it has no rows.
    Plausibility is not checked here: the classifier judges values, so those rules live in one place.
    """
    return read_table(path, card.features)


def stream_measurements(path: Path, card: ModelCard) -> TableStream:
    """Read the same table as ``read_measurements``, a chunk of rows at a time (``predict --csv``)."""
    return stream_table(path, card.features)


def read_measurement_rows(path: Path, card: ModelCard) -> list[MeasurementRow]:
    """Return the rows of ``read_measurements`` (line numbers, measurements in cm, notes)."""
    return list(read_measurements(path, card).rows)


def observation_from_row(
    prediction: Prediction,
    texts: Mapping[TextColumn, str],
    card: ModelCard,
    observer: str,
    *,
    stamp: ModelStamp | None = None,
    challenger: ShadowPrediction | None = None,
) -> Observation:
    """Build the observation a CSV row describes: its note, location, observer, time and confirmed species.

    ``texts`` are the row's optional text cells; ``stamp`` and ``challenger`` as for
    ``Observation.from_prediction``. Raise ``InputError`` naming the cell when a time or a species cannot
    be read.
    """
    from desktop.location import located
    from desktop.store import Observation

    when = observed_time(texts.get(TextColumn.OBSERVED_AT, ""))
    place = located(
        texts.get(TextColumn.LATITUDE, ""),
        texts.get(TextColumn.LONGITUDE, ""),
        texts.get(TextColumn.LOCATION, ""),
    )
    obs = Observation.from_prediction(
        prediction,
        card,
        observer=texts.get(TextColumn.OBSERVER, "") or observer,
        note=texts.get(TextColumn.NOTE, ""),
        location=place.text,
        latitude=place.latitude,
        longitude=place.longitude,
        now=when,
        stamp=stamp,
        challenger=challenger,
    )
    species = confirmed_species(texts.get(TextColumn.CONFIRMED_SPECIES, ""), card.classes)
    return obs if species is None else replace(obs, confirmed_species=species)


def observed_time(text: str) -> datetime | None:
    """Return the time an ``observed_at`` cell gives (None when blank); raise ``InputError`` if unreadable.

    A time without a zone was written on this computer's clock.
    """
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(f"observed_at {text!r} is not a date and time like 2026-05-01T09:30") from None
    return when.astimezone() if when.tzinfo is None else when


def confirmed_species(text: str, classes: Sequence[str]) -> str | None:
    """Return the class a ``confirmed_species`` cell names (None when blank); raise ``InputError`` if none."""
    if not text:
        return None
    species = species_of(text, classes)
    if species is None:
        raise InputError(f"confirmed_species {text!r} is not one of {', '.join(classes)}")
    return species


def species_of(text: str, classes: Sequence[str]) -> str | None:
    """Return the class a species cell names ("setosa", "Iris setosa", "Iris-setosa"), or None."""
    name = text.strip().lower()
    for prefix in ("iris-", "iris "):
        if name.startswith(prefix):
            name = name[len(prefix) :].strip()
    return name if name in classes else None


# ------------------------------------------------------------------ history out and back in
def history_columns(observations: Iterable[Observation]) -> list[str]:
    """Return the export columns: fixed ones plus every measurement and probability name, first seen first."""
    features: dict[str, None] = {}
    classes: dict[str, None] = {}
    for obs in observations:
        features.update(dict.fromkeys(obs.measurements))
        classes.update(dict.fromkeys(obs.probabilities))
    return columns_for(features, classes)


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
        "outlier": "1" if obs.outlier else "0",
        "outlier_score": "" if obs.outlier_score is None else repr(float(obs.outlier_score)),
        "model_registry": obs.model_registry,
        "model_sequence": "" if obs.model_sequence is None else str(obs.model_sequence),
        "challenger": json.dumps(obs.challenger.to_dict()) if obs.challenger else "",
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


def write_history(
    observations: Iterable[Observation], stream: IO[str], columns: Sequence[str] | None = None
) -> int:
    """Write observations as CSV (header + one row each) to an open text stream; return how many.

    With ``columns`` (see ``columns_for``) the observations are written as they come, never all held.
    """
    if columns is None:
        observations = list(observations)
        columns = history_columns(observations)
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(columns)
    written = 0
    for obs in observations:
        writer.writerow(_cells(obs, columns))
        written += 1
    return written


def columns_for(features: Iterable[str], classes: Iterable[str]) -> list[str]:
    """Return the export columns for observations with these measurement and class names."""
    probabilities = (_PROBABILITY_PREFIX + c for c in classes)
    return [*_LEADING, *features, *_TRAILING[:2], *probabilities, *_TRAILING[2:], *_RELEASE]


def check_export_target(path: Path, *, overwrite: bool) -> None:
    """Raise ``InputError`` naming ``path`` unless an export may be written there.

    Only a regular file is ever replaced (never a device, a pipe or a folder: renaming over a device
    would replace it by a file), and only with ``overwrite``.
    """
    path = Path(path)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        if not path.parent.is_dir():
            raise StoreError(
                f"cannot write {path}: the folder {path.parent} does not exist",
                StoreProblem.EXPORT_FOLDER_MISSING,
                path=path,
                folder=path.parent,
            ) from None
        return
    except OSError as exc:
        raise StoreError(
            f"cannot write {path}: {exc.strerror}",
            StoreProblem.EXPORT_NOT_WRITTEN,
            path=path,
            detail=exc.strerror,
        ) from None
    if not stat.S_ISREG(mode):
        kind = "a folder" if stat.S_ISDIR(mode) else "a device, pipe or socket"
        raise InputError(f"cannot write {path}: it is {kind}, not a regular file; name a new file")
    if not overwrite:
        raise InputError(f"{path} already exists; add --force to overwrite it")


def export_history(
    observations: Iterable[Observation],
    path: Path,
    columns: Sequence[str] | None = None,
    *,
    overwrite: bool = True,
) -> int:
    """Write observations to a CSV file atomically (complete or not there); return how many.

    Errors name ``path`` (never the temporary file beside it); ``path`` is then unchanged.
    """
    return _export(path, lambda handle: write_history(observations, handle, columns), overwrite=overwrite)


def write_history_pages(pages: Iterable[list[tuple]], stream: IO[str], columns: Sequence[str]) -> int:
    """Write what ``write_history`` writes, from pages of ``history_cells.select_list(columns)`` rows."""
    from desktop.history_cells import page_cells

    csv.writer(stream, lineterminator="\n").writerow(columns)
    written = 0
    for page in pages:
        text = io.StringIO()  # a page at a time: one write (and one encoding) per page, not per row
        csv.writer(text, lineterminator="\n").writerows(page_cells(page, columns))
        stream.write(text.getvalue())
        written += len(page)
    return written


def export_history_pages(
    pages: Iterable[list[tuple]], path: Path, columns: Sequence[str], *, overwrite: bool = True
) -> int:
    """Write ``write_history_pages`` to a file as ``export_history`` does (atomically); return how many."""
    return _export(path, lambda handle: write_history_pages(pages, handle, columns), overwrite=overwrite)


def export_listed(store: ObservationStore, query: HistoryQuery, path: Path, *, overwrite: bool = True) -> int:
    """Export what ``query`` lists in ``store`` to a CSV file atomically, a page at a time; return how many.

    Column by column (``history_cells``) where SQLite can pick the columns out, else one observation at a
    time; both write the same bytes. ``history --csv FILE`` and the window's export both come here.
    """
    from desktop.history_cells import column_wise, select_list

    columns = columns_for(*store.measured_names())
    if column_wise(columns):
        pages = store.iterate_pages(query, select_list(columns), page_size=EXPORT_PAGE_ROWS)
        return export_history_pages(pages, path, columns, overwrite=overwrite)
    observations = store.iterate(query, page_size=EXPORT_PAGE_ROWS)
    return export_history(observations, path, columns, overwrite=overwrite)


def _export(path: Path, write: Callable[[IO[str]], int], *, overwrite: bool) -> int:
    """Write a CSV file atomically with ``write``; errors name ``path``, which is then unchanged."""
    path = Path(path)
    check_export_target(path, overwrite=overwrite)
    try:
        # newline="": the csv module writes its own line ends; utf-8-sig so spreadsheets detect UTF-8.
        with atomic_text_writer(path, encoding="utf-8-sig", newline="") as handle:
            return write(handle)
    except OSError as exc:
        detail = exc.strerror or str(exc)
        raise StoreError(
            f"cannot write {path}: {detail}; {path} is unchanged",
            StoreProblem.EXPORT_NOT_WRITTEN,
            path=path,
            detail=detail,
        ) from None


def _challenger(text: str) -> ShadowPrediction | None:
    return ShadowPrediction.from_dict(json.loads(text)) if text else None


def import_history(path: Path) -> list[Observation]:
    """Read observations back from a CSV written by ``export_history``; raise ``InputError`` on bad rows."""
    from desktop.store import Observation

    text, _, _ = decode_file(path)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    fixed = set(_LEADING) | set(_TRAILING) | set(_RELEASE)
    header = reader.fieldnames or []
    missing = [c for c in (*_LEADING, *_TRAILING) if c not in header and c not in _OPTIONAL]
    if missing:
        raise InputError(f"the file {path} is not an Iris Field history export (no column {missing[0]!r})")
    probability_columns = [c for c in header if c.startswith(_PROBABILITY_PREFIX) and c not in fixed]
    measurement_columns = [c for c in header if c not in fixed and c not in probability_columns]
    result: list[Observation] = []
    problems: list[str] = []
    from desktop.store import SYNC_STATES

    for record in reader:
        if record["sync_state"] not in SYNC_STATES:
            problems.append(f"line {reader.line_num}: sync_state {record['sync_state']!r} is unknown")
            continue
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
                    outlier=record.get("outlier") == "1",
                    outlier_score=float(record["outlier_score"]) if record.get("outlier_score") else None,
                    model_registry=record.get("model_registry") or "",
                    model_sequence=int(record["model_sequence"]) if record.get("model_sequence") else None,
                    challenger=_challenger(record.get("challenger") or ""),
                )
            )
        except (TypeError, ValueError) as exc:
            problems.append(f"line {reader.line_num}: {exc}")
    if problems:
        raise InputError(f"the file {path} has bad rows: {'; '.join(problems[:10])}")
    return result
