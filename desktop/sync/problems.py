"""What went wrong in a sync, as data (a ``SyncProblem`` and the facts its sentence names), and its English.

The command line prints the English sentences below; the window words each kind in the user's language
(``desktop/ui/sync_words.py``). A row's failure is stored as its English sentence (also what a CSV export
shows), and ``read_failure`` gives back its kind and facts, for rows written by earlier versions too.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping


class SyncProblem(enum.StrEnum):
    """Why a request, a pass or one observation's sync went wrong; the facts each names are listed."""

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
    EXPERIMENT_DELETED = "experiment-deleted"  # experiment
    ARTIFACTS_OUT_OF_REACH = "artifacts-out-of-reach"  # location
    UNEXPECTED = "unexpected"  # detail: a bug stopped the pass
    RUN_DELETED = "run-deleted"  # one observation: its run was deleted on the server
    NOT_WRITABLE = "not-writable"  # detail: one observation cannot be written as an MLflow run
    OTHER_MEASUREMENTS = "other-measurements"  # run: its run holds another observation's measurements
    BUSY = "busy"  # holder, pid: another sync works on this history
    LEASE_LOST = "lease-lost"
    HISTORY = "history"  # store_problem (a StoreProblem) and its facts: the history cannot be read
    NOT_AN_ADDRESS = "not-an-address"  # address
    ADDRESS_WITH_QUERY = "address-with-query"  # address
    ADDRESS_WITH_CREDENTIALS = "address-with-credentials"
    PASSWORD_UNKNOWN = "password-unknown"  # user, server
    TOKEN_UNKNOWN = "token-unknown"  # server


ENGLISH: dict[SyncProblem, str] = {
    SyncProblem.NAME_NOT_FOUND: "the server name in {uri} cannot be found (no network, or a typo?)",
    SyncProblem.UNREACHABLE: "the server at {host} cannot be reached",
    SyncProblem.NO_ANSWER: "the server at {host} did not answer in time",
    SyncProblem.CERTIFICATE: "the server's certificate for {host} cannot be verified ({detail})",
    SyncProblem.BROKE_OFF: "the connection to {host} broke off before the answer arrived",
    SyncProblem.CONNECTION_FAILED: "the connection to {host} failed ({detail})",
    SyncProblem.CREDENTIALS: "{status}: check your credentials for {host}",
    SyncProblem.REDIRECTED: "the server at {host} redirects to {target}; if that is the right server, "
    "use that address as the tracking URL",
    SyncProblem.NOT_MLFLOW_DATA: "the server at {host} answered with {content} instead of MLflow data",
    SyncProblem.SERVER_ERROR: "the server at {host} had a problem ({status}: {detail}); retrying later",
    SyncProblem.NO_MLFLOW_SERVER: "no MLflow server answers at {uri} ({status}); check the tracking URL",
    SyncProblem.REFUSED: "the server refused the request ({status}{code}: {detail})",
    SyncProblem.EXPERIMENT_DELETED: "the experiment '{experiment}' was deleted on the MLflow server; "
    "restore it there or choose another experiment name",
    SyncProblem.ARTIFACTS_OUT_OF_REACH: "the experiment keeps its files at {location}, which this app cannot "
    "write to; ask the lab to run the MLflow server with artifact proxying (--serve-artifacts)",
    SyncProblem.UNEXPECTED: "an unexpected error stopped the sync: {detail}",
    SyncProblem.RUN_DELETED: "its run was deleted on the MLflow server; it is not sent again",
    SyncProblem.NOT_WRITABLE: "it cannot be written to MLflow: {detail}",
    SyncProblem.OTHER_MEASUREMENTS: "the run {run} on the server holds other measurements than this "
    "observation",
    SyncProblem.BUSY: "another sync is working on this history ({holder}, pid {pid})",
    SyncProblem.LEASE_LOST: "another sync worker took over this history",
    SyncProblem.NOT_AN_ADDRESS: "the tracking URL '{address}' is not an http:// or https:// address of an "
    "MLflow server",
    SyncProblem.ADDRESS_WITH_QUERY: "the tracking URL '{address}' must not contain '?' or '#'",
    SyncProblem.ADDRESS_WITH_CREDENTIALS: "put the user name and password in the sync settings, "
    "not in the tracking URL",
    SyncProblem.PASSWORD_UNKNOWN: "the password of '{user}' for {server} is not known on this machine",
    SyncProblem.TOKEN_UNKNOWN: "the access token for {server} is not known on this machine",
}

# What a fact looks like where the words alone cannot tell where it ends.
_FACT_PATTERNS = {"status": r"\d{3}", "code": r"(?: \S+)?", "pid": r"\d+"}
_STORED_AS_ROW_FAILURE = (
    SyncProblem.RUN_DELETED,
    SyncProblem.NOT_WRITABLE,
    SyncProblem.OTHER_MEASUREMENTS,
    SyncProblem.REFUSED,
    SyncProblem.NO_MLFLOW_SERVER,
    SyncProblem.ARTIFACTS_OUT_OF_REACH,
)


def english(problem: SyncProblem, facts: Mapping[str, object]) -> str:
    """Return the command line's sentence for ``problem`` (lower-case, no full stop)."""
    return ENGLISH[problem].format_map(facts)


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", template)  # literal, fact, literal, fact, ...
    regex = "".join(
        re.escape(part) if i % 2 == 0 else f"(?P<{part}>{_FACT_PATTERNS.get(part, '.+?')})"
        for i, part in enumerate(parts)
    )
    return re.compile(regex + r"\Z", re.DOTALL)


_ROW_FAILURES = tuple((problem, _pattern(ENGLISH[problem])) for problem in _STORED_AS_ROW_FAILURE)


def read_failure(text: str) -> tuple[SyncProblem, dict[str, str]] | None:
    """Return the kind and facts of a row's stored failure sentence, or ``None`` if it is none of ours."""
    for problem, pattern in _ROW_FAILURES:
        if match := pattern.match(text):
            return problem, match.groupdict()
    return None
