"""What a field observation looks like in the lab: the sync's run keys it is read from, and its table columns.

The sync (``desktop/sync/run_record.py``) writes one MLflow run per observation; this module names the
keys the lab reads back and the columns of the one table ``iris-dataset`` builds from them. Keys that
newer app versions add (model delivery's release and shadow challenger, the joint outlier check) are
read when a run carries them; older runs leave those columns empty.
"""

from __future__ import annotations

from desktop import observation_signature as signed
from desktop.sync.experiment_page import EXPERIMENT_KIND_TAG, MODEL_TRAINING_KIND
from desktop.sync.run_record import CONFIRMED_SPECIES_TAG as CONFIRMED_SPECIES_TAG
from desktop.sync.run_record import OBSERVATION_ID_TAG as OBSERVATION_ID_TAG
from desktop.sync.run_record import SYNCED_AT_METRIC as SYNCED_AT_METRIC
from training.schema import CLASSES, FEATURE_NAMES

FIELD_EXPERIMENT = "field-observations"  # where the app syncs to unless a laptop is told otherwise
SNAPSHOT_EXPERIMENT = "field-data"  # iris-dataset logs each snapshot here as a dataset input
MONITORING_EXPERIMENT = "field-monitoring"  # iris-monitor logs each report here
# Both open in the MLflow UI as model-training experiments, like the laptops' one.
LAB_EXPERIMENT_TAGS = {EXPERIMENT_KIND_TAG: MODEL_TRAINING_KIND}
RUN_DESCRIPTION_TAG = "mlflow.note.content"

# ------------------------------------------------------------------------------------ run keys (read)
# The observation's own fields, which its laptop signs, are named once in desktop/observation_signature.py.
CONFIDENCE_METRIC = signed.CONFIDENCE_METRIC
DEVICE_TAG = signed.DEVICE_TAG
LATITUDE_TAG = signed.LATITUDE_TAG
LOCATION_TAG = signed.LOCATION_TAG
LONGITUDE_TAG = signed.LONGITUDE_TAG
MODEL_NAME_TAG = signed.MODEL_NAME_TAG
MODEL_REGISTRY_TAG = signed.MODEL_REGISTRY_TAG
MODEL_SEQUENCE_TAG = signed.MODEL_SEQUENCE_TAG
MODEL_SHA256_TAG = signed.MODEL_SHA256_TAG
MODEL_VERSION_TAG = signed.MODEL_VERSION_TAG
NOTE_TAG = signed.NOTE_TAG
OBSERVED_AT_TAG = signed.OBSERVED_AT_TAG
OBSERVER_TAG = signed.OBSERVER_TAG
PREDICTED_SPECIES_TAG = signed.PREDICTED_SPECIES_TAG
PROBABILITY_PREFIX = signed.PROBABILITY_PREFIX
APP_VERSION_TAG = "app_version"
# Model delivery (docs/model-delivery.md): the shadow challenger (the release that predicted is signed).
CHALLENGER_SPECIES_TAG = "challenger_species"
CHALLENGER_NAME_TAG = "challenger_name"
CHALLENGER_VERSION_TAG = "challenger_version"
CHALLENGER_SEQUENCE_TAG = "challenger_sequence"
CHALLENGER_PROBABILITY_PREFIX = "challenger_probability."
OUTLIER_TAG = "outlier"  # the joint unusual-flower check: "true" / "false"
UNUSUAL_TAG_PREFIX = "unusual."

# ------------------------------------------------------------------------------------ table columns
ID = "observation_id"
OBSERVED_AT = "observed_at"
OBSERVER = "observer"
DEVICE = "device"
LOCATION = "location"
LATITUDE = "latitude"
LONGITUDE = "longitude"
PREDICTED = "predicted_species"
CONFIDENCE = "confidence"
CONFIRMED = "confirmed_species"
RELEASE = "model_release"
REGISTRY = "model_registry"
MODEL_SHA256 = "model_sha256"
CHALLENGER = "challenger_species"
CHALLENGER_RELEASE = "challenger_release"
UNUSUAL = "unusual"
OUTLIER = "outlier"
NOTE = "note"
APP_VERSION = "app_version"
# verified, altered, unsigned or unknown-key (desktop/observation_signature.py's Integrity): iris-dataset's
# judgement of the run's device signature; iris-train --field-data learns from verified rows only.
INTEGRITY = "integrity"
RUN_ID = "run_id"
SYNCED_AT = "synced_at"


def probability_column(species: str) -> str:
    """Return the column holding the model's probability of ``species``."""
    return f"probability_{species}"


def challenger_probability_column(species: str) -> str:
    """Return the column holding the shadow challenger's probability of ``species``."""
    return f"challenger_probability_{species}"


NUMBER_COLUMNS = (
    LATITUDE,
    LONGITUDE,
    *FEATURE_NAMES,
    CONFIDENCE,
    *(probability_column(c) for c in CLASSES),
    *(challenger_probability_column(c) for c in CLASSES),
)
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
    INTEGRITY,
    RUN_ID,
    SYNCED_AT,
)
TEXT_COLUMNS = tuple(c for c in COLUMNS if c not in NUMBER_COLUMNS and c != SYNCED_AT)
