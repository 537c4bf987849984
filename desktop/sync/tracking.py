"""What the sync needs from the lab's MLflow server (``TrackingServer``), and the things it answers with.

``MlflowRestClient`` speaks it over HTTP; the tests' in-memory ``FakeMlflow`` implements it too, so the
coordinator and the pusher are tried against either without knowing which.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from desktop.sync.run_record import Metric


@dataclass(frozen=True)
class Experiment:
    """An MLflow experiment as the server describes it."""

    experiment_id: str
    name: str
    lifecycle_stage: str
    artifact_location: str
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RunInfo:
    """The identity and status of a run."""

    run_id: str
    experiment_id: str
    status: str
    lifecycle_stage: str
    start_time: int | None
    end_time: int | None
    artifact_uri: str


@dataclass(frozen=True)
class Run:
    """A run with its latest params, metrics and tags."""

    info: RunInfo
    params: dict[str, str]
    metrics: dict[str, float]
    tags: dict[str, str]


class TrackingServer(Protocol):
    """The MLflow requests a sync makes: each is sent once and answers or raises ``MlflowRestError``."""

    @property
    def timeout_seconds(self) -> float:
        """Return the longest one call can take before it gives up."""
        ...

    def close(self) -> None:
        """Let go of connections."""
        ...

    def get_experiment_by_name(self, name: str) -> Experiment | None:
        """Return the experiment called ``name`` (deleted ones too), or ``None``."""
        ...

    def create_experiment(self, name: str, tags: Mapping[str, str] | None = None) -> str:
        """Create an experiment and return its id."""
        ...

    def set_experiment_tag(self, experiment_id: str, key: str, value: str) -> None:
        """Set one tag of an experiment."""
        ...

    def create_run(
        self, experiment_id: str, start_time: int, tags: Mapping[str, str], run_name: str = ""
    ) -> RunInfo:
        """Create a run born with ``tags``."""
        ...

    def log_batch(
        self,
        run_id: str,
        *,
        params: Iterable[tuple[str, str]] = (),
        metrics: Iterable[Metric] = (),
        tags: Iterable[tuple[str, str]] = (),
    ) -> None:
        """Log params, metrics and tags in one request."""
        ...

    def update_run(self, run_id: str, status: str, end_time: int | None = None) -> None:
        """Set a run's status and end time."""
        ...

    def get_run(self, run_id: str) -> Run | None:
        """Return a run (deleted ones too), or ``None``."""
        ...

    def find_runs_by_tag(self, experiment_id: str, key: str, value: str) -> list[Run]:
        """Return the runs (deleted ones too) whose tag ``key`` is exactly ``value``."""
        ...

    def get_runs(self, experiment_id: str, run_ids: Iterable[str]) -> dict[str, Run]:
        """Return the runs with these ids (deleted ones too), by id."""
        ...

    def delete_run(self, run_id: str) -> None:
        """Mark a run deleted."""
        ...

    def count_runs(self, experiment_id: str, filter_string: str = "") -> tuple[int, bool]:
        """Count an experiment's active runs; (count, True) when there may be more."""
        ...

    def delete_tag(self, run_id: str, key: str) -> None:
        """Remove one tag from a run (a missing tag is no error)."""
        ...

    def upload_artifact(self, artifact_uri: str, relative: str, content: bytes, content_type: str) -> None:
        """Write one file into a run's artifacts."""
        ...
