"""Read releases from the lab's MLflow server over its REST API: alias, version, run, artifacts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from contract import registry as contract_registry
from contract.mlflow_api import API_2 as API
from contract.mlflow_api import ARTIFACTS_API
from contract.registry import ROTATION_TAG_PREFIX, ReleaseTag
from desktop.mlflow_http.address import artifact_path
from desktop.mlflow_http.auth import Auth
from desktop.mlflow_http.problems import ServerError, ServerProblem
from desktop.mlflow_http.tls import TlsSettings
from desktop.mlflow_http.transport import Transport
from desktop.model_delivery.errors import Refusal, RegistryUnreachable, ReleaseRefused
from desktop.model_delivery.statements import parse_document

# Where iris-export logs the signed card and ONNX file in the version's run.
EXPORT_FOLDER = contract_registry.EXPORT_FOLDER
# Tags iris-export puts on each released model version (training/release/signing.py writes them).
SEQUENCE_TAG = ReleaseTag.SEQUENCE.value
REGISTRY_TAG = ReleaseTag.REGISTRY.value
MAX_DOWNLOAD_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class ReleasedVersion:
    """What the alias points at, as the registry tells in one small answer."""

    name: str
    version: str
    run_id: str
    registry: str
    sequence: int | None  # None: the version has no signed release yet
    timestamp: dict[str, Any] | None = None  # the lab's latest signed timestamp for it (not yet checked)


class RegistryClient:
    """One attempt per request, a timeout on every one, TLS verified; counts the requests it made."""

    def __init__(
        self,
        tracking_uri: str,
        auth: Auth | None = None,
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        tls: TlsSettings | None = None,
    ):
        """Talk to the server at ``tracking_uri`` (http or https) as ``auth``.

        ``tls``: the certificate settings; ``None`` reads the contract's variables, as MLflow does.
        """
        try:
            self._transport = Transport(tracking_uri, auth, tls=tls, connect_timeout=connect_timeout)
        except ServerError as exc:
            raise RegistryUnreachable.of(exc) from None
        self.base = self._transport.uri
        self.requests_made = 0
        self._read_timeout = read_timeout

    def close(self) -> None:
        """Close the connections."""
        self._transport.close()

    def _get(self, path: str, query: Mapping[str, str] | None = None, *, stream: bool = False) -> Any:
        """GET ``path`` (counted); ``stream`` leaves the body unread. Raise ``RegistryUnreachable``."""
        self.requests_made += 1
        try:
            return self._transport.send(
                "GET", path, query=query, read_timeout=self._read_timeout, stream=stream
            )
        except ServerError as exc:
            raise RegistryUnreachable.of(exc) from None

    def _json(self, path: str, query: Mapping[str, str]) -> dict[str, Any] | None:
        """Return a JSON answer, or None for "does not exist"."""
        answer = self._transport.answer(self._get(path, query))
        if answer.status == 404 or (answer.status == 400 and _names_something_missing(answer.data)):
            return None  # MLflow answers a missing alias with 400 INVALID_PARAMETER_VALUE "... not found"
        try:
            return self._transport.json(answer)
        except ServerError as exc:
            raise RegistryUnreachable.of(exc) from None

    def released_version(self, model_name: str, alias: str) -> ReleasedVersion | None:
        """Return the version ``alias`` points at (one request), or None if the alias is not set."""
        data = self._json(f"{API}/registered-models/alias", {"name": model_name, "alias": alias})
        if data is None or "model_version" not in data:
            return None
        found = data["model_version"]
        tags = {t.get("key"): t.get("value", "") for t in found.get("tags", [])}
        try:
            sequence = int(tags[SEQUENCE_TAG]) if SEQUENCE_TAG in tags else None
        except ValueError:
            sequence = None
        return ReleasedVersion(
            name=str(found.get("name", model_name)),
            version=str(found.get("version", "")),
            run_id=str(found.get("run_id", "")),
            registry=tags.get(REGISTRY_TAG, ""),
            sequence=sequence,
            timestamp=parse_document(tags.get(ReleaseTag.TIMESTAMP.value, "")),
        )

    def rotations(self, model_name: str) -> list[dict[str, Any]]:
        """Return the key rotation statements the lab published on the registered model (one request)."""
        data = self._json(f"{API}/registered-models/get", {"name": model_name})
        tags = (data or {}).get("registered_model", {}).get("tags", [])
        found = [
            parse_document(str(tag.get("value", "")))
            for tag in tags
            if str(tag.get("key", "")).startswith(ROTATION_TAG_PREFIX)
        ]
        return [document for document in found if document is not None]

    def artifact_uri(self, run_id: str) -> str:
        """Return the artifact root of a run."""
        data = self._json(f"{API}/runs/get", {"run_id": run_id})
        if data is None:
            raise RegistryUnreachable(ServerProblem.RUN_GONE, run=run_id)
        return str(data.get("run", {}).get("info", {}).get("artifact_uri", ""))

    def download(self, artifact_uri: str, relative: str) -> bytes:
        """Download one artifact through the server's artifact proxy; refuse anything but the whole file."""
        from urllib3.exceptions import HTTPError, ProtocolError

        try:
            path = artifact_path(artifact_uri, relative)
        except ServerError as exc:
            raise RegistryUnreachable.of(exc) from None
        response = self._get(f"{ARTIFACTS_API}/{quote(path)}", stream=True)
        try:
            if response.status >= 500:
                raise ReleaseRefused(
                    Refusal.SERVER_ERROR, f"the server failed to send {relative} (HTTP {response.status})"
                )
            if response.status != 200:
                raise ReleaseRefused(
                    Refusal.NOT_A_MODEL_FILE,
                    f"the server has no {relative} for this release (HTTP {response.status})",
                )
            if "text/html" in response.headers.get("Content-Type", "").lower():
                raise ReleaseRefused(
                    Refusal.NOT_A_MODEL_FILE, f"the server sent a web page instead of {relative}"
                )
            try:
                data = response.read(MAX_DOWNLOAD_BYTES + 1, decode_content=True)
            except (ProtocolError, HTTPError) as exc:
                raise ReleaseRefused(Refusal.TRUNCATED, f"the download of {relative} broke off") from exc
            if len(data) > MAX_DOWNLOAD_BYTES:
                raise ReleaseRefused(
                    Refusal.NOT_A_MODEL_FILE, f"{relative} is far too big to be a model file"
                )
            expected = response.headers.get("Content-Length")
            if expected is not None and expected.isdigit() and int(expected) != len(data):
                raise ReleaseRefused(Refusal.TRUNCATED, f"the download of {relative} is incomplete")
            if data.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")):
                raise ReleaseRefused(
                    Refusal.NOT_A_MODEL_FILE, f"the server sent a web page instead of {relative}"
                )
            return data
        finally:
            response.release_conn()


def _names_something_missing(error: Mapping[str, Any] | None) -> bool:
    """Tell whether an MLflow error answer says the thing asked for does not exist."""
    if error is None:
        return False
    code, message = str(error.get("error_code", "")), str(error.get("message", "")).lower()
    return code == "RESOURCE_DOES_NOT_EXIST" or "not found" in message or "does not exist" in message
