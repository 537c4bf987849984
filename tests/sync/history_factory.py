"""Observations for sync tests: plausible, distinct, saved into a real history file."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from desktop.history.observation import Observation
from desktop.history.store import ObservationStore

START = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
FEATURES = ("sepal_length", "sepal_width", "petal_length", "petal_width")


def make_observation(index: int = 0, **changes: object) -> Observation:
    """Return a plausible observation, distinct per ``index`` (time and measurements)."""
    created = (START + timedelta(minutes=index)).isoformat(timespec="microseconds")
    values = (
        4.3 + (index % 36) / 10,
        2.0 + (index % 24) / 10,
        1.0 + (index % 59) / 10,
        0.1 + (index % 25) / 10,
    )
    obs = Observation(
        id=str(uuid.uuid4()),
        created_at=created,
        updated_at=created,
        measurements=dict(zip(FEATURES, (round(v, 1) for v in values), strict=True)),
        probabilities={"setosa": 0.97, "versicolor": 0.02, "virginica": 0.01},
        predicted_species="setosa",
        confidence=0.97,
        unusual=(),
        model_name="iris-classifier",
        model_version="3",
        model_sha256="ab" * 32,
        observer="Ada",
    )
    return replace(obs, **changes)


def fill_history(path: Path, count: int, start: int = 0) -> list[Observation]:
    """Save ``count`` observations into the history at ``path`` and return them."""
    observations = [make_observation(start + i) for i in range(count)]
    with ObservationStore.open(path) as store:
        for begin in range(0, count, 500):
            store.add_many(observations[begin : begin + 500])
    return observations
