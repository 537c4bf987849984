"""What one observation becomes in MLflow: run name, start time, params, metrics, tags, observation.json."""

from __future__ import annotations

import json
import math
import re
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from contract import observation as fields
from contract import registry as contract_registry
from contract.mlflow_tags import MlflowTag
from desktop import __version__
from desktop import observation_extras as extras
from desktop.signing import observation_signature as sig

if TYPE_CHECKING:  # only needed for the types
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from desktop.store import Observation

OBSERVATION_ID_TAG = fields.OBSERVATION_ID.key
CONFIRMED_SPECIES_TAG = fields.CONFIRMED_SPECIES.key
SPECIES_TAG = (
    fields.SPECIES.key
)  # the confirmed species, else the predicted one: one column in the runs table
RUN_NAME_TAG = MlflowTag.RUN_NAME.value  # MLflow renames the run when this tag is set again
# When this laptop last sent the observation or an edit of it (ms since the epoch, the laptop's clock while
# online): the lab's ``iris-dataset`` searches it to fetch only the runs that changed since its last snapshot.
SYNCED_AT_METRIC = fields.SYNCED_AT.key
ARTIFACT_NAME = contract_registry.OBSERVATION_ARTIFACT
ARTIFACT_SCHEMA = 1
# MLflow accepts letters, digits, "_", "-", ".", " ", ":" and "/" in keys; anything else becomes "_".
_KEY_UNSAFE = re.compile(r"[^\w\-. :/]")
MAX_KEY_LENGTH = 250
# The smallest value limit any MLflow server version has documented (older servers: 250 characters;
# current ones allow params 6,000 and tags 5,000). Whole values go to the observation.json artifact.
# A run record (4 params, a handful of metrics, about 20 tags) is far below log-batch's per-request
# limits (100 params, 1,000 metrics, 100 tags, 1 MB), so it always goes in one request.
SAFE_VALUE_LENGTH = 250


@dataclass(frozen=True)
class Metric:
    """One metric value as MLflow stores it: timestamp in milliseconds since the epoch, and a step."""

    key: str
    value: float
    timestamp: int
    step: int = 0

    def to_json(self) -> dict[str, object]:
        """Return the REST form of this metric."""
        return {"key": self.key, "value": self.value, "timestamp": self.timestamp, "step": self.step}


@dataclass(frozen=True)
class RunRecord:
    """Everything one observation's run carries, ready for the REST client."""

    observation_id: str
    run_name: str
    start_time: int  # milliseconds since the epoch: the observation's own time
    params: tuple[tuple[str, str], ...]
    metrics: tuple[Metric, ...]
    tags: tuple[tuple[str, str], ...]  # observation_id first: it travels in the create request
    artifact: bytes  # observation.json: the whole observation, nothing shortened
    # A tag had to be shortened: only observation.json holds the whole text, so it must be uploaded.
    # (Otherwise it is skipped: one request less per run on a server that is usually the bottleneck.)
    artifact_needed: bool = False

    @property
    def tag_dict(self) -> dict[str, str]:
        """Return the tags as a dict."""
        return dict(self.tags)

    @property
    def edit_tags(self) -> tuple[tuple[str, str], ...]:
        """Return the tags a later local edit re-sends: all but the run's identity, and its new name."""
        kept = tuple((k, v) for k, v in self.tags if k != OBSERVATION_ID_TAG)
        return (*kept, (RUN_NAME_TAG, self.run_name))

    def signed(self, key: Ed25519PrivateKey) -> RunRecord:
        """Return this record signed by the device ``key`` over the observation's fields as they are sent."""
        tags = tuple((k, v) for k, v in self.tags if k not in sig.SIGNATURE_TAGS)
        metrics = {m.key: m.value for m in self.metrics}
        signature = sig.signature_tags(dict(self.params), metrics, dict(tags), key)
        return replace(self, tags=(*tags, *signature.items()))

    @property
    def synced_at(self) -> Metric:
        """Return the metric that marks when this record was sent."""
        return next(m for m in self.metrics if m.key == SYNCED_AT_METRIC)


def milliseconds(iso_time: str) -> int:
    """Return an ISO-8601 time as whole milliseconds since the epoch (a naive time is taken as UTC)."""
    moment = datetime.fromisoformat(iso_time)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def shorten(value: str, limit: int = SAFE_VALUE_LENGTH) -> str:
    """Return ``value`` cut to ``limit`` characters, ending in an ellipsis when something was cut."""
    return value if len(value) <= limit else value[: limit - 1] + "…"


def safe_key(name: str) -> str:
    """Return ``name`` with characters MLflow refuses in keys replaced, checked for length."""
    key = _KEY_UNSAFE.sub("_", name.strip()) or "_"
    if len(key) > MAX_KEY_LENGTH:
        raise ValueError(f"the name {name[:40]!r}… is longer than MLflow's {MAX_KEY_LENGTH} characters")
    return key


def _number(value: float) -> str:
    return repr(float(value))


def run_name(obs: Observation) -> str:
    """Return the run's name as the runs table shows it: the species, and who said so."""
    if not obs.confirmed_species:
        return f"{obs.predicted_species} (predicted)"
    if obs.confirmed_species == obs.predicted_species:
        return f"{obs.confirmed_species} (confirmed)"
    return f"{obs.confirmed_species} (confirmed; predicted {obs.predicted_species})"


def build_run_record(
    obs: Observation, *, device: str, app_version: str = __version__, sent_at: int | None = None
) -> RunRecord:
    """Describe the run that represents ``obs`` on the server (unsigned: see ``RunRecord.signed``)."""
    start = milliseconds(obs.created_at)
    sent = int(time.time() * 1000) if sent_at is None else sent_at
    params = [(safe_key(name), _number(value)) for name, value in obs.measurements.items()]
    params += _extras_in(obs, fields.RunSlot.PARAM)
    tags = _tags(obs, device, app_version)
    # Tag values are cut to the smallest limit any server version has; the artifact keeps them whole.
    shortened = tuple((key, shorten(value)) for key, value in tags)
    cut = any(len(short) != len(value) for (_, short), (_, value) in zip(shortened, tags, strict=True))
    return RunRecord(
        observation_id=obs.id,
        run_name=run_name(obs),
        start_time=start,
        params=tuple(params),
        metrics=_metrics(obs, start, sent),
        tags=shortened,
        artifact=observation_json(obs, device=device, app_version=app_version),
        artifact_needed=cut,
    )


def _metrics(obs: Observation, start: int, sent: int) -> tuple[Metric, ...]:
    """Return the run's metrics: probabilities, confidence, when it was sent, the challenger's, extras."""
    metrics = [
        Metric(safe_key(fields.PROBABILITY.key_for(name)), float(p), start, 0)
        for name, p in obs.probabilities.items()
    ]
    metrics.append(Metric(fields.CONFIDENCE.key, float(obs.confidence), start, 0))
    metrics.append(Metric(SYNCED_AT_METRIC, float(sent), sent, 0))
    if obs.challenger is not None:
        metrics += [
            Metric(safe_key(fields.CHALLENGER_PROBABILITY.key_for(name)), float(p), start, 0)
            for name, p in obs.challenger.probabilities.items()
        ]
    metrics += [Metric(key, float(value), start, 0) for key, value in _extras_in(obs, fields.RunSlot.METRIC)]
    # Non-finite numbers cannot travel as JSON; the model never produces them, but a copied file might.
    return tuple(m for m in metrics if math.isfinite(m.value))


def _tags(obs: Observation, device: str, app_version: str) -> list[tuple[str, str]]:
    """Return the run's tags, whole (``build_run_record`` shortens them)."""
    tags: list[tuple[str, str]] = [
        (OBSERVATION_ID_TAG, obs.id),
        (fields.OBSERVED_AT.key, obs.created_at),
        (fields.PREDICTED_SPECIES.key, obs.predicted_species),
        (SPECIES_TAG, obs.species),
    ]
    if obs.confirmed_species:
        tags.append((CONFIRMED_SPECIES_TAG, obs.confirmed_species))
    tags += [
        (fields.MODEL_NAME.key, obs.model_name),
        (fields.MODEL_VERSION.key, obs.model_version),
        (fields.MODEL_SHA256.key, obs.model_sha256),
        *release_tags(obs),
        (fields.OBSERVER.key, obs.observer),
        (fields.DEVICE.key, device),
        (fields.APP_VERSION.key, app_version),
        (fields.NOTE.key, obs.note),
        (fields.LOCATION.key, obs.location),
    ]
    if obs.latitude is not None and obs.longitude is not None:
        tags += [(fields.LATITUDE.key, _number(obs.latitude)), (fields.LONGITUDE.key, _number(obs.longitude))]
    unusual = set(obs.unusual)
    tags += [
        (safe_key(fields.UNUSUAL.key_for(name)), str(name in unusual).lower()) for name in obs.measurements
    ]
    tags.append((fields.OUTLIER.key, str(obs.outlier).lower()))  # the joint check: unlike any training flower
    tags += _extras_in(obs, fields.RunSlot.TAG)
    if obs.observer:
        tags.append((MlflowTag.USER.value, obs.observer))  # shown as the run's "User" in the MLflow UI
    return tags


def _extras_in(obs: Observation, slot: fields.RunSlot) -> list[tuple[str, str]]:
    """Return the keys and values of the observation's extras that travel in ``slot`` (absent: not sent)."""
    return [
        (safe_key(field.key), extras.run_text(field, obs.extras[field.name]))
        for field in extras.EXTRA_FIELDS
        if field.slot is slot and obs.extras.get(field.name) is not None
    ]


def release_tags(obs: Observation) -> list[tuple[str, str]]:
    """Return the tags naming the lab's release that predicted, and the challenger's shadow answer."""
    tags = []
    if obs.model_registry:
        tags += [
            (fields.MODEL_REGISTRY.key, obs.model_registry),
            (fields.MODEL_SEQUENCE.key, str(obs.model_sequence or "")),
        ]
    shadow = obs.challenger
    if shadow is not None:
        tags += [
            (fields.CHALLENGER_SPECIES.key, shadow.species),
            (fields.CHALLENGER_REGISTRY.key, shadow.stamp.registry),
            (fields.CHALLENGER_NAME.key, shadow.stamp.name),
            (fields.CHALLENGER_VERSION.key, shadow.stamp.version),
            (fields.CHALLENGER_SHA256.key, shadow.stamp.sha256),
            (fields.CHALLENGER_SEQUENCE.key, str(shadow.stamp.sequence or "")),
            (fields.CHALLENGER_AGREES.key, str(shadow.species == obs.predicted_species).lower()),
        ]
    return tags


def observation_json(obs: Observation, *, device: str, app_version: str = __version__) -> bytes:
    """Return the observation.json artifact: the whole observation, every text unshortened."""
    document = {
        "schema": ARTIFACT_SCHEMA,
        fields.OBSERVATION_ID.name: obs.id,
        fields.OBSERVED_AT.name: obs.created_at,
        "updated_at": obs.updated_at,
        "measurements_cm": obs.measurements,
        "probabilities": obs.probabilities,
        fields.PREDICTED_SPECIES.name: obs.predicted_species,
        fields.CONFIDENCE.name: obs.confidence,
        fields.CONFIRMED_SPECIES.name: obs.confirmed_species,
        fields.UNUSUAL.name: list(obs.unusual),
        fields.OUTLIER.name: {"flag": obs.outlier, "score": obs.outlier_score},
        "model": obs.model_stamp.to_dict(),
        "challenger": obs.challenger.to_dict() if obs.challenger else None,
        fields.OBSERVER.name: obs.observer,
        fields.DEVICE.name: device,
        fields.APP_VERSION.name: app_version,
        fields.NOTE.name: obs.note,
        fields.LOCATION.name: obs.location,
        fields.LATITUDE.name: obs.latitude,
        fields.LONGITUDE.name: obs.longitude,
        **{f.name: obs.extras[f.name] for f in extras.EXTRA_FIELDS if obs.extras.get(f.name) is not None},
    }
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
