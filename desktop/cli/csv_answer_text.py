"""The text answer of ``predict --csv``, one line per flower, formatted a whole chunk at a time.

A line reads: line number, each measurement (``%g``), species, confidence and notes. Formatting a million
lines one by one in Python is the slowest part of a batch, so each distinct measurement is formatted once,
each combination of notes once, and the columns are joined by numpy's string functions.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from desktop.prediction.engine import UNCERTAIN_BELOW, BatchPrediction

UNLIKE_TRAINING = "unlike any flower the model was trained on"
UNCERTAIN = "uncertain"
NO_PERCENTAGE = "—"  # where a percentage would stand for a flower unlike any the model was trained on
GAP = "  "


def header_line(feature_names: Sequence[str], classes: Sequence[str]) -> str:
    """Return the line above the answers, aligned with them."""
    width = max(len(c) for c in classes)
    columns = GAP.join(f"{n:>12}" for n in feature_names)
    return f"{'line':>5}{GAP}{columns}{GAP}{'species':<{width}}{GAP}{'confidence':>10}{GAP}notes\n"


def notes_of(outlier: bool, uncertain: bool, unusual: Sequence[str]) -> str:
    """Return a flower's notes: unlike training, uncertain, the measurements outside the training range."""
    flags = [UNLIKE_TRAINING] if outlier else []
    if uncertain:
        flags.append(UNCERTAIN)
    if unusual:
        flags.append("unusual " + ", ".join(unusual))
    return "; ".join(flags)


def answer_lines(lines: Sequence[int], predicted: BatchPrediction) -> str:
    """Return one answer line per prediction (each ending in a newline); ``lines`` are their line numbers."""
    count = len(predicted)
    if count == 0:
        return ""
    classes = predicted.classes
    width = max(len(c) for c in classes)
    best = predicted.probability_matrix.argmax(axis=1)
    # float64 before comparing and scaling, as Python's float of each float32 would be.
    confidence = predicted.probability_matrix.max(axis=1).astype(np.float64)
    outliers = (
        predicted.outlier_scores > predicted.outlier_threshold
        if predicted.outlier_scores is not None
        else np.zeros(count, dtype=bool)
    )
    # Each column as a list of the very same few string objects, then one C-level join per line.
    numbers = np.asarray(lines, dtype=np.int64).astype(str)
    columns = [np.strings.rjust(numbers, 5).tolist()]
    for values in predicted.inputs.T:
        distinct, where = np.unique(values, return_inverse=True)
        columns.append(_strings([f"{v:>12g}" for v in distinct.tolist()], where))
    columns.append(_strings([f"{c:<{width}}" for c in classes], best))
    # No percentage for a flower unlike any in training: its confidence means little.
    percent = np.strings.rjust(np.strings.mod("%5.1f %%", confidence * 100), 10)
    columns.append(np.where(outliers, f"{NO_PERCENTAGE:>10}", percent).tolist())
    columns.append(_notes(outliers, confidence < UNCERTAIN_BELOW, predicted))
    return "\n".join(map(GAP.join, zip(*columns, strict=True))) + "\n"


def _strings(distinct: list[str], where: np.ndarray) -> list[str]:
    """Return ``distinct[i]`` for each ``i`` in ``where``, without a Python loop."""
    return np.array(distinct, dtype=object)[where.reshape(-1)].tolist()


def _notes(outliers: np.ndarray, uncertain: np.ndarray, predicted: BatchPrediction) -> list[str]:
    """Return each row's notes, formatting each combination of flags that occurs once."""
    unusual = np.asarray(predicted.unusual_mask, dtype=bool)
    flags = np.column_stack([outliers, uncertain, unusual]).astype(np.int64)
    codes = flags @ (1 << np.arange(flags.shape[1], dtype=np.int64))
    distinct, where = np.unique(codes, return_inverse=True)
    names = predicted.feature_names
    texts = []
    for code in distinct.tolist():
        odd = [n for i, n in enumerate(names) if code >> (2 + i) & 1]
        texts.append(notes_of(bool(code & 1), bool(code & 2), odd))
    return _strings(texts, where)
