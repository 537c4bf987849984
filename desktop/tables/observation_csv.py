"""CSV in and out: measurement rows for batch prediction, and the observation history as a table."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import stat
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING

from contract import observation as fields
from desktop import observation_extras as extras
from desktop.atomic_file import atomic_text_writer
from desktop.errors import InputError, StoreError, StoreProblem
from desktop.model_delivery.release import ModelStamp, ShadowPrediction
from desktop.sync.row_failure import failure_english
from desktop.tables import export_cells as history_cells
from desktop.tables.export_cells import csv_header
from desktop.tables.measurement_table import (
    MeasurementTable,
    TableRow,
    TableStream,
    TextColumn,
    read_table,
    stream_table,
)
from desktop.tables.spreadsheet_text import guarded

if TYPE_CHECKING:
    from desktop.history_query import HistoryQuery
    from desktop.prediction.engine import Prediction
    from desktop.prediction.model_card import ModelCard
    from desktop.store import Observation, ObservationStore
    from desktop.tables.history_import import ImportedRow

# Fixed columns of an exported history; measurement columns (card feature names) and one
# probability column per class ("p_<class>") sit between them. The contract (contract/observation.py) names
# the observation's own columns; the rest are this history's own (its sync state, its deletions).
UPDATED_AT, SYNC_STATE, SYNC_ERROR = (
    history_cells.UPDATED_AT,
    history_cells.SYNC_STATE,
    history_cells.SYNC_ERROR,
)
DELETED, CHALLENGER = history_cells.DELETED, history_cells.CHALLENGER
_LEADING = (
    csv_header(fields.OBSERVATION_ID),
    csv_header(fields.OBSERVED_AT),
    UPDATED_AT,
    csv_header(fields.OBSERVER),
)
_TRAILING = (
    csv_header(fields.PREDICTED_SPECIES),
    csv_header(fields.CONFIDENCE),
    csv_header(fields.CONFIRMED_SPECIES),
    csv_header(fields.UNUSUAL),
    csv_header(fields.NOTE),
    csv_header(fields.LOCATION),
    csv_header(fields.LATITUDE),
    csv_header(fields.LONGITUDE),
    csv_header(fields.MODEL_NAME),
    csv_header(fields.MODEL_VERSION),
    csv_header(fields.MODEL_SHA256),
    SYNC_STATE,
    SYNC_ERROR,
    DELETED,
    csv_header(fields.OUTLIER),
    csv_header(fields.OUTLIER_SCORE),
)
# The MLflow run a synced observation became (JSON; blank unless synced): a synced row comes back synced.
SYNC_RUN = history_cells.SYNC_RUN
# The release that predicted and the challenger's shadow answer (JSON); optional when reading older exports.
_RELEASE = (csv_header(fields.MODEL_REGISTRY), csv_header(fields.MODEL_SEQUENCE), CHALLENGER, SYNC_RUN)
# The contract's fields without an attribute of their own (desktop/observation_extras.py), last.
_EXTRAS = tuple(extras.CSV_COLUMNS)
# Columns added after the first exports: an export without them still imports.
_OPTIONAL = frozenset({csv_header(fields.OUTLIER), csv_header(fields.OUTLIER_SCORE), *_EXTRAS})
_PROBABILITY_PREFIX = history_cells.PROBABILITY_PREFIX
# Fixed columns that hold numbers (written as they are); every other fixed column holds text, written so a
# spreadsheet shows it as text (desktop/tables/spreadsheet_text.py).
_NUMBERS = frozenset(
    {
        *(csv_header(f) for f in (fields.CONFIDENCE, fields.LATITUDE, fields.LONGITUDE)),
        *(csv_header(f) for f in (fields.OUTLIER, fields.OUTLIER_SCORE, fields.MODEL_SEQUENCE)),
        DELETED,
        *(c for c, f in extras.CSV_COLUMNS.items() if f.kind in history_cells.UNGUARDED_KINDS),
    }
)
EXPORT_PAGE_ROWS = 5000  # rows an export reads from the history at a time


# A measurement row of an input CSV; the reading rules live in desktop/tables/measurement_table.py.
MeasurementRow = TableRow


def read_measurements(path: Path, card: ModelCard) -> MeasurementTable:
    """Read a CSV whose header names the card's features (see ``desktop.tables.measurement_table``).

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


# An ``observed_at`` cell: a date, optionally a time ("T" or a space) to the minute, second or microsecond,
# optionally a zone; the ISO 8601 extended forms people and spreadsheets write, nothing looser.
_OBSERVED_AT = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})?)?"
)


def observed_time(text: str) -> datetime | None:
    """Return the time an ``observed_at`` cell gives (None when blank); raise ``InputError`` if unreadable.

    A time without a zone was written on this computer's clock.
    """
    if not text:
        return None
    try:
        if not _OBSERVED_AT.fullmatch(text):  # strict: no week dates, no digits run together
            raise ValueError(text)
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


def _cells(obs: Observation, columns: Sequence[str], sync_run_of: Callable[[str], str] | None) -> list[str]:
    plain = _guarded_texts(
        {**_plain_cells(obs), SYNC_RUN: sync_run_of(obs.id) if sync_run_of is not None else ""}
    )
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


def _plain_cells(obs: Observation) -> dict[str, str]:
    """Return the cells of every fixed column (and of the observation's extras), before guarding texts."""
    h = csv_header
    return {
        h(fields.OBSERVATION_ID): obs.id,
        h(fields.OBSERVED_AT): obs.created_at,
        UPDATED_AT: obs.updated_at,
        h(fields.OBSERVER): obs.observer,
        h(fields.PREDICTED_SPECIES): obs.predicted_species,
        h(fields.CONFIDENCE): repr(float(obs.confidence)),
        h(fields.CONFIRMED_SPECIES): obs.confirmed_species or "",
        h(fields.UNUSUAL): ";".join(obs.unusual),
        h(fields.NOTE): obs.note,
        h(fields.LOCATION): obs.location,
        h(fields.LATITUDE): "" if obs.latitude is None else repr(obs.latitude),
        h(fields.LONGITUDE): "" if obs.longitude is None else repr(obs.longitude),
        h(fields.MODEL_NAME): obs.model_name,
        h(fields.MODEL_VERSION): obs.model_version,
        h(fields.MODEL_SHA256): obs.model_sha256,
        SYNC_STATE: obs.sync_state,
        SYNC_ERROR: failure_english(obs.sync_error),  # the command line's sentence, not the stored kind
        DELETED: "1" if obs.deleted else "0",
        h(fields.OUTLIER): "1" if obs.outlier else "0",
        h(fields.OUTLIER_SCORE): "" if obs.outlier_score is None else repr(float(obs.outlier_score)),
        h(fields.MODEL_REGISTRY): obs.model_registry,
        h(fields.MODEL_SEQUENCE): "" if obs.model_sequence is None else str(obs.model_sequence),
        CHALLENGER: json.dumps(obs.challenger.to_dict()) if obs.challenger else "",
        **{c: extras.csv_cell(f, obs.extras.get(f.name)) for c, f in extras.CSV_COLUMNS.items()},
    }


def _guarded_texts(plain: dict[str, str]) -> dict[str, str]:
    """Return the fixed cells with every text one written so a spreadsheet shows it as text."""
    return {column: cell if column in _NUMBERS else guarded(cell) for column, cell in plain.items()}


def write_history(
    observations: Iterable[Observation],
    stream: IO[str],
    columns: Sequence[str] | None = None,
    sync_run_of: Callable[[str], str] | None = None,
) -> int:
    """Write observations as CSV (header + one row each) to an open text stream; return how many.

    With ``columns`` (see ``columns_for``) the observations are written as they come, never all held.
    ``sync_run_of`` gives the ``sync_run`` cell of an id (the store's ``synced_run_cell``; else blank).
    """
    if columns is None:
        observations = list(observations)
        columns = history_columns(observations)
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(columns)
    written = 0
    for obs in observations:
        writer.writerow(_cells(obs, columns, sync_run_of))
        written += 1
    return written


def columns_for(features: Iterable[str], classes: Iterable[str]) -> list[str]:
    """Return the export columns for observations with these measurement and class names."""
    probabilities = (_PROBABILITY_PREFIX + c for c in classes)
    return [*_LEADING, *features, *_TRAILING[:2], *probabilities, *_TRAILING[2:], *_RELEASE, *_EXTRAS]


def check_export_target(path: Path, *, overwrite: bool) -> Path:
    """Return where an export to ``path`` is written; raise ``InputError`` naming ``path`` if nowhere.

    Only a regular file is ever replaced (never a device, a pipe or a folder: renaming over a device
    would replace it by a file), and only with ``overwrite``. A symbolic link (even one to nothing) is
    never followed nor replaced without ``overwrite``; with it, the file the link points to is written
    and the link stays as it was (replacing the link itself would silently cut it from its target).
    """
    path = Path(path)
    try:
        is_link = stat.S_ISLNK(path.lstat().st_mode)
    except FileNotFoundError:
        is_link = False
    except OSError as exc:
        raise _not_written(path, exc.strerror or str(exc)) from None
    if is_link:
        target = Path(os.path.realpath(path))
        if not overwrite:
            there = "" if target.exists() else ", which does not exist"
            raise InputError(
                f"{path} is a symbolic link to {target}{there}; add --force to write {target} through it"
            )
        _check_plain_target(target, overwrite=True)
        return target
    _check_plain_target(path, overwrite=overwrite)
    return path


def _check_plain_target(path: Path, *, overwrite: bool) -> None:
    """Raise unless ``path`` (no link) is a new file in an existing folder, or a regular file to replace."""
    from desktop.file_kinds import FILE, kind_name

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
        raise _not_written(path, exc.strerror or str(exc)) from None
    kind = kind_name(mode)
    if kind != FILE:
        raise InputError(f"cannot write {path}: it is {kind}, not a regular file; name a new file")
    if not overwrite:
        raise InputError(f"{path} already exists; add --force to overwrite it")


def _not_written(path: Path, detail: str) -> StoreError:
    return StoreError(
        f"cannot write {path}: {detail}", StoreProblem.EXPORT_NOT_WRITTEN, path=path, detail=detail
    )


def export_history(
    observations: Iterable[Observation],
    path: Path,
    columns: Sequence[str] | None = None,
    *,
    overwrite: bool = True,
    sync_run_of: Callable[[str], str] | None = None,
) -> int:
    """Write observations to a CSV file atomically (complete or not there); return how many.

    Errors name ``path`` (never the temporary file beside it); ``path`` is then unchanged.
    """
    return _export(
        path, lambda handle: write_history(observations, handle, columns, sync_run_of), overwrite=overwrite
    )


def write_history_pages(pages: Iterable[list[tuple]], stream: IO[str], columns: Sequence[str]) -> int:
    """Write what ``write_history`` writes, from pages of ``history_cells.select_list(columns)`` rows."""
    from desktop.tables.export_cells import page_cells

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
    from desktop.tables.export_cells import column_wise, select_list

    columns = columns_for(*store.measured_names())
    if column_wise(columns):
        pages = store.iterate_pages(query, select_list(columns), page_size=EXPORT_PAGE_ROWS)
        return export_history_pages(pages, path, columns, overwrite=overwrite)
    observations = store.iterate(query, page_size=EXPORT_PAGE_ROWS)
    return export_history(observations, path, columns, overwrite=overwrite, sync_run_of=store.synced_run_cell)


def _export(path: Path, write: Callable[[IO[str]], int], *, overwrite: bool) -> int:
    """Write a CSV file atomically with ``write``; errors name ``path``, which is then unchanged."""
    path = Path(path)
    target = check_export_target(path, overwrite=overwrite)
    try:
        # newline="": the csv module writes its own line ends; utf-8-sig so spreadsheets detect UTF-8.
        # An export is the user's document: created as the umask says (a replaced file keeps its mode).
        with atomic_text_writer(target, encoding="utf-8-sig", newline="", as_document=True) as handle:
            return write(handle)
    except OSError as exc:
        detail = exc.strerror or str(exc)
        raise StoreError(
            f"cannot write {path}: {detail}; {path} is unchanged",
            StoreProblem.EXPORT_NOT_WRITTEN,
            path=path,
            detail=detail,
        ) from None


def import_history(path: Path, card: ModelCard | None = None) -> list[Observation]:
    """Read observations back from a CSV written by ``export_history``; raise ``InputError`` on bad rows.

    With ``card``, measurements and species are checked against that model (see ``import_rows``).
    """
    return [row.observation for row in import_rows(path, card)]


def import_rows(path: Path, card: ModelCard | None = None) -> list[ImportedRow]:
    """Return the checked rows of an export, each with the run it became if it was synced."""
    from desktop.tables.history_import import read_export

    return read_export(path, card, (_LEADING, _TRAILING, _OPTIONAL, (*_RELEASE, *_EXTRAS)))
