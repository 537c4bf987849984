"""Server trouble as data: one ``ServerProblem`` kind and the facts its sentence names, and its English."""

from __future__ import annotations

import enum
from collections.abc import Mapping

from desktop.errors import IrisFieldError


class ServerProblem(enum.StrEnum):
    """Why the lab's MLflow server could not be asked or refused; the facts each names are listed."""

    NOT_AN_ADDRESS = "not-an-address"  # address
    ADDRESS_WITH_QUERY = "address-with-query"  # address
    ADDRESS_WITH_CREDENTIALS = "address-with-credentials"
    TLS_SETTINGS = "tls-settings"  # cert, insecure: both a certificate and "do not verify" are asked for
    NAME_NOT_FOUND = "name-not-found"  # uri
    UNREACHABLE = "unreachable"  # host: no connection could be made
    NO_ANSWER = "no-answer"  # host: connected, but the answer never came
    CERTIFICATE = "certificate"  # host, detail (the TLS library's reason)
    BROKE_OFF = "broke-off"  # host
    CONNECTION_FAILED = "connection-failed"  # host, detail
    CREDENTIALS = "credentials"  # status (401/403), host
    REDIRECTED = "redirected"  # host, target
    NOT_MLFLOW_DATA = "not-mlflow-data"  # host, content (a captive portal's page, say)
    SERVER_ERROR = "server-error"  # host, status, detail (the server's own words)
    NO_MLFLOW_SERVER = "no-mlflow-server"  # uri, status
    REFUSED = "refused"  # status, code (" RESOURCE_..." or ""), detail (the server's own words)
    ARTIFACTS_OUT_OF_REACH = "artifacts-out-of-reach"  # location
    RUN_GONE = "run-gone"  # run: a release's training run is gone from the server


ENGLISH: dict[ServerProblem, str] = {
    ServerProblem.NOT_AN_ADDRESS: "the tracking URL '{address}' is not an http:// or https:// address of an "
    "MLflow server",
    ServerProblem.ADDRESS_WITH_QUERY: "the tracking URL '{address}' must not contain '?' or '#'",
    ServerProblem.ADDRESS_WITH_CREDENTIALS: "put the user name and password in the sync settings, "
    "not in the tracking URL",
    ServerProblem.TLS_SETTINGS: "set either {cert} or {insecure}, not both",
    ServerProblem.NAME_NOT_FOUND: "the server name in {uri} cannot be found (no network, or a typo?)",
    ServerProblem.UNREACHABLE: "the server at {host} cannot be reached",
    ServerProblem.NO_ANSWER: "the server at {host} did not answer in time",
    ServerProblem.CERTIFICATE: "the server's certificate for {host} cannot be verified ({detail})",
    ServerProblem.BROKE_OFF: "the connection to {host} broke off before the answer arrived",
    ServerProblem.CONNECTION_FAILED: "the connection to {host} failed ({detail})",
    ServerProblem.CREDENTIALS: "{status}: check your credentials for {host}",
    ServerProblem.REDIRECTED: "the server at {host} redirects to {target}; if that is the right server, "
    "use that address as the tracking URL",
    ServerProblem.NOT_MLFLOW_DATA: "the server at {host} answered with {content} instead of MLflow data",
    ServerProblem.SERVER_ERROR: "the server at {host} had a problem ({status}: {detail}); retrying later",
    ServerProblem.NO_MLFLOW_SERVER: "no MLflow server answers at {uri} ({status}); check the tracking URL",
    ServerProblem.REFUSED: "the server refused the request ({status}{code}: {detail})",
    ServerProblem.ARTIFACTS_OUT_OF_REACH: "the experiment keeps its files at {location}, which this app "
    "cannot reach; ask the lab to run the MLflow server with artifact proxying (--serve-artifacts)",
    ServerProblem.RUN_GONE: "the run {run} of the released version is gone from the server",
}


class _Facts(dict):
    """The facts a sentence names; one the error lacks shows as "?" rather than breaking the sentence."""

    def __missing__(self, key: str) -> str:
        return "?"


def english(problem: ServerProblem, facts: Mapping[str, object]) -> str:
    """Return the command line's sentence for ``problem`` (lower-case, no full stop)."""
    return ENGLISH[problem].format_map(_Facts(facts))


class ServerError(IrisFieldError):
    """The lab's MLflow server could not be asked, or refused; ``problem`` and ``facts`` say why, as data.

    ``status`` (``http_status`` when made) and ``error_code`` are the answer's (``None``/"" when none
    came), ``retry_after`` its ``Retry-After`` header as sent, and ``unreachable`` is true when no
    connection could be made at all: the request surely never reached the server.
    """

    def __init__(
        self,
        problem: ServerProblem,
        *,
        http_status: int | None = None,
        error_code: str = "",
        retry_after: str | None = None,
        unreachable: bool = False,
        **facts: object,
    ):
        super().__init__(english(problem, facts))
        self.problem = problem
        self.facts = facts
        self.status = http_status
        self.error_code = error_code
        self.retry_after = retry_after
        self.unreachable = unreachable
