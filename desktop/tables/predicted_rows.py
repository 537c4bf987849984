"""The history rows of a predicted CSV chunk, built column by column from its arrays.

``predict --csv --save`` of a million rows cannot afford an ``Observation`` per row: here each column
is made for a whole chunk (JSON of measurements and probabilities formatted once per distinct value,
ids in one go) and zipped into the store's insert rows. What is saved is what
``observation_from_row`` + ``Observation.from_prediction`` would save, byte for byte (a test compares),
except that a chunk's rows share one save time.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from contract import observation as fields
from desktop.errors import InputError
from desktop.location import Location, located
from desktop.observation_extras import extras_json
from desktop.observation_ids import OBSERVATION_IDS
from desktop.store import EXTRAS_COLUMN, STORE_COLUMNS, ObservationRows, utc_now
from desktop.sync.states import SyncState
from desktop.tables import export_cells as cells
from desktop.tables.measurement_table import TableChunk, TextColumn
from desktop.tables.observation_csv import confirmed_species, observed_time

if TYPE_CHECKING:
    from desktop.model_delivery.model_store import ActiveModel
    from desktop.model_delivery.release import ModelStamp
    from desktop.prediction.engine import BatchPrediction
    from desktop.prediction.model_card import ModelCard


T = TypeVar("T")


@dataclass(frozen=True)
class BuiltRows:
    """A chunk's rows to save, or (when a cell could not be read) the lines that were bad and why."""

    rows: ObservationRows
    bad: list[tuple[int, str]]


def chunk_rows(
    chunk: TableChunk,
    predicted: BatchPrediction,
    card: ModelCard,
    observer: str,
    *,
    stamp: ModelStamp | None = None,
    challenger: ActiveModel | None = None,
) -> BuiltRows:
    """Return the rows saving ``chunk``'s flowers as ``predicted``; no rows when any of its cells is bad.

    ``observer`` stands in where a row has no observer cell; ``stamp`` is the predicting release and
    ``challenger`` the model answering in shadow (one ``predict_many`` per chunk).
    """
    count = len(predicted)
    texts = _text_columns(chunk, count)
    (times, species, places), bad = _cells(chunk, texts, card.classes)
    if bad:
        return BuiltRows(ObservationRows([]), bad)
    probabilities = predicted.probability_matrix.astype(np.float64)
    best = probabilities.argmax(axis=1)
    outlier_scores = predicted.outlier_scores
    h = cells.csv_header  # the history's columns of the contract's fields are named as its export's
    columns: dict[str, Any] = {
        h(fields.OBSERVATION_ID): OBSERVATION_IDS.many(count),
        h(fields.OBSERVED_AT): times,
        cells.UPDATED_AT: times,
        "measurements": json_objects(card.feature_names, predicted.inputs),
        "probabilities": json_objects(predicted.classes, probabilities),
        h(fields.PREDICTED_SPECIES): np.array(predicted.classes, dtype=object)[best].tolist(),
        h(fields.CONFIDENCE): probabilities[np.arange(count), best].tolist(),
        h(fields.UNUSUAL): _unusual(predicted.unusual_mask, predicted.feature_names),
        h(fields.MODEL_NAME): itertools.repeat(card.model_name),
        h(fields.MODEL_VERSION): itertools.repeat(card.model_version),
        h(fields.MODEL_SHA256): itertools.repeat(card.sha256),
        h(fields.OBSERVER): [(cell or observer).strip() for cell in texts[TextColumn.OBSERVER]],
        h(fields.NOTE): [cell.strip() for cell in texts[TextColumn.NOTE]],
        h(fields.LOCATION): [place.text for place in places],
        h(fields.LATITUDE): [place.latitude for place in places],
        h(fields.LONGITUDE): [place.longitude for place in places],
        h(fields.CONFIRMED_SPECIES): species,
        cells.SYNC_STATE: itertools.repeat(str(SyncState.PENDING)),
        cells.SYNC_ERROR: itertools.repeat(""),
        cells.DELETED: itertools.repeat(0),
        h(fields.OUTLIER): (
            itertools.repeat(0)
            if outlier_scores is None
            else (outlier_scores > predicted.outlier_threshold).astype(int).tolist()
        ),
        h(fields.OUTLIER_SCORE): (
            itertools.repeat(None) if outlier_scores is None else outlier_scores.astype(np.float64).tolist()
        ),
        h(fields.MODEL_REGISTRY): itertools.repeat(stamp.registry if stamp else ""),
        h(fields.MODEL_SEQUENCE): itertools.repeat(stamp.sequence if stamp else None),
        cells.CHALLENGER: _shadow_texts(challenger, predicted.inputs),
        EXTRAS_COLUMN: itertools.repeat(extras_json({})),  # an input table carries no extra field yet
    }
    # strict=False: the columns one value fills are endless repeats; the lists all have ``count`` items.
    rows = list(zip(*(columns[c] for c in STORE_COLUMNS), strict=False))
    return BuiltRows(ObservationRows(rows), [])


def json_objects(keys: Sequence[str], matrix: np.ndarray) -> list[str]:
    """Return ``json.dumps(dict(zip(keys, row)))`` of each row of a float matrix, as json.dumps writes it."""
    columns = [_float_texts(values) for values in np.asarray(matrix, dtype=np.float64).T]
    template = "{" + ", ".join(json.dumps(k).replace("%", "%%") + ": %s" for k in keys) + "}"
    return list(map(template.__mod__, zip(*columns, strict=True)))


def _float_texts(values: np.ndarray) -> list[str]:
    """Return ``repr`` of each value (as ``json.dumps`` writes a float), formatting each distinct one once."""
    # By bit pattern, so 0.0 and -0.0 keep their own texts.
    _, first, where = np.unique(values.view(np.int64), return_index=True, return_inverse=True)
    texts = np.array([repr(v) for v in values[first].tolist()], dtype=object)
    return texts[where.reshape(-1)].tolist()


def _text_columns(chunk: TableChunk, count: int) -> dict[TextColumn, list[str]]:
    """Return each optional text column of the chunk as a list ("" where the table has none)."""
    if not chunk.texts:
        blank = [""] * count
        return dict.fromkeys(TextColumn, blank)
    return {column: [row.get(column, "") for row in chunk.texts] for column in TextColumn}


def _times(cells: list[str]) -> tuple[list[str], dict[int, str]]:
    """Return each row's save time (its observed_at, else now) and the rows whose cell is unreadable."""
    now = utc_now()

    def saved_at(cell: str) -> str:
        when = observed_time(cell)
        return now if when is None else when.astimezone(UTC).isoformat(timespec="microseconds")

    return _each_distinct(cells, saved_at, "")


def _confirmed(cells: list[str], classes: Sequence[str]) -> tuple[list[str | None], dict[int, str]]:
    """Return each row's confirmed species (None where blank) and the rows naming no class."""
    return _each_distinct(cells, lambda cell: confirmed_species(cell, classes), None)


def _cells(
    chunk: TableChunk, texts: dict[TextColumn, list[str]], classes: Sequence[str]
) -> tuple[tuple[list[str], list[str | None], list[Location]], list[tuple[int, str]]]:
    """Return each row's save time, confirmed species and place, and the bad rows (line, why)."""
    times, bad_times = _times(texts[TextColumn.OBSERVED_AT])
    species, bad_species = _confirmed(texts[TextColumn.CONFIRMED_SPECIES], classes)
    places, bad_places = _places(texts)
    problems = [bad_times, bad_species, bad_places]
    bad = [
        (line, next(p[i] for p in problems if i in p))
        for i, line in enumerate(chunk.lines)
        if any(i in p for p in problems)
    ]
    return (times, species, places), bad


def _places(texts: dict[TextColumn, list[str]]) -> tuple[list[Location], dict[int, str]]:
    """Return where each row was measured (latitude/longitude cells, else location) and unreadable rows."""
    cells = [
        "\t".join(row)
        for row in zip(
            texts[TextColumn.LATITUDE], texts[TextColumn.LONGITUDE], texts[TextColumn.LOCATION], strict=True
        )
    ]
    return _each_distinct(cells, lambda cell: located(*cell.split("\t", 2)), Location())


def _each_distinct(
    cells: list[str], convert: Callable[[str], T], instead: T
) -> tuple[list[T], dict[int, str]]:
    """Return ``convert`` of each cell, each distinct cell converted once, and the rows it refused (why).

    A refused row's value is ``instead``.
    """
    known: dict[str, T] = {}
    refused: dict[str, str] = {}
    for cell in dict.fromkeys(cells):
        try:
            known[cell] = convert(cell)
        except InputError as exc:
            known[cell], refused[cell] = instead, str(exc)
    values = list(map(known.__getitem__, cells))
    bad = {i: refused[cell] for i, cell in enumerate(cells) if cell in refused} if refused else {}
    return values, bad


def _unusual(mask: np.ndarray, names: Sequence[str]) -> list[str]:
    """Return each row's unusual measurements as the JSON list the store keeps."""
    mask = np.asarray(mask, dtype=bool)
    codes = mask.astype(np.int64) @ (1 << np.arange(mask.shape[1], dtype=np.int64))
    distinct, where = np.unique(codes, return_inverse=True)
    texts = [json.dumps([n for i, n in enumerate(names) if code >> i & 1]) for code in distinct.tolist()]
    return np.array(texts, dtype=object)[where.reshape(-1)].tolist()


def _shadow_texts(challenger: ActiveModel | None, inputs: np.ndarray) -> Any:
    """Return each row's challenger answer as the JSON the store keeps (None where it gave none)."""
    from desktop.model_delivery.shadow import shadow_batch

    if challenger is None:
        return itertools.repeat(None)
    answers, accepted = shadow_batch(challenger, inputs)
    texts: list[str | None] = [None] * len(inputs)
    if answers is None:
        return texts
    classes = answers.classes
    probabilities = answers.probability_matrix.astype(np.float64)
    best = probabilities.argmax(axis=1)
    stamp = json.dumps(challenger.stamp.to_dict()).replace("%", "%%")
    template = f'{{"model": {stamp}, "species": %s, "probabilities": %s}}'
    species = np.array([json.dumps(c) for c in classes], dtype=object)[best].tolist()
    made = map(template.__mod__, zip(species, json_objects(classes, probabilities), strict=True))
    for i, text in zip(np.flatnonzero(accepted).tolist(), made, strict=True):
        texts[i] = text
    return texts
