"""What went wrong in a sync, as data (a ``SyncProblem`` and the facts its sentence names), and its English.

Server trouble is a ``ServerProblem`` (``desktop/mlflow_http/problems.py``), shared with the model
delivery; the kinds here are the sync's own. The command line prints the English sentences; the window
words each kind in the user's language (``desktop/ui/sync_words.py``, ``desktop/ui/problem_words.py``).
A row's failure is stored as its kind and facts (``desktop/sync/row_failure.py``), never as a sentence.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

from desktop.mlflow_http import problems as server


class SyncProblem(enum.StrEnum):
    """Why a pass or one observation's sync went wrong, apart from server trouble; facts each names listed."""

    EXPERIMENT_DELETED = "experiment-deleted"  # experiment
    UNEXPECTED = "unexpected"  # detail: a bug stopped the pass
    RUN_DELETED = "run-deleted"  # one observation: its run was deleted on the server
    NOT_WRITABLE = "not-writable"  # detail: one observation cannot be written as an MLflow run
    OTHER_MEASUREMENTS = "other-measurements"  # run: its run holds another observation's measurements
    BUSY = "busy"  # holder, pid: another sync works on this history
    LEASE_LOST = "lease-lost"
    HISTORY = "history"  # store_problem (a StoreProblem) and its facts: the history cannot be read
    PASSWORD_UNKNOWN = "password-unknown"  # user, server
    TOKEN_UNKNOWN = "token-unknown"  # server


ENGLISH: dict[SyncProblem, str] = {
    SyncProblem.EXPERIMENT_DELETED: "the experiment '{experiment}' was deleted on the MLflow server; "
    "restore it there or choose another experiment name",
    SyncProblem.UNEXPECTED: "an unexpected error stopped the sync: {detail}",
    SyncProblem.RUN_DELETED: "its run was deleted on the MLflow server; it is not sent again",
    SyncProblem.NOT_WRITABLE: "it cannot be written to MLflow: {detail}",
    SyncProblem.OTHER_MEASUREMENTS: "the run {run} on the server holds other measurements than this "
    "observation",
    SyncProblem.BUSY: "another sync is working on this history ({holder}, pid {pid})",
    SyncProblem.LEASE_LOST: "another sync worker took over this history",
    SyncProblem.PASSWORD_UNKNOWN: "the password of '{user}' for {server} is not known on this machine",
    SyncProblem.TOKEN_UNKNOWN: "the access token for {server} is not known on this machine",
}


def english(problem: SyncProblem | server.ServerProblem, facts: Mapping[str, object]) -> str:
    """Return the command line's sentence for ``problem`` (lower-case, no full stop)."""
    if isinstance(problem, server.ServerProblem):
        return server.english(problem, facts)
    return ENGLISH[problem].format_map(facts)
