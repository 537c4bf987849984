"""The window's words for what the sync reports: why a pass paused or stopped, why an observation failed.

The Qt-free sync reports a ``SyncProblem`` or a ``ServerProblem`` and the facts its sentence names
(``desktop/sync/problems.py``, ``desktop/mlflow_http/problems.py``); here each kind gets its sentence in
the user's language, server trouble through ``ProblemWords`` (the words model updates use too) plus what
it means for the sync. A row's failure is stored as kind and facts (``desktop/sync/row_failure.py``);
one stored as a sentence by an earlier version is shown as written. A problem with no words here is shown
as the core wrote it.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from PySide6.QtCore import QObject

from desktop.errors import StoreError, StoreProblem
from desktop.mlflow_http.problems import ServerProblem
from desktop.sync.problems import SyncProblem
from desktop.sync.row_failure import read_failure
from desktop.ui.i18n import sentence
from desktop.ui.problem_words import ProblemWords, filled

_ADDRESS_PROBLEMS = (
    ServerProblem.NOT_AN_ADDRESS,
    ServerProblem.ADDRESS_WITH_QUERY,
    ServerProblem.ADDRESS_WITH_CREDENTIALS,
)


class SyncWords(QObject):
    """Says the sync's problems in the current language (its texts' translation context)."""

    def problem_text(self, problem: StrEnum | None, facts: Mapping[str, object], english: str) -> str:
        """Return the sentence for a sync problem; ``english``: the core's own, shown for unknown kinds."""
        if isinstance(problem, ServerProblem):
            said = ProblemWords().server_text(problem, facts)
            consequence = self._consequences().get(problem)
            return f"{said} {consequence}" if consequence else said
        if problem is SyncProblem.HISTORY:
            store_facts = {k: v for k, v in facts.items() if k != "store_problem"}
            store_problem = StoreProblem(str(facts.get("store_problem", StoreProblem.OTHER)))
            return ProblemWords().problem_text(StoreError(english, store_problem, **store_facts))
        template = self._templates().get(problem) if isinstance(problem, SyncProblem) else None
        if template is None:
            return sentence(english)
        return filled(template, {"settings": self.tr("Settings → Sync"), **facts})

    def headline(self, problem: StrEnum | None) -> str:
        """Return the status bar's few words for a problem that stopped the sync (the tooltip says why)."""
        if problem is ServerProblem.CREDENTIALS:
            return self.tr("Sync: sign-in refused")
        if problem in (SyncProblem.PASSWORD_UNKNOWN, SyncProblem.TOKEN_UNKNOWN):
            return self.tr("Sync: password or token missing")
        if problem in _ADDRESS_PROBLEMS:
            return self.tr("Sync: check the server address")
        return self.tr("Sync stopped")

    def row_failure_text(self, stored: str) -> str:
        """Return why an observation failed to sync, from its row's kind and facts (a sentence as is)."""
        failure = read_failure(stored)
        if failure.problem is None:
            return failure.text
        return self.problem_text(failure.problem, failure.facts, failure.english())

    def _consequences(self) -> dict[ServerProblem, str]:
        """Return what server trouble means for the sync, said after the trouble itself."""
        return {
            ServerProblem.UNREACHABLE: self.tr("Observations are sent once it can be."),
            ServerProblem.SERVER_ERROR: self.tr("Sync tries again later."),
        }

    def _templates(self) -> dict[SyncProblem, str]:
        return {
            SyncProblem.EXPERIMENT_DELETED: self.tr(
                "The experiment “{experiment}” was deleted on the lab's server. Restore it there, "
                "or choose another experiment in {settings}."
            ),
            SyncProblem.UNEXPECTED: self.tr(
                "An unexpected error stopped the sync ({detail}). Please tell the lab."
            ),
            SyncProblem.RUN_DELETED: self.tr(
                "The observation's run was deleted on the lab's server, so it is not sent again."
            ),
            SyncProblem.NOT_WRITABLE: self.tr("This observation cannot be written to MLflow ({detail})."),
            SyncProblem.OTHER_MEASUREMENTS: self.tr(
                "The run {run} on the lab's server holds other measurements than this observation."
            ),
            SyncProblem.BUSY: self.tr("Another sync is working on this history ({holder}, process {pid})."),
            SyncProblem.LEASE_LOST: self.tr("Another sync took over this history."),
            SyncProblem.PASSWORD_UNKNOWN: self.tr(
                "The password of “{user}” for {server} is not known on this laptop."
            ),
            SyncProblem.TOKEN_UNKNOWN: self.tr("The access token for {server} is not known on this laptop."),
        }


def sync_problem_text(problem: StrEnum | None, facts: Mapping[str, object], english: str) -> str:
    """Return the sentence for a sync problem in the current language (``english`` for unknown kinds)."""
    return SyncWords().problem_text(problem, facts, english)


def sync_headline(problem: StrEnum | None) -> str:
    """Return the status bar's few words for a problem that stopped the sync, in the current language."""
    return SyncWords().headline(problem)


def row_failure_text(stored: str) -> str:
    """Return why an observation failed to sync, in the current language, from its row's stored sentence."""
    return SyncWords().row_failure_text(stored)
