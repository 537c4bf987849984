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
RELEASE = ReleaseTag.LABEL.value  # contract.registry.release_label: name, version, sequence, registry
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
