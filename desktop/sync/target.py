"""Where sync sends observations and how it behaves on the way: plain values the worker is built from."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field

from contract.registry import Experiment
from desktop.mlflow_http.address import normalize_tracking_uri
from desktop.mlflow_http.auth import Auth
from desktop.mlflow_http.tls import TlsSettings, tls_from_environment
from desktop.sync.retry import RetryPolicy

DEFAULT_EXPERIMENT = Experiment.FIELD.value


@dataclass(frozen=True)
class SyncTarget:
    """The MLflow server, experiment and credentials, plus the name this device signs its runs with."""

    tracking_uri: str
    experiment_name: str = DEFAULT_EXPERIMENT
    auth: Auth = field(default_factory=Auth)
    device_name: str = ""  # "" means the host name
    # Certificates: a lab's own authority, a client certificate; by default the contract's variables
    # (MLFLOW_TRACKING_SERVER_CERT_PATH...), so the window's sync and the command line's check alike.
    tls: TlsSettings = field(default_factory=tls_from_environment)

    def __post_init__(self) -> None:
        object.__setattr__(self, "tracking_uri", normalize_tracking_uri(self.tracking_uri))
        name = self.experiment_name.strip()
        if not name:
            raise ValueError("the experiment name is empty")
        object.__setattr__(self, "experiment_name", name)

    @property
    def device(self) -> str:
        """Return the device name written on every run."""
        return self.device_name.strip() or socket.gethostname()


@dataclass(frozen=True)
class SyncOptions:
    """How hard and how carefully to push; the defaults suit a field laptop and a lab server."""

    # Observations in flight at once, each on its own connection. Measured against `mlflow server
    # --workers 1` (SQLite): 3 keeps that single process busy, more only adds contention between its
    # threads; against a 4-worker server, more would be faster still, but a field laptop stays polite.
    concurrency: int = 3
    connect_timeout: float = 5.0
    # The longest wait for an answer; the wait actually used follows the measured round trip (RFC 6298).
    read_timeout: float = 20.0
    # A lease outlives any single call by far: a successor can only take over once the holder's last
    # request is certainly over (or the holder's process is gone).
    lease_seconds: float = 90.0
    # How long after a create in doubt (its answer lost, then searched for or sent again) the run's
    # read-back looks for a second run carrying the observation, which a late create left, and deletes it.
    # Nothing waits for it: the observation goes on at once; only its last check comes this much later.
    settle_seconds: float = 3.0
    read_back_batch: int = 100  # finished runs confirmed per search request
    policy: RetryPolicy = field(default_factory=RetryPolicy)

    def __post_init__(self) -> None:
        if self.concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if self.lease_seconds < 2 * (self.connect_timeout + self.read_timeout):
            raise ValueError("the lease must last at least twice as long as the longest single call")
