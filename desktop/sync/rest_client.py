"""The sync's client for MLflow's REST API (2.0 endpoints) on the shared HTTP core, no retries of its own."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

from contract.mlflow_api import API_2 as API
from contract.mlflow_api import ARTIFACTS_API
from desktop.errors import SyncError
from desktop.mlflow_http.address import artifact_path
from desktop.mlflow_http.auth import Auth
from desktop.mlflow_http.problems import ServerError, ServerProblem
from desktop.mlflow_http.tls import TlsSettings
from desktop.mlflow_http.transport import Transport
from desktop.sync.problems import SyncProblem, english
from desktop.sync.retry import ErrorKind, RoundTrip, classify_status, parse_retry_after
from desktop.sync.run_record import Metric
from desktop.sync.tracking import Experiment, Run, RunInfo

# Trouble without an answer that trying again cannot help: the settings (certificate) or the experiment.
_NO_ANSWER_KINDS = {
    ServerProblem.CERTIFICATE: ErrorKind.SETUP,
    ServerProblem.ARTIFACTS_OUT_OF_REACH: ErrorKind.PERMANENT,
}
COUNT_LIMIT = 50_000  # the most runs one search may return (MLflow's SEARCH_MAX_RESULTS_THRESHOLD)


class MlflowRestError(SyncError):
    """A request to the MLflow server failed; ``kind`` says whether trying again can help."""

    def __init__(
        self,
        message: str,
        *,
        kind: ErrorKind,
        status: int | None = None,
        error_code: str = "",
        retry_after: float | None = None,
        unreachable: bool = False,
        problem: SyncProblem | ServerProblem | None = None,
        facts: dict[str, object] | None = None,
    ):
        super().__init__(message, problem, facts)
        self.kind = kind
        self.status = status
        self.error_code = error_code
        self.retry_after = retry_after
        # True when no connection could be made at all: the request surely never reached the server.
        self.unreachable = unreachable

    @classmethod
    def of(cls, problem: SyncProblem, *, kind: ErrorKind, **facts: object) -> MlflowRestError:
        """Return the error for the sync's own ``problem`` with its English sentence."""
        return cls(english(problem, facts), kind=kind, problem=problem, facts=facts)

    @classmethod
    def from_server(cls, exc: ServerError) -> MlflowRestError:
        """Return the sync's error for the core's: what it means for the observation that needed it."""
        if exc.status is not None:  # an answer came: what its status means
            kind = classify_status(exc.status, json_body=False) or ErrorKind.TRANSIENT
        else:
            kind = _NO_ANSWER_KINDS.get(exc.problem, ErrorKind.TRANSIENT)
        return cls(
            str(exc),
            kind=kind,
            status=exc.status,
            error_code=exc.error_code,
            retry_after=parse_retry_after(exc.retry_after),
            unreachable=exc.unreachable,
            problem=exc.problem,
            facts=exc.facts,
        )


def filter_literal(value: str) -> str:
    """Quote ``value`` for an MLflow search filter.

    MLflow's filter parser strips the surrounding quotes without un-escaping anything inside, so the
    only safe quoting is a quote character the value does not contain.
    """
    if "'" not in value:
        return f"'{value}'"
    if '"' not in value:
        return f'"{value}"'
    raise ValueError("a value with both ' and \" cannot be written in an MLflow search filter")


def _run(data: Mapping[str, Any]) -> Run:
    info, payload = data.get("info", {}) or {}, data.get("data", {}) or {}
    return Run(
        info=RunInfo(
            run_id=str(info.get("run_id") or info.get("run_uuid") or ""),
            experiment_id=str(info.get("experiment_id", "")),
            status=str(info.get("status", "")),
            lifecycle_stage=str(info.get("lifecycle_stage", "")),
            start_time=None if info.get("start_time") is None else int(info["start_time"]),
            end_time=None if info.get("end_time") is None else int(info["end_time"]),
            artifact_uri=str(info.get("artifact_uri", "")),
        ),
        params={p["key"]: p.get("value", "") for p in payload.get("params", [])},
        metrics={m["key"]: float(m.get("value", "nan")) for m in payload.get("metrics", [])},
        tags={t["key"]: t.get("value", "") for t in payload.get("tags", [])},
    )


def _experiment(data: Mapping[str, Any]) -> Experiment:
    return Experiment(
        experiment_id=str(data.get("experiment_id", "")),
        name=str(data.get("name", "")),
        lifecycle_stage=str(data.get("lifecycle_stage", "")),
        artifact_location=str(data.get("artifact_location", "")),
        tags={str(t.get("key")): str(t.get("value", "")) for t in data.get("tags", []) or []},
    )


class MlflowRestClient:
    """The ``TrackingServer`` over MLflow's REST API: one attempt per call, timeouts that follow the link."""

    def __init__(
        self,
        tracking_uri: str,
        auth: Auth | None = None,
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 20.0,
        max_connections: int = 4,
        tls: TlsSettings | None = None,
    ):
        """Prepare a connection pool for ``tracking_uri``; nothing is sent until the first call.

        ``read_timeout`` is the longest wait for an answer; the wait actually used follows the measured
        round trip (``RoundTrip``), so a lost answer costs about a second on a quick link, not 20.
        ``tls``: the certificate settings; ``None`` reads the contract's variables, as MLflow does.
        """
        self._transport = Transport(
            tracking_uri, auth, tls=tls, connect_timeout=connect_timeout, max_connections=max_connections
        )
        self.tracking_uri = self._transport.uri
        self._connect_timeout = connect_timeout
        self._round_trip = RoundTrip(ceiling=read_timeout, timeout=min(1.0, read_timeout))
        self._round_trip_lock = threading.Lock()
        self._answered_at = 0.0  # time.monotonic() of the latest answer on any connection

    @property
    def timeout_seconds(self) -> float:
        """Return the longest one call can take before it gives up (connect + longest read)."""
        return self._connect_timeout + self._round_trip.ceiling

    def close(self) -> None:
        """Close pooled connections."""
        self._transport.close()

    # ------------------------------------------------------------------ experiments
    def get_experiment_by_name(self, name: str) -> Experiment | None:
        """Return the experiment called ``name`` (deleted ones too), or ``None`` if there is none."""
        query = {"experiment_name": name}
        data = self._call("GET", f"{API}/experiments/get-by-name", query=query, missing_ok=True)
        return _experiment(data.get("experiment", {})) if data else None

    def create_experiment(self, name: str, tags: Mapping[str, str] | None = None) -> str:
        """Create an experiment (with ``tags``) and return its id."""
        body: dict[str, Any] = {
            "name": name,
            "tags": [{"key": k, "value": v} for k, v in (tags or {}).items()],
        }
        data = self._call("POST", f"{API}/experiments/create", body=body)
        return str(data["experiment_id"])

    def set_experiment_tag(self, experiment_id: str, key: str, value: str) -> None:
        """Set one tag of an experiment (its description is the tag ``mlflow.note.content``)."""
        body = {"experiment_id": experiment_id, "key": key, "value": value}
        self._call("POST", f"{API}/experiments/set-experiment-tag", body=body)

    # ------------------------------------------------------------------ runs
    def create_run(
        self, experiment_id: str, start_time: int, tags: Mapping[str, str], run_name: str = ""
    ) -> RunInfo:
        """Create a run; ``tags`` travel in the create request itself so the run is born with its identity."""
        body: dict[str, Any] = {
            "experiment_id": experiment_id,
            "start_time": start_time,
            "tags": [{"key": k, "value": v} for k, v in tags.items()],
        }
        if run_name:
            body["run_name"] = run_name
        data = self._call("POST", f"{API}/runs/create", body=body)
        return _run(data["run"]).info

    def log_batch(
        self,
        run_id: str,
        *,
        params: Iterable[tuple[str, str]] = (),
        metrics: Iterable[Metric] = (),
        tags: Iterable[tuple[str, str]] = (),
    ) -> None:
        """Log params, metrics and tags in one request (a run record always fits in one)."""
        body = {
            "run_id": run_id,
            "params": [{"key": k, "value": v} for k, v in params],
            "metrics": [m.to_json() for m in metrics],
            "tags": [{"key": k, "value": v} for k, v in tags],
        }
        self._call("POST", f"{API}/runs/log-batch", body=body)

    def update_run(self, run_id: str, status: str, end_time: int | None = None) -> None:
        """Set a run's status (e.g. ``FINISHED``) and end time."""
        body: dict[str, Any] = {"run_id": run_id, "status": status}
        if end_time is not None:
            body["end_time"] = end_time
        self._call("POST", f"{API}/runs/update", body=body)

    def get_run(self, run_id: str) -> Run | None:
        """Return a run (deleted ones too), or ``None`` if the server has no run with that id."""
        data = self._call("GET", f"{API}/runs/get", query={"run_id": run_id}, missing_ok=True)
        return _run(data["run"]) if data else None

    def search_runs(self, experiment_id: str, filter_string: str) -> list[Run]:
        """Return every run (deleted ones too) matching ``filter_string``, across pages of 1,000."""
        runs: list[Run] = []
        token = ""
        while True:
            body = {
                "experiment_ids": [experiment_id],
                "filter": filter_string,
                "run_view_type": "ALL",
                "max_results": 1000,
                "page_token": token,  # "" is the first page
            }
            # A search answers with whole runs and takes the server longer: wait up to 4 timeouts for it.
            data = self._call("POST", f"{API}/runs/search", body=body, timeouts=4)
            runs.extend(_run(r) for r in data.get("runs", []))
            token = data.get("next_page_token", "")
            if not token:
                return runs

    def find_runs_by_tag(self, experiment_id: str, key: str, value: str) -> list[Run]:
        """Return the runs (deleted ones too) whose tag ``key`` is exactly ``value``."""
        found = self.search_runs(experiment_id, f"tags.`{key}` = {filter_literal(value)}")
        # The server filtered already; checking again costs nothing and guards against a lax server.
        return [r for r in found if r.tags.get(key) == value]

    def get_runs(self, experiment_id: str, run_ids: Iterable[str]) -> dict[str, Run]:
        """Return the runs with these ids (deleted ones too) by id, in one search request per 100 ids."""
        ids = list(dict.fromkeys(run_ids))
        found: dict[str, Run] = {}
        for start in range(0, len(ids), 100):
            literal = ", ".join(filter_literal(i) for i in ids[start : start + 100])
            for run in self.search_runs(experiment_id, f"attributes.run_id IN ({literal})"):
                found[run.info.run_id] = run
        return found

    def delete_run(self, run_id: str) -> None:
        """Mark a run deleted (MLflow hides it from the lab's views and searches)."""
        self._call("POST", f"{API}/runs/delete", body={"run_id": run_id})

    def count_runs(self, experiment_id: str, filter_string: str = "") -> tuple[int, bool]:
        """Count an experiment's active runs in one search; (count, True) when there may be more."""
        body = {
            "experiment_ids": [experiment_id],
            "filter": filter_string,
            "run_view_type": "ACTIVE_ONLY",
            "max_results": COUNT_LIMIT,
        }
        data = self._call("POST", f"{API}/runs/search", body=body)
        return len(data.get("runs", [])), bool(data.get("next_page_token"))

    def delete_tag(self, run_id: str, key: str) -> None:
        """Remove one tag from a run; a tag that is not there is no error."""
        self._call("POST", f"{API}/runs/delete-tag", body={"run_id": run_id, "key": key}, missing_ok=True)

    # ------------------------------------------------------------------ artifacts
    def upload_artifact(self, artifact_uri: str, relative: str, content: bytes, content_type: str) -> None:
        """Write one file into a run's artifacts through the server's artifact proxy (overwrites)."""
        try:
            path = quote(artifact_path(artifact_uri, relative))
        except ServerError as exc:
            raise MlflowRestError.from_server(exc) from None
        self._call("PUT", f"{ARTIFACTS_API}/{path}", raw=content, content_type=content_type)

    # ------------------------------------------------------------------ transport
    def _call(
        self,
        method: str,
        endpoint: str,
        *,
        timeouts: int = 1,
        missing_ok: bool = False,
        **request: Any,
    ) -> dict[str, Any]:
        """Send one request once, wait ``timeouts`` round-trip timeouts; return its JSON or raise in words.

        ``request``: the transport's ``body``, ``query``, ``raw`` and ``content_type``.
        ``missing_ok``: the server's RESOURCE_DOES_NOT_EXIST is an empty answer (``{}``), not an error.
        """
        timer = self._round_trip
        timeout = min(timer.ceiling, timer.timeout * timeouts)
        sent = time.monotonic()
        try:
            response = self._transport.send(method, endpoint, read_timeout=timeout, **request)
        except ServerError as exc:
            if exc.problem is ServerProblem.NO_ANSWER:  # silence while others answer: lost, not slow
                with self._round_trip_lock:
                    if self._answered_at < sent:
                        self._round_trip = self._round_trip.timed_out()
            raise MlflowRestError.from_server(exc) from exc
        answered = time.monotonic()
        with self._round_trip_lock:
            self._answered_at = answered
            if timeouts == 1:  # only small requests are measured
                self._round_trip = self._round_trip.measured(answered - sent)
        answer = self._transport.answer(response)
        if missing_ok and not answer.ok and answer.missing:
            return {}
        try:
            return self._transport.json(answer)
        except ServerError as exc:
            raise MlflowRestError.from_server(exc) from None
