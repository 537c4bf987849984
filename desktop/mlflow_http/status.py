"""What an answer means: success (its JSON), "there is no such thing", or a kind of server trouble."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from desktop.mlflow_http.problems import ServerError, ServerProblem

MISSING = "RESOURCE_DOES_NOT_EXIST"  # MLflow's error code for "no such experiment, run, tag..."
_CREDENTIAL_STATUSES = (401, 403)


@dataclass(frozen=True)
class Answer:
    """One answer as it arrived: status, headers, and its body if that was a JSON object."""

    status: int
    headers: Mapping[str, str]
    data: dict[str, Any] | None  # None: the body was not a JSON object

    @classmethod
    def of(cls, status: int, headers: Mapping[str, str], body: bytes) -> Answer:
        """Read an answer's body as JSON (an empty body is an empty object)."""
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            data = None
        return cls(status, headers, data if isinstance(data, dict) else None)

    @property
    def error_code(self) -> str:
        """Return MLflow's error code ("" if the answer has none)."""
        return str(self.data.get("error_code", "")) if self.data is not None else ""

    @property
    def missing(self) -> bool:
        """Tell whether the server says the thing asked for does not exist."""
        return self.error_code == MISSING

    @property
    def ok(self) -> bool:
        """Tell whether this is a successful MLflow answer (a 2xx with a JSON object)."""
        return 200 <= self.status < 300 and self.data is not None


def trouble(answer: Answer, *, uri: str, host: str) -> ServerError:
    """Say what an unsuccessful answer means (and so what to do about it), as a ``ServerError``."""
    problem, facts = _describe(answer, uri, host)
    return ServerError(
        problem,
        http_status=answer.status,
        error_code=answer.error_code,
        retry_after=answer.headers.get("Retry-After"),
        **facts,
    )


def _describe(answer: Answer, uri: str, host: str) -> tuple[ServerProblem, dict[str, object]]:
    status, data = answer.status, answer.data
    server_message = str(data.get("message", "")) if data is not None else ""
    if status in _CREDENTIAL_STATUSES:
        return ServerProblem.CREDENTIALS, {"status": status, "host": host}
    if 300 <= status < 400:
        target = answer.headers.get("Location", "another address")
        return ServerProblem.REDIRECTED, {"host": host, "target": target}
    if 200 <= status < 300:
        kind_of_page = answer.headers.get("Content-Type", "something else") or "something else"
        return ServerProblem.NOT_MLFLOW_DATA, {"host": host, "content": kind_of_page}
    if status >= 500:
        what = server_message or ("an error page" if data is None else "no explanation")
        return ServerProblem.SERVER_ERROR, {"host": host, "status": status, "detail": first_line(what)}
    if data is None:
        return ServerProblem.NO_MLFLOW_SERVER, {"uri": uri, "status": status}
    code = f" {answer.error_code}" if answer.error_code else ""
    return ServerProblem.REFUSED, {"status": status, "code": code, "detail": first_line(server_message)}


def first_line(text: str, limit: int = 200) -> str:
    """Return the first line of ``text``, cut to ``limit`` characters."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"
