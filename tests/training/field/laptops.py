"""Field laptops for the lab's tests: histories of plausible observations, synced to a real server."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from sklearn.datasets import load_iris

from desktop.history.observation import Observation
from desktop.history.store import ObservationStore
from desktop.model_delivery.release import ModelStamp, ShadowPrediction
from desktop.sync.retry import RetryPolicy
from desktop.sync.target import SyncOptions, SyncTarget
from desktop.sync.worker import SyncWorker
from tests.sync.history_factory import make_observation
from training.schema import CLASSES, FEATURE_NAMES

QUICK = SyncOptions(settle_seconds=0.5, policy=RetryPolicy(base_seconds=0.2, cap_seconds=2.0))
START = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


def iris_observations(
    count: int, *, seed: int, observer: str, shift_petals_cm: float = 0.0, start_day: int = 0
) -> list[Observation]:
    """Return ``count`` observations drawn like the Iris set (rows plus 0.1 cm noise), predicted right.

    ``shift_petals_cm`` lengthens every petal: field data that drifted away from the training data.
    """
    data = load_iris()
    rng = np.random.default_rng(seed)
    picks = rng.choice(len(data.target), size=count, replace=True)
    observations = []
    for i, row in enumerate(picks):
        values = np.round(data.data[row] + rng.normal(0.0, 0.1, 4), 1).clip(0.1, None)
        values[2] += shift_petals_cm
        species = CLASSES[int(data.target[row])]
        probabilities = {c: (0.94 if c == species else 0.03) for c in CLASSES}
        created = (START + timedelta(days=start_day + i // 10, minutes=i)).isoformat(timespec="seconds")
        observations.append(
            make_observation(
                i,
                id=str(uuid.uuid4()),
                created_at=created,
                updated_at=created,
                measurements={n: round(float(v), 1) for n, v in zip(FEATURE_NAMES, values, strict=True)},
                probabilities=probabilities,
                predicted_species=species,
                confidence=0.94,
                observer=observer,
                location=f"Meadow {i % 3 + 1}",
                latitude=round(47.0 + rng.uniform(0, 0.5), 5),
                longitude=round(8.0 + rng.uniform(0, 0.5), 5),
            )
        )
    return observations


def save(history: Path, observations: list[Observation]) -> None:
    """Save observations into the history file at ``history``."""
    with ObservationStore.open(history) as store:
        store.add_many(observations)


def confirm(history: Path, corrections: dict[str, str]) -> None:
    """Record the botanist's species for the given observation ids."""
    with ObservationStore.open(history) as store:
        for observation_id, species in corrections.items():
            store.confirm_species(observation_id, species)


def sync(history: Path, url: str, experiment: str, device: str) -> None:
    """Sync one laptop's history to ``experiment`` on the server at ``url``; fail unless all landed."""
    target = SyncTarget(url, experiment, device_name=device)
    report = SyncWorker(history, target, QUICK).run_pass(patience=30)
    assert report.complete, report


CHALLENGER = ModelStamp("http://lab.example", "iris-classifier", "4", "cd" * 32, 2)


def shadow(species: str) -> ShadowPrediction:
    """Return a challenger's shadow prediction of ``species`` (release 2 of iris-classifier v4)."""
    return ShadowPrediction(CHALLENGER, species, {c: (0.8 if c == species else 0.1) for c in CLASSES})


def mispredicted(obs: Observation, species: str) -> Observation:
    """Return ``obs`` as if the model had said ``species`` (with its confidence)."""
    probabilities = {c: (0.9 if c == species else 0.05) for c in CLASSES}
    return replace(obs, predicted_species=species, probabilities=probabilities, confidence=0.9)
