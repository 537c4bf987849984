"""Send one request once to the lab's MLflow server: verified TLS, a timeout, no retries, no redirects."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import urllib3
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    MaxRetryError,
    NameResolutionError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    SSLError,
)

from desktop import __version__
from desktop.mlflow_http.address import normalize_tracking_uri
from desktop.mlflow_http.auth import Auth
from desktop.mlflow_http.problems import ServerError, ServerProblem
from desktop.mlflow_http.status import Answer, first_line, trouble
from desktop.mlflow_http.tls import TlsSettings, tls_from_environment

# Connection-level failures, most specific first: (types, surely never reached the server, problem).
_TRANSPORT_ERRORS: tuple[tuple[type | tuple[type, ...], bool, ServerProblem], ...] = (
    (NameResolutionError, True, ServerProblem.NAME_NOT_FOUND),
    ((ConnectTimeoutError, NewConnectionError), True, ServerProblem.UNREACHABLE),
    (ReadTimeoutError, False, ServerProblem.NO_ANSWER),
    (SSLError, False, ServerProblem.CERTIFICATE),
    (ProtocolError, False, ServerProblem.BROKE_OFF),
)


class Transport:
    """One server's connection pool: each call is sent once and either answers or raises ``ServerError``.

    No retries and no redirects at this level: a POST repeated behind the caller's back is exactly how
    MLflow's own client leaves duplicate "ghost" runs. The caller decides what to repeat.
    """

    def __init__(
        self,
        tracking_uri: str,
        auth: Auth | None = None,
        *,
        tls: TlsSettings | None = None,
        connect_timeout: float = 5.0,
        max_connections: int = 4,
    ):
        """Prepare a pool for ``tracking_uri`` (checked: ``AddressError``); nothing is sent yet.

        ``tls``: the certificate settings; ``None`` reads them from the environment, as MLflow does.
        """
        self.uri = normalize_tracking_uri(tracking_uri)
        self.host = urlsplit(self.uri).netloc
        self.connect_timeout = connect_timeout
        self.headers = {
            "Accept": "application/json",
            "User-Agent": f"iris-field/{__version__}",
            **(auth or Auth()).header(),
        }
        settings = tls if tls is not None else tls_from_environment()
        self._http = urllib3.PoolManager(
            num_pools=2, maxsize=max(1, max_connections), retries=False, **settings.pool_options()
        )

    def close(self) -> None:
        """Close pooled connections."""
        self._http.clear()

    def send(
        self,
        method: str,
        path: str,
        *,
        read_timeout: float,
        body: Mapping[str, Any] | None = None,
        query: Mapping[str, str] | None = None,
        raw: bytes | None = None,
        content_type: str = "",
        stream: bool = False,
    ) -> urllib3.BaseHTTPResponse:
        """Send one request to ``path`` (JSON ``body`` or ``raw`` bytes); raise ``ServerError`` if no answer.

        ``stream`` leaves the body unread (the caller reads it, then ``release_conn()``).
        """
        headers = dict(self.headers)
        payload = raw
        if body is not None:
            payload = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = "application/json"
        if content_type:
            headers["Content-Type"] = content_type
        try:
            return self._http.request(
                method,
                self.uri + path,
                body=payload,
                fields=query,
                headers=headers,
                timeout=urllib3.Timeout(connect=self.connect_timeout, read=read_timeout),
                retries=False,
                redirect=False,
                preload_content=not stream,
            )
        except (HTTPError, OSError) as exc:
            reason = exc.reason if isinstance(exc, MaxRetryError) and exc.reason else exc
            raise self.failed(reason) from exc

    def answer(self, response: urllib3.BaseHTTPResponse) -> Answer:
        """Return a read response as an ``Answer``."""
        return Answer.of(response.status, response.headers, response.data)

    def json(self, answer: Answer) -> dict[str, Any]:
        """Return a successful answer's JSON object, or raise ``ServerError`` saying what the answer means."""
        if answer.ok:
            assert answer.data is not None
            return answer.data
        raise trouble(answer, uri=self.uri, host=self.host)

    def failed(self, exc: BaseException) -> ServerError:
        """Turn a connection-level failure into an error that says what happened."""
        facts = {"uri": self.uri, "host": self.host, "detail": first_line(str(exc))}
        for types, unreachable, problem in _TRANSPORT_ERRORS:
            if isinstance(exc, types):
                return ServerError(problem, unreachable=unreachable, **facts)
        return ServerError(ServerProblem.CONNECTION_FAILED, **facts)
