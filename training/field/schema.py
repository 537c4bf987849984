"""What a field observation looks like in the lab: the sync's run keys it is read from, and its table columns.

The sync (``desktop/sync/run_record.py``) writes one MLflow run per observation; this module names the
keys the lab reads back and the columns of the one table ``iris-dataset`` builds from them. Keys that
newer app versions add (model delivery's release and shadow challenger, the joint outlier check) are
read when a run carries them; older runs leave those columns empty.
"""

from __future__ import annotations

from contract import observation as fields
from contract.mlflow_tags import MODEL_TRAINING_KIND, MlflowTag
from contract.registry import Experiment, ReleaseTag
from training.schema import CLASSES, FEATURE_NAMES

FIELD_EXPERIMENT = Experiment.FIELD.value  # where the app syncs to unless a laptop is told otherwise
SNAPSHOT_EXPERIMENT = Experiment.FIELD_DATA.value  # iris-dataset logs each snapshot here as a dataset input
MONITORING_EXPERIMENT = Experiment.MONITORING.value  # iris-monitor logs each report here
# Both open in the MLflow UI as model-training experiments, like the laptops' one.
LAB_EXPERIMENT_TAGS = {MlflowTag.EXPERIMENT_KIND.value: MODEL_TRAINING_KIND}
RUN_DESCRIPTION_TAG = MlflowTag.NOTE.value

# ------------------------------------------------------------------------------------ run keys (read)
OBSERVATION_ID_TAG = fields.OBSERVATION_ID.key
CONFIRMED_SPECIES_TAG = fields.CONFIRMED_SPECIES.key
SYNCED_AT_METRIC = fields.SYNCED_AT.key
OBSERVED_AT_TAG = fields.OBSERVED_AT.key
PREDICTED_SPECIES_TAG = fields.PREDICTED_SPECIES.key
OBSERVER_TAG = fields.OBSERVER.key
DEVICE_TAG = fields.DEVICE.key
LOCATION_TAG = fields.LOCATION.key
LATITUDE_TAG = fields.LATITUDE.key
LONGITUDE_TAG = fields.LONGITUDE.key
NOTE_TAG = fields.NOTE.key
APP_VERSION_TAG = fields.APP_VERSION.key
MODEL_NAME_TAG = fields.MODEL_NAME.key
MODEL_VERSION_TAG = fields.MODEL_VERSION.key
MODEL_SHA256_TAG = fields.MODEL_SHA256.key
# Model delivery (docs/model-delivery.md): the signed release that predicted, and the shadow challenger.
MODEL_REGISTRY_TAG = fields.MODEL_REGISTRY.key
MODEL_SEQUENCE_TAG = fields.MODEL_SEQUENCE.key
CHALLENGER_SPECIES_TAG = fields.CHALLENGER_SPECIES.key
CHALLENGER_REGISTRY_TAG = fields.CHALLENGER_REGISTRY.key
CHALLENGER_NAME_TAG = fields.CHALLENGER_NAME.key
CHALLENGER_VERSION_TAG = fields.CHALLENGER_VERSION.key
CHALLENGER_SEQUENCE_TAG = fields.CHALLENGER_SEQUENCE.key
CHALLENGER_PROBABILITY_PREFIX = fields.CHALLENGER_PROBABILITY.key_for("")
OUTLIER_TAG = fields.OUTLIER.key  # the joint unusual-flower check: "true" / "false"
UNUSUAL_TAG_PREFIX = fields.UNUSUAL.key_for("")
PROBABILITY_PREFIX = fields.PROBABILITY.key_for("")
CONFIDENCE_METRIC = fields.CONFIDENCE.key

# ------------------------------------------------------------------------------------ table columns
# A field's column is its name in the contract; the lab's own columns say what it judged or combined.
ID = fields.OBSERVATION_ID.name
OBSERVED_AT = fields.OBSERVED_AT.name
OBSERVER = fields.OBSERVER.name
DEVICE = fields.DEVICE.name
LOCATION = fields.LOCATION.name
LATITUDE = fields.LATITUDE.name
LONGITUDE = fields.LONGITUDE.name
PREDICTED = fields.PREDICTED_SPECIES.name
CONFIDENCE = fields.CONFIDENCE.name
CONFIRMED = fields.CONFIRMED_SPECIES.name
RELEASE = ReleaseTag.LABEL.value  # contract.registry.release_label: name, version, sequence, registry
REGISTRY = fields.MODEL_REGISTRY.name
MODEL_SHA256 = fields.MODEL_SHA256.name
CHALLENGER = fields.CHALLENGER_SPECIES.name
CHALLENGER_RELEASE = "challenger_release"  # labelled as RELEASE
UNUSUAL = fields.UNUSUAL.name  # the unusual measurements' names, joined by commas
OUTLIER = fields.OUTLIER.name
NOTE = fields.NOTE.name
APP_VERSION = fields.APP_VERSION.name
# verified, altered, unsigned or unknown-key (desktop/signing/observation_signature.py's Integrity):
# iris-dataset's
# judgement of the run's device signature; iris-train --field-data learns from verified rows only.
INTEGRITY = "integrity"
RUN_ID = "run_id"
SYNCED_AT = fields.SYNCED_AT.name


def probability_column(species: str) -> str:
    """Return the column holding the model's probability of ``species``."""
    return f"{fields.PROBABILITY.name}_{species}"


def challenger_probability_column(species: str) -> str:
    """Return the column holding the shadow challenger's probability of ``species``."""
    return f"{fields.CHALLENGER_PROBABILITY.name}_{species}"


# Which field each column holds (its kind types the column); RELEASE, CHALLENGER_RELEASE, INTEGRITY and
# RUN_ID are the lab's own.
COLUMN_FIELDS: dict[str, fields.ObservationField] = {
    ID: fields.OBSERVATION_ID,
    OBSERVED_AT: fields.OBSERVED_AT,
    OBSERVER: fields.OBSERVER,
    DEVICE: fields.DEVICE,
    LOCATION: fields.LOCATION,
    LATITUDE: fields.LATITUDE,
    LONGITUDE: fields.LONGITUDE,
    **dict.fromkeys(FEATURE_NAMES, fields.MEASUREMENT),
    PREDICTED: fields.PREDICTED_SPECIES,
    CONFIDENCE: fields.CONFIDENCE,
    **{probability_column(c): fields.PROBABILITY for c in CLASSES},
    CONFIRMED: fields.CONFIRMED_SPECIES,
    REGISTRY: fields.MODEL_REGISTRY,
    MODEL_SHA256: fields.MODEL_SHA256,
    CHALLENGER: fields.CHALLENGER_SPECIES,
    **{challenger_probability_column(c): fields.CHALLENGER_PROBABILITY for c in CLASSES},
    UNUSUAL: fields.UNUSUAL,
    OUTLIER: fields.OUTLIER,
    NOTE: fields.NOTE,
    APP_VERSION: fields.APP_VERSION,
    SYNCED_AT: fields.SYNCED_AT,
}
# Fields the table folds into a label (the releases), derives again, or judges (the signature): the runs
# keep them.
NOT_COLUMNS = frozenset(
    {
        fields.MODEL_NAME,
        fields.MODEL_VERSION,
        fields.MODEL_SEQUENCE,
        fields.CHALLENGER_NAME,
        fields.CHALLENGER_VERSION,
        fields.CHALLENGER_SEQUENCE,
        fields.CHALLENGER_REGISTRY,
        fields.CHALLENGER_SHA256,
        fields.CHALLENGER_AGREES,  # the challenger's species beside the predicted one says it
        fields.SPECIES,  # the confirmed species, else the predicted one
        fields.SIGNATURE,  # judged into INTEGRITY
    }
)
# Every other field a run carries is a column of its own, named and typed as the contract declares it.
EXTRA_FIELDS: tuple[fields.ObservationField, ...] = tuple(
    f
    for f in fields.FIELDS
    if f not in NOT_COLUMNS
    and f not in COLUMN_FIELDS.values()
    and f.slot is not fields.RunSlot.ARTIFACT
    and not f.family
)
COLUMN_FIELDS.update({f.name: f for f in EXTRA_FIELDS})

COLUMNS: tuple[str, ...] = (
    ID,
    OBSERVED_AT,
    OBSERVER,
    DEVICE,
    LOCATION,
    LATITUDE,
    LONGITUDE,
    *FEATURE_NAMES,
    PREDICTED,
    CONFIDENCE,
    *(probability_column(c) for c in CLASSES),
    CONFIRMED,
    RELEASE,
    REGISTRY,
    MODEL_SHA256,
    CHALLENGER,
    CHALLENGER_RELEASE,
    *(challenger_probability_column(c) for c in CLASSES),
    UNUSUAL,
    OUTLIER,
    NOTE,
    APP_VERSION,
    *(f.name for f in EXTRA_FIELDS),
    INTEGRITY,
    RUN_ID,
    SYNCED_AT,
)


def _columns_of(kind: fields.ValueKind) -> tuple[str, ...]:
    return tuple(
        c for c in COLUMNS if c in COLUMN_FIELDS and COLUMN_FIELDS[c].kind is kind and c != SYNCED_AT
    )


NUMBER_COLUMNS = _columns_of(fields.ValueKind.NUMBER)
TIME_COLUMNS = _columns_of(fields.ValueKind.TIME)  # UTC ISO text here, timestamps in Parquet
# true/false here, booleans in Parquet (UNUSUAL, one flag per measurement, is the list of those set)
FLAG_COLUMNS = tuple(c for c in _columns_of(fields.ValueKind.FLAG) if not COLUMN_FIELDS[c].family)
TEXT_COLUMNS = tuple(c for c in COLUMNS if c not in NUMBER_COLUMNS and c != SYNCED_AT)
