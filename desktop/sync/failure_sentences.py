"""Schema step 10: a row failure stored as its English sentence becomes kind and facts, as stored now.

Versions before the failures were stored as data (desktop/sync/row_failure.py) wrote the English sentence
of one of six kinds into ``sync_outbox.failure``. This step reads those sentences back, in SQL, into the
``{"facts": {...}, "kind": "..."}`` the sync writes now, so the window words them in the user's language
again. The sentences below are frozen as those versions wrote them: a step that shipped never changes.
A failure that matches none of them is left as written (``read_failure`` shows it as text).
"""

from __future__ import annotations

# The sentences as earlier versions wrote them: (kind, text before the fact, fact, text after it).
_ONE_FACT = (
    ("not-writable", "it cannot be written to MLflow: ", "detail", ""),
    (
        "other-measurements",
        "the run ",
        "run",
        " on the server holds other measurements than this observation",
    ),
    (
        "artifacts-out-of-reach",
        "the experiment keeps its files at ",
        "location",
        ", which this app cannot write to; ask the lab to run the MLflow server with artifact proxying"
        " (--serve-artifacts)",
    ),
)
_RUN_DELETED = "its run was deleted on the MLflow server; it is not sent again"
_REFUSED = ("the server refused the request (", ")")  # {status}{code}: {detail}, code "" or " CODE"
_NO_SERVER = ("no MLflow server answers at ", "); check the tracking URL")  # {uri} ({status}


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _middle(prefix: str, suffix: str) -> str:
    """Return the SQL of the text between ``prefix`` and ``suffix`` of ``failure``."""
    return f"substr(failure, {len(prefix) + 1}, length(failure) - {len(prefix) + len(suffix)})"


def _matches(prefix: str, suffix: str) -> str:
    """Return the SQL condition: ``failure`` starts with ``prefix``, ends with ``suffix``, holds more."""
    return (
        f"length(failure) > {len(prefix) + len(suffix)}"
        f" AND substr(failure, 1, {len(prefix)}) = {_quoted(prefix)}"
        + (f" AND substr(failure, -{len(suffix)}) = {_quoted(suffix)}" if suffix else "")
    )


def _refused() -> str:
    inner = _middle(*_REFUSED)  # "400 RESOURCE_DOES_NOT_EXIST: detail" or "400: detail"
    rest = f"substr({inner}, 4)"  # the code (maybe empty), ": ", the detail
    facts = (
        f"json_object('code', substr({rest}, 1, instr({rest}, ': ') - 1),"
        f" 'detail', substr({rest}, instr({rest}, ': ') + 2),"
        f" 'status', CAST(substr({inner}, 1, 3) AS INTEGER))"
    )
    condition = (
        f"{_matches(*_REFUSED)} AND substr({inner}, 1, 3) GLOB '[0-9][0-9][0-9]' AND instr({rest}, ': ') > 0"
    )
    return f"WHEN {condition} THEN json_object('facts', {facts}, 'kind', 'refused')"


def _no_server() -> str:
    body = _middle(*_NO_SERVER)  # "{uri} ({status}"
    facts = (
        f"json_object('status', CAST(substr({body}, -3) AS INTEGER),"
        f" 'uri', substr({body}, 1, length({body}) - 5))"
    )
    condition = f"{_matches(*_NO_SERVER)} AND substr({body}, -5) GLOB ' ([0-9][0-9][0-9]'"
    return f"WHEN {condition} THEN json_object('facts', {facts}, 'kind', 'no-mlflow-server')"


def _cases() -> list[str]:
    deleted = "json_object('facts', json_object(), 'kind', 'run-deleted')"
    cases = [f"WHEN failure = {_quoted(_RUN_DELETED)} THEN {deleted}"]
    for kind, prefix, fact, suffix in _ONE_FACT:
        facts = f"json_object({_quoted(fact)}, {_middle(prefix, suffix)})"
        cases.append(
            f"WHEN {_matches(prefix, suffix)} THEN json_object('facts', {facts}, 'kind', {_quoted(kind)})"
        )
    return [*cases, _refused(), _no_server()]


FAILURES_AS_KINDS = (
    "UPDATE sync_outbox SET failure = CASE\n        "
    + "\n        ".join(_cases())
    + "\n        ELSE failure END\n    WHERE failure <> '' AND substr(failure, 1, 1) <> '{';\n"
)
