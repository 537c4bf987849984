"""The address check: what a tracking URL must look like, in its one canonical form."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from contract.mlflow_api import ARTIFACT_SCHEME
from desktop.mlflow_http.problems import ServerError, ServerProblem


class AddressError(ServerError, ValueError):
    """A tracking URL that is not the address of an MLflow server (``problem`` says why)."""


def normalize_tracking_uri(uri: str) -> str:
    """Return the canonical form of an http(s) tracking URL, or raise ``AddressError`` (a ``ValueError``)."""
    text = uri.strip()
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise AddressError(ServerProblem.NOT_AN_ADDRESS, address=text)
    if parts.query or parts.fragment:
        raise AddressError(ServerProblem.ADDRESS_WITH_QUERY, address=text)
    if parts.username or parts.password:
        raise AddressError(ServerProblem.ADDRESS_WITH_CREDENTIALS)
    host = parts.hostname.lower()
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    port = parts.port
    default_port = 443 if scheme == "https" else 80
    netloc = host if port in (None, default_port) else f"{host}:{port}"
    return urlunsplit((scheme, netloc, parts.path.rstrip("/"), "", ""))


def artifact_path(artifact_uri: str, relative: str) -> str:
    """Return the artifact proxy's path for ``relative`` inside a run's ``mlflow-artifacts:`` URI.

    Raise ``ServerError`` (``ARTIFACTS_OUT_OF_REACH``) for files the server keeps elsewhere (S3, say).
    """
    parts = urlsplit(artifact_uri)
    if parts.scheme != ARTIFACT_SCHEME:
        raise ServerError(ServerProblem.ARTIFACTS_OUT_OF_REACH, location=artifact_uri)
    base = parts.path.strip("/")
    return f"{base}/{relative.lstrip('/')}" if base else relative.lstrip("/")
