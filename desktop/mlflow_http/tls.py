"""Certificates: which authorities to trust and what to show, read from the contract's variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from contract.environment import EnvVar
from desktop.mlflow_http.problems import ServerError, ServerProblem

_TRUE = ("true", "1", "yes")


class TlsSettingsError(ServerError, ValueError):
    """The certificate variables contradict each other."""


@dataclass(frozen=True)
class TlsSettings:
    """How to check the server: a lab's own authority (``ca_bundle``), a client certificate, or not at all.

    ``None`` for ``ca_bundle`` means the public authorities (certifi). ``insecure`` skips the check, as
    MLflow's own clients do with MLFLOW_TRACKING_INSECURE_TLS: for a test lab, never for field use.
    """

    ca_bundle: str | None = None
    client_cert: str | None = None
    insecure: bool = False

    def __post_init__(self) -> None:
        if self.insecure and self.ca_bundle:
            raise TlsSettingsError(
                ServerProblem.TLS_SETTINGS,
                cert=EnvVar.SERVER_CERT_PATH.value,
                insecure=EnvVar.INSECURE_TLS.value,
            )

    def pool_options(self) -> dict[str, Any]:
        """Return the keyword arguments that give a urllib3 pool these settings."""
        if self.insecure:
            options: dict[str, Any] = {"cert_reqs": "CERT_NONE", "assert_hostname": False}
        else:
            import certifi

            options = {"cert_reqs": "CERT_REQUIRED", "ca_certs": self.ca_bundle or certifi.where()}
        if self.client_cert:
            options["cert_file"] = self.client_cert
        return options


def tls_from_environment(env: Mapping[str, str] | None = None) -> TlsSettings:
    """Return the settings MLflow's clients would use here (its own variable names, from the contract)."""
    env = os.environ if env is None else env
    return TlsSettings(
        ca_bundle=env.get(EnvVar.SERVER_CERT_PATH) or None,
        client_cert=env.get(EnvVar.CLIENT_CERT_PATH) or None,
        insecure=env.get(EnvVar.INSECURE_TLS, "").strip().lower() in _TRUE,
    )
