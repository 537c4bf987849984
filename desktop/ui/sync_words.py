"""The window's words for what the sync reports: why a pass paused or stopped, why an observation failed.

The Qt-free sync reports a ``SyncProblem`` and the facts its sentence names (``desktop/sync/problems.py``);
here each kind gets its sentence in the user's language. A row's failure is stored as the command line's
English sentence; ``read_failure`` gives back its kind, so old rows are worded too. A problem with no words
here is shown as the core wrote it.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QObject

from desktop.errors import StoreError, StoreProblem
from desktop.sync.problems import SyncProblem, read_failure
from desktop.ui.i18n import sentence
from desktop.ui.problem_words import ProblemWords, filled


class SyncWords(QObject):
    """Says the sync's problems in the current language (its texts' translation context)."""

    def problem_text(self, problem: SyncProblem | None, facts: Mapping[str, object], english: str) -> str:
        """Return the sentence for a sync problem; ``english``: the core's own, shown for unknown kinds."""
        if problem is SyncProblem.HISTORY:
            store_facts = {k: v for k, v in facts.items() if k != "store_problem"}
            store_problem = StoreProblem(str(facts.get("store_problem", StoreProblem.OTHER)))
            return ProblemWords().problem_text(StoreError(english, store_problem, **store_facts))
        template = self._templates().get(problem) if problem is not None else None
        if template is None:
            return sentence(english)
        return filled(template, {"settings": self.tr("Settings → Sync"), **facts})

    def headline(self, problem: SyncProblem | None) -> str:
        """Return the status bar's few words for a problem that stopped the sync (the tooltip says why)."""
        if problem is SyncProblem.CREDENTIALS:
            return self.tr("Sync: sign-in refused")
        if problem in (SyncProblem.PASSWORD_UNKNOWN, SyncProblem.TOKEN_UNKNOWN):
            return self.tr("Sync: password or token missing")
        if problem in (
            SyncProblem.NOT_AN_ADDRESS,
            SyncProblem.ADDRESS_WITH_QUERY,
            SyncProblem.ADDRESS_WITH_CREDENTIALS,
        ):
            return self.tr("Sync: check the server address")
        return self.tr("Sync stopped")

    def row_failure_text(self, stored: str) -> str:
        """Return why an observation failed to sync, from the sentence its row holds (as is, if unknown)."""
        found = read_failure(stored)
        return self.problem_text(*found, stored) if found else stored

    def _templates(self) -> dict[SyncProblem, str]:
        return {**self._connection_templates(), **self._setup_templates()}

    def _connection_templates(self) -> dict[SyncProblem, str]:
        """Return the sentences for trouble reaching the server or with its answers."""
        return {
            SyncProblem.NAME_NOT_FOUND: self.tr(
                "The server name in {uri} cannot be found: the laptop is offline, or the address has a typo."
            ),
            SyncProblem.UNREACHABLE: self.tr(
                "The lab's server at {host} cannot be reached. Observations are sent once it can be."
            ),
            SyncProblem.NO_ANSWER: self.tr("The lab's server at {host} did not answer in time."),
            SyncProblem.CERTIFICATE: self.tr(
                "The certificate of the server {host} cannot be verified ({detail}). "
                "Check the address in {settings}, or ask the lab."
            ),
            SyncProblem.BROKE_OFF: self.tr("The connection to {host} broke off before the answer arrived."),
            SyncProblem.CONNECTION_FAILED: self.tr("The connection to {host} failed ({detail})."),
            SyncProblem.CREDENTIALS: self.tr(
                "The lab's server at {host} refused the user name, password or token (HTTP {status}). "
                "Check them in {settings}."
            ),
            SyncProblem.REDIRECTED: self.tr(
                "The server at {host} sends requests on to {target}. If that is the lab's server, "
                "enter that address in {settings}."
            ),
            SyncProblem.NOT_MLFLOW_DATA: self.tr(
                "The server at {host} answered with {content} instead of MLflow data "
                "(perhaps a sign-in page of the network)."
            ),
            SyncProblem.SERVER_ERROR: self.tr(
                "The lab's server at {host} had a problem (HTTP {status}: {detail}). Sync tries again later."
            ),
            SyncProblem.NO_MLFLOW_SERVER: self.tr(
                "No MLflow server answers at {uri} (HTTP {status}). Check the address in {settings}."
            ),
            SyncProblem.REFUSED: self.tr(
                "The lab's server refused the request (HTTP {status}{code}: {detail})."
            ),
        }

    def _setup_templates(self) -> dict[SyncProblem, str]:
        """Return the sentences for the lab's setup, single rows, the lease, the address and credentials."""
        return {
            SyncProblem.EXPERIMENT_DELETED: self.tr(
                "The experiment “{experiment}” was deleted on the lab's server. Restore it there, "
                "or choose another experiment in {settings}."
            ),
            SyncProblem.ARTIFACTS_OUT_OF_REACH: self.tr(
                "The lab's server keeps its files at {location}, out of this app's reach; the lab must "
                "serve them through the server (mlflow server --serve-artifacts)."
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
            SyncProblem.NOT_AN_ADDRESS: self.tr(
                "“{address}” is not the http:// or https:// address of an MLflow server."
            ),
            SyncProblem.ADDRESS_WITH_QUERY: self.tr(
                "The server address “{address}” must not contain ? or #."
            ),
            SyncProblem.ADDRESS_WITH_CREDENTIALS: self.tr(
                "Enter the user name and password in {settings}, not in the server address."
            ),
            SyncProblem.PASSWORD_UNKNOWN: self.tr(
                "The password of “{user}” for {server} is not known on this laptop."
            ),
            SyncProblem.TOKEN_UNKNOWN: self.tr("The access token for {server} is not known on this laptop."),
        }


def sync_problem_text(problem: SyncProblem | None, facts: Mapping[str, object], english: str) -> str:
    """Return the sentence for a sync problem in the current language (``english`` for unknown kinds)."""
    return SyncWords().problem_text(problem, facts, english)


def sync_headline(problem: SyncProblem | None) -> str:
    """Return the status bar's few words for a problem that stopped the sync, in the current language."""
    return SyncWords().headline(problem)


def row_failure_text(stored: str) -> str:
    """Return why an observation failed to sync, in the current language, from its row's stored sentence."""
    return SyncWords().row_failure_text(stored)
