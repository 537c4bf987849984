"""The observation's fields that have no attribute of their own: declared in the contract, kept in ``extras``.

``Observation`` models the fields it was written for in attributes of its own (or derives them: the sync
adds the device, the app version, the sync time and the signature; the challenger's fields travel in its
shadow prediction). Every other field of ``contract/observation.py`` is an *extra*: its value (a number,
a flag or a text, by the field's kind) is kept in ``Observation.extras`` under the field's name, saved in
the history's ``extras`` JSON column, and carried by the CSV export and import, the run record and the
lab's table without their code naming it. Here: which fields are extras, and their values in each form.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from contract import observation as fields

# The fields ``Observation`` (and the sync, for the device, app and signature) holds or derives itself.
HELD = frozenset(
    {
        fields.OBSERVATION_ID,
        fields.OBSERVED_AT,
        fields.MEASUREMENT,
        fields.PREDICTED_SPECIES,
        fields.SPECIES,
        fields.PROBABILITY,
        fields.CONFIDENCE,
        fields.CONFIRMED_SPECIES,
        fields.UNUSUAL,
        fields.OUTLIER,
        fields.OUTLIER_SCORE,
        fields.MODEL_NAME,
        fields.MODEL_VERSION,
        fields.MODEL_SHA256,
        fields.MODEL_REGISTRY,
        fields.MODEL_SEQUENCE,
        fields.CHALLENGER_SPECIES,
        fields.CHALLENGER_REGISTRY,
        fields.CHALLENGER_NAME,
        fields.CHALLENGER_VERSION,
        fields.CHALLENGER_SHA256,
        fields.CHALLENGER_SEQUENCE,
        fields.CHALLENGER_AGREES,
        fields.CHALLENGER_PROBABILITY,
        fields.OBSERVER,
        fields.DEVICE,
        fields.APP_VERSION,
        fields.NOTE,
        fields.LOCATION,
        fields.LATITUDE,
        fields.LONGITUDE,
        fields.SYNCED_AT,
        fields.SIGNATURE,
    }
)
# The contract's other fields, in its order: each one value (a family would need code of its own).
EXTRA_FIELDS: tuple[fields.ObservationField, ...] = tuple(
    f for f in fields.FIELDS if f not in HELD and not f.family
)
_NONE = "{}"
# Flags as the history's CSV writes them, and as run tags carry them.
_CSV_FLAGS = {True: "1", False: "0"}
_TAG_FLAGS = {True: "true", False: "false"}


class ExtraValueError(ValueError):
    """A value that the field's kind cannot hold (its message says what was expected)."""


def checked(field: fields.ObservationField, value: Any) -> Any:
    """Return ``value`` as the field's kind holds it (float, bool or str), or raise ``ExtraValueError``."""
    if field.kind is fields.ValueKind.NUMBER:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise ExtraValueError(f"{field.name} must be a finite number, not {value!r}")
        return float(value)
    if field.kind is fields.ValueKind.FLAG:
        if not isinstance(value, bool):
            raise ExtraValueError(f"{field.name} must be true or false, not {value!r}")
        return value
    if not isinstance(value, str):
        raise ExtraValueError(f"{field.name} must be a text, not {value!r}")
    return value


def extras_json(extras: Mapping[str, Any]) -> str:
    """Return the extras as the history keeps them: a JSON object, keys sorted (``{}`` when none)."""
    if not extras:
        return _NONE  # nearly every observation: a million-row save pays no encoding
    return json.dumps(dict(sorted(extras.items())), ensure_ascii=False)


def extras_of(text: str | None) -> dict[str, Any]:
    """Return the extras the history kept; an unreadable text reads as none (it never hides the row)."""
    if text == _NONE:
        return {}  # nearly every row: a page of history decodes no JSON for it
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def csv_cell(field: fields.ObservationField, value: Any) -> str:
    """Return an extra's value as a history export writes it (blank when the observation has none)."""
    if value is None:
        return ""
    if field.kind is fields.ValueKind.NUMBER:
        return repr(float(value))
    if field.kind is fields.ValueKind.FLAG:
        return _CSV_FLAGS[bool(value)]
    return str(value)


def from_csv_cell(field: fields.ObservationField, text: str) -> Any:
    """Return the value a history export's cell holds (None when blank); ``ExtraValueError`` if unreadable."""
    if text == "":
        return None
    if field.kind is fields.ValueKind.NUMBER:
        try:
            return checked(field, float(text))
        except ValueError:
            raise ExtraValueError(f"{text!r} is not a finite number") from None
    if field.kind is fields.ValueKind.FLAG:
        if text not in ("0", "1"):
            raise ExtraValueError(f"{text!r} is neither 0 nor 1")
        return text == "1"
    return text


def run_text(field: fields.ObservationField, value: Any) -> str:
    """Return an extra's value as a run's tag or param carries it (numbers as the sync writes them)."""
    if field.kind is fields.ValueKind.NUMBER:
        return repr(float(value))
    if field.kind is fields.ValueKind.FLAG:
        return _TAG_FLAGS[bool(value)]
    return str(value)


# The extras a history export carries, by their column (after every column it had before them).
CSV_COLUMNS: dict[str, fields.ObservationField] = {f.csv_header: f for f in EXTRA_FIELDS if f.csv_header}
