"""The fields of one field observation, declared once for every place that stores, sends or publishes it.

Each ``ObservationField`` says what the value is (kind, unit), how the history's CSV heads it, where the
sync puts it in an MLflow run (param, metric or tag, and its key), which Darwin Core term publishes it,
and whether the device's signature covers it. The run record, the CSV export and import, the lab's field
table, the archive and the monitor read these declarations instead of spelling names.

Per-species and per-measurement values (probabilities, unusual flags, measurements) are declared as
families: ``key`` then holds a ``{}`` that the species or measurement name fills in.

Adding a field: declare it here and put it in ``FIELDS`` (one value, not a family). The laptop keeps it in
``Observation.extras`` (one JSON column of the history: no migration), the CSV export and import carry it
under ``csv_header`` (after the columns there today), the sync sends it in its ``slot`` under ``key`` (and
signs it if ``signed``), the lab's table holds it as the column ``name`` typed by ``kind``, and the Darwin
Core Archive publishes it as ``dwc_term``. What still needs a hand is listed in
``TOUCH_WHEN_ADDING_A_FIELD``; ``tests/contract/test_a_new_field.py`` adds one to a copy of the project and
follows it from the history to the archive.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ValueKind(StrEnum):
    """What a field's value is, whatever the format that carries it."""

    ID = "id"  # a UUID
    TIME = "time"  # an ISO-8601 time with its offset
    NUMBER = "number"
    FLAG = "flag"  # true / false
    SPECIES = "species"  # one of the model card's classes
    TEXT = "text"


class RunSlot(StrEnum):
    """Where a field travels in the MLflow run of its observation."""

    PARAM = "param"
    METRIC = "metric"
    TAG = "tag"
    ARTIFACT = "artifact"  # only in observation.json (whole texts, nested values)


@dataclass(frozen=True)
class ObservationField:
    """One field of an observation, and its name in every format that carries it."""

    name: str  # the observation's attribute, and the lab table's column
    kind: ValueKind
    slot: RunSlot
    key: str  # its MLflow key (a ``{}`` in a family)
    csv_header: str | None = None  # the history export's column; None when the CSV does not carry it
    dwc_term: str | None = None  # the Darwin Core term that publishes it, if any
    unit: str = ""
    signed: bool = True  # covered by the device's signature: a change after the laptop sent it shows

    @property
    def family(self) -> bool:
        """Return whether the field is one per species or per measurement (its key holds ``{}``)."""
        return "{}" in self.key

    def key_for(self, member: str) -> str:
        """Return the MLflow key of one member of a family (a species, a measurement)."""
        return self.key.format(member)


_F, _K, _S = ObservationField, ValueKind, RunSlot

OBSERVATION_ID = _F("observation_id", _K.ID, _S.TAG, "observation_id", "id", "occurrenceID")
OBSERVED_AT = _F("observed_at", _K.TIME, _S.TAG, "observed_at", "created_at", "eventDate")
MEASUREMENT = _F("measurement", _K.NUMBER, _S.PARAM, "{}", "{}", "measurementValue", unit="cm")
PREDICTED_SPECIES = _F("predicted_species", _K.SPECIES, _S.TAG, "predicted_species", "predicted_species")
SPECIES = _F("species", _K.SPECIES, _S.TAG, "species", signed=False)  # confirmed, else predicted: derived
PROBABILITY = _F("probability", _K.NUMBER, _S.METRIC, "probability.{}", "p_{}")
CONFIDENCE = _F("confidence", _K.NUMBER, _S.METRIC, "confidence", "confidence")
CONFIRMED_SPECIES = _F(
    "confirmed_species", _K.SPECIES, _S.TAG, "confirmed_species", "confirmed_species", "scientificName"
)
UNUSUAL = _F("unusual", _K.FLAG, _S.TAG, "unusual.{}", "unusual")
OUTLIER = _F("outlier", _K.FLAG, _S.TAG, "outlier", "outlier")
OUTLIER_SCORE = _F("outlier_score", _K.NUMBER, _S.ARTIFACT, "outlier.score", "outlier_score")
MODEL_NAME = _F("model_name", _K.TEXT, _S.TAG, "model_name", "model_name")
MODEL_VERSION = _F("model_version", _K.TEXT, _S.TAG, "model_version", "model_version")
MODEL_SHA256 = _F("model_sha256", _K.TEXT, _S.TAG, "model_sha256", "model_sha256")
MODEL_REGISTRY = _F("model_registry", _K.TEXT, _S.TAG, "model_registry", "model_registry")
MODEL_SEQUENCE = _F("model_sequence", _K.NUMBER, _S.TAG, "model_sequence", "model_sequence")
CHALLENGER_SPECIES = _F("challenger_species", _K.SPECIES, _S.TAG, "challenger_species", signed=False)
CHALLENGER_REGISTRY = _F("challenger_registry", _K.TEXT, _S.TAG, "challenger_registry", signed=False)
CHALLENGER_NAME = _F("challenger_name", _K.TEXT, _S.TAG, "challenger_name", signed=False)
CHALLENGER_VERSION = _F("challenger_version", _K.TEXT, _S.TAG, "challenger_version", signed=False)
CHALLENGER_SHA256 = _F("challenger_sha256", _K.TEXT, _S.TAG, "challenger_sha256", signed=False)
CHALLENGER_SEQUENCE = _F("challenger_sequence", _K.NUMBER, _S.TAG, "challenger_sequence", signed=False)
CHALLENGER_AGREES = _F("challenger_agrees", _K.FLAG, _S.TAG, "challenger_agrees", signed=False)
CHALLENGER_PROBABILITY = _F(
    "challenger_probability", _K.NUMBER, _S.METRIC, "challenger_probability.{}", signed=False
)
OBSERVER = _F("observer", _K.TEXT, _S.TAG, "observer", "observer", "recordedBy")
DEVICE = _F("device", _K.TEXT, _S.TAG, "device")
APP_VERSION = _F("app_version", _K.TEXT, _S.TAG, "app_version", signed=False)
NOTE = _F("note", _K.TEXT, _S.TAG, "note", "note", "occurrenceRemarks")
LOCATION = _F("location", _K.TEXT, _S.TAG, "location", "location", "locality")
LATITUDE = _F("latitude", _K.NUMBER, _S.TAG, "latitude", "latitude", "decimalLatitude", unit="°")
LONGITUDE = _F("longitude", _K.NUMBER, _S.TAG, "longitude", "longitude", "decimalLongitude", unit="°")
SYNCED_AT = _F("synced_at", _K.NUMBER, _S.METRIC, "synced_at", signed=False, unit="ms")
# The device's signature over the signed fields (desktop/signing/observation_signature.py):
# ``signature.version``,
# ``signature.key`` (the key's fingerprint), ``signature.public_key`` and ``signature.value``.
SIGNATURE = _F("signature", _K.TEXT, _S.TAG, "signature.{}", signed=False)

FIELDS: tuple[ObservationField, ...] = (
    OBSERVATION_ID,
    OBSERVED_AT,
    MEASUREMENT,
    PREDICTED_SPECIES,
    SPECIES,
    PROBABILITY,
    CONFIDENCE,
    CONFIRMED_SPECIES,
    UNUSUAL,
    OUTLIER,
    OUTLIER_SCORE,
    MODEL_NAME,
    MODEL_VERSION,
    MODEL_SHA256,
    MODEL_REGISTRY,
    MODEL_SEQUENCE,
    CHALLENGER_SPECIES,
    CHALLENGER_REGISTRY,
    CHALLENGER_NAME,
    CHALLENGER_VERSION,
    CHALLENGER_SHA256,
    CHALLENGER_SEQUENCE,
    CHALLENGER_AGREES,
    CHALLENGER_PROBABILITY,
    OBSERVER,
    DEVICE,
    APP_VERSION,
    NOTE,
    LOCATION,
    LATITUDE,
    LONGITUDE,
    SYNCED_AT,
    SIGNATURE,
)
BY_NAME: dict[str, ObservationField] = {f.name: f for f in FIELDS}

# The files a new field may still need by hand (a test checks each exists), and why. Nothing else: the
# history, the CSV export and import, the run record and its signature, the lab's table and the archive
# follow ``FIELDS``.
TOUCH_WHEN_ADDING_A_FIELD: tuple[tuple[str, str], ...] = (
    ("contract/observation.py", "declare the field and add it to FIELDS"),
    ("desktop/ui/save_form.py", "a box to type it in the window (its value goes into Observation.extras)"),
    ("assets/translations/iris_field_en.ts", "the box's label in English"),
    ("assets/translations/iris_field_de.ts", "the box's label in German (the window must fit 800x600)"),
    ("desktop/tables/measurement_table.py", "a TextColumn, for predict --csv to read it from an input table"),
    ("docs/sync.md", "the key in the table of what a run carries"),
    ("docs/lab.md", "the column in the table of the dataset's columns"),
)
