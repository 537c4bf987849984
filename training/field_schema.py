"""What a field observation looks like in the lab: the sync's run keys it is read from, and its table columns.

The sync (``desktop/sync/run_record.py``) writes one MLflow run per observation; this module names the
keys the lab reads back and the columns of the one table ``iris-dataset`` builds from them. Keys that
newer app versions add (model delivery's release and shadow challenger, the joint outlier check) are
read when a run carries them; older runs leave those columns empty.
"""

from __future__ import annotations

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
OBSERVED_AT_TAG = "observed_at"
PREDICTED_SPECIES_TAG = "predicted_species"
OBSERVER_TAG = "observer"
DEVICE_TAG = "device"
LOCATION_TAG = "location"
LATITUDE_TAG = "latitude"
LONGITUDE_TAG = "longitude"
NOTE_TAG = "note"
APP_VERSION_TAG = "app_version"
MODEL_NAME_TAG = "model_name"
MODEL_VERSION_TAG = "model_version"
MODEL_SHA256_TAG = "model_sha256"
# Model delivery (docs/model-delivery.md): the signed release that predicted, and the shadow challenger.
MODEL_REGISTRY_TAG = "model_registry"
MODEL_SEQUENCE_TAG = "model_sequence"
CHALLENGER_SPECIES_TAG = "challenger_species"
CHALLENGER_REGISTRY_TAG = "challenger_registry"
CHALLENGER_NAME_TAG = "challenger_name"
CHALLENGER_VERSION_TAG = "challenger_version"
CHALLENGER_SEQUENCE_TAG = "challenger_sequence"
CHALLENGER_PROBABILITY_PREFIX = "challenger_probability."
OUTLIER_TAG = "outlier"  # the joint unusual-flower check: "true" / "false"
UNUSUAL_TAG_PREFIX = "unusual."
PROBABILITY_PREFIX = "probability."
CONFIDENCE_METRIC = "confidence"

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
    RUN_ID,
    SYNCED_AT,
)
TEXT_COLUMNS = tuple(c for c in COLUMNS if c not in NUMBER_COLUMNS and c != SYNCED_AT)
