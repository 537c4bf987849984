"""An in-memory MLflow for fast sync tests: the REST client's methods, faults on demand, and a fake clock."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from desktop.sync.rest_client import MlflowRestError
from desktop.sync.retry import ErrorKind
from desktop.sync.run_record import Metric
from desktop.sync.tracking import Experiment, Run, RunInfo


class FakeClock:
    """A clock that only moves when told to, or when someone waits on it (the wait returns at once)."""

    def __init__(self, start: float = 1_800_000_000.0):
        self.time = start
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self.time

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.time += seconds

    def wait(self, event: threading.Event, seconds: float | None) -> bool:
        if not event.is_set() and seconds is not None:
            self.advance(max(0.0, seconds))
        return event.is_set()


def lost_answer() -> MlflowRestError:
    """Return the error of a request whose answer never came (the server may well have acted)."""
    return MlflowRestError("the server did not answer in time", kind=ErrorKind.TRANSIENT)


def unreachable() -> MlflowRestError:
    """Return the error of a request that never left."""
    return MlflowRestError("the server cannot be reached", kind=ErrorKind.TRANSIENT, unreachable=True)


@dataclass
class Fault:
    """What the next ``count`` calls of one method do instead of (or after) their work."""

    error: MlflowRestError
    count: int
    acts: bool  # the server does the work before the answer is lost
    late: bool = False  # a create that lands only at the next request of any kind


@dataclass
class FakeMlflow:
    """Runs and experiments in memory behind the ``TrackingServer`` the sync needs (as the real client)."""

    experiments: dict[str, Experiment] = field(default_factory=dict)
    runs: dict[str, Run] = field(default_factory=dict)
    artifacts: dict[str, bytes] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    faults: dict[str, Fault] = field(default_factory=dict)
    timeout_seconds: float = 25.0
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _late: list[tuple[str, int, Mapping[str, str], str]] = field(default_factory=list)
    _lock: threading.RLock = field(default_factory=threading.RLock)

    # ------------------------------------------------------------------ faults and views
    def fail(
        self, method: str, count: int = 1, *, acts: bool = True, error: MlflowRestError | None = None
    ) -> None:
        """Make the next ``count`` calls of ``method`` fail; ``acts``: after the server did the work."""
        self.faults[method] = Fault(error or lost_answer(), count, acts)

    def land_late(self, count: int = 1) -> None:
        """Lose the next ``count`` create answers; each create lands just after the next request's answer."""
        self.faults["create_run"] = Fault(lost_answer(), count, acts=False, late=True)

    def active_runs(self, observation_id: str) -> list[Run]:
        """Return the active runs carrying this observation id."""
        return [r for r in self.runs.values() if r.tags.get("observation_id") == observation_id
                and r.info.lifecycle_stage == "active"]  # fmt: skip

    def _call(self, method: str, work):
        with self._lock:
            self.calls.append(method)
            late, self._late = self._late, []
            fault = self.faults.get(method)
            if fault is None or fault.count <= 0:
                try:
                    return work()
                finally:  # a late create lands just after the next request was answered
                    for args in late:
                        self._create(*args)
            fault.count -= 1
            if fault.acts:
                work()
            raise fault.error

    # ------------------------------------------------------------------ the client's methods
    def close(self) -> None:
        """Nothing to close."""

    def get_experiment_by_name(self, name: str) -> Experiment | None:
        return self._call("get_experiment_by_name", lambda: self.experiments.get(name))

    def create_experiment(self, name: str, tags: Mapping[str, str] | None = None) -> str:
        def work() -> str:
            experiment_id = str(len(self.experiments) + 1)
            experiment = Experiment(experiment_id, name, "active", "mlflow-artifacts:/x", dict(tags or {}))
            self.experiments[name] = experiment
            return experiment.experiment_id

        return self._call("create_experiment", work)

    def set_experiment_tag(self, experiment_id: str, key: str, value: str) -> None:
        def work() -> None:
            for name, experiment in self.experiments.items():
                if experiment.experiment_id == experiment_id:
                    self.experiments[name] = replace(experiment, tags={**experiment.tags, key: value})

        self._call("set_experiment_tag", work)

    def create_run(
        self, experiment_id: str, start_time: int, tags: Mapping[str, str], run_name: str = ""
    ) -> RunInfo:
        fault = self.faults.get("create_run")
        if fault is not None and fault.late and fault.count > 0:
            with self._lock:
                fault.count -= 1
                self.calls.append("create_run")
                self._late.append((experiment_id, start_time, dict(tags), run_name))
            raise fault.error
        return self._call("create_run", lambda: self._create(experiment_id, start_time, tags, run_name))

    def _create(self, experiment_id: str, start_time: int, tags: Mapping[str, str], run_name: str) -> RunInfo:
        run_id = f"run{next(self._ids):04d}"
        info = RunInfo(run_id, experiment_id, "RUNNING", "active", start_time, None,
                       f"mlflow-artifacts:/{experiment_id}/{run_id}/artifacts")  # fmt: skip
        self.runs[run_id] = Run(info, {}, {}, dict(tags))
        return info

    def log_batch(
        self,
        run_id: str,
        *,
        params: Iterable[tuple[str, str]] = (),
        metrics: Iterable[Metric] = (),
        tags: Iterable[tuple[str, str]] = (),
    ) -> None:
        def work() -> None:
            run = self._active(run_id)
            self.runs[run_id] = replace(
                run,
                params={**run.params, **dict(params)},
                metrics={**run.metrics, **{m.key: m.value for m in metrics}},
                tags={**run.tags, **dict(tags)},
            )

        self._call("log_batch", work)

    def update_run(self, run_id: str, status: str, end_time: int | None = None) -> None:
        def work() -> None:
            run = self._active(run_id)
            self.runs[run_id] = replace(run, info=replace(run.info, status=status, end_time=end_time))

        self._call("update_run", work)

    def get_run(self, run_id: str) -> Run | None:
        return self._call("get_run", lambda: self.runs.get(run_id))

    def find_runs_by_tag(self, experiment_id: str, key: str, value: str) -> list[Run]:
        return self._call(
            "find_runs_by_tag", lambda: [r for r in self.runs.values() if r.tags.get(key) == value]
        )

    def get_runs(self, experiment_id: str, run_ids: Iterable[str]) -> dict[str, Run]:
        return self._call("get_runs", lambda: {i: self.runs[i] for i in run_ids if i in self.runs})

    def delete_tag(self, run_id: str, key: str) -> None:
        def work() -> None:
            run = self._active(run_id)
            self.runs[run_id] = replace(run, tags={k: v for k, v in run.tags.items() if k != key})

        self._call("delete_tag", work)

    def delete_run(self, run_id: str) -> None:
        def work() -> None:
            run = self.runs[run_id]
            self.runs[run_id] = replace(run, info=replace(run.info, lifecycle_stage="deleted"))

        self._call("delete_run", work)

    def upload_artifact(self, artifact_uri: str, relative: str, content: bytes, content_type: str) -> None:
        self._call(
            "upload_artifact", lambda: self.artifacts.__setitem__(f"{artifact_uri}/{relative}", content)
        )

    def count_runs(self, experiment_id: str, filter_string: str = "") -> tuple[int, bool]:
        active = [
            r for r in self.runs.values() if r.info.lifecycle_stage == "active" and "observation_id" in r.tags
        ]
        return self._call("count_runs", lambda: (len(active), False))

    def _active(self, run_id: str) -> Run:
        run = self.runs.get(run_id)
        if run is None or run.info.lifecycle_stage != "active":
            raise MlflowRestError(
                "the server refused the request (404)", kind=ErrorKind.PERMANENT, status=404
            )
        return run
