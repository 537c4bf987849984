"""The window's words for what the core reports: history problems, a salvaged history, refused models.

The core's errors and results carry what happened as data (a ``StrEnum`` kind and the facts its sentence
names); here each kind gets its sentence in the user's language. The command line keeps the core's own
English sentences. An error with no words here is shown as the core wrote it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from PySide6.QtCore import QObject

from desktop.errors import ModelError, ModelProblem, StoreError, StoreProblem
from desktop.history.files import ReadOnlyCause
from desktop.history.salvage import SalvageReport
from desktop.mlflow_http.problems import ServerError, ServerProblem
from desktop.model_delivery.errors import KeyFileError, KeyProblem, NoPreviousModel, Refusal, ReleaseRefused
from desktop.model_delivery.model_store import Fallback
from desktop.ui.i18n import sentence

_READ_ONLY_CAUSES = {
    StoreProblem.READ_ONLY_FILE: ReadOnlyCause.FILE,
    StoreProblem.READ_ONLY_FOLDER: ReadOnlyCause.FOLDER,
}


class ProblemWords(QObject):
    """Says the core's errors and results in the current language (its texts' translation context)."""

    def problem_text(self, error: BaseException) -> str:
        """Return the sentence a dialog shows for an error of the core, in the current language."""
        if isinstance(error, StoreError) and error.problem is not StoreProblem.OTHER:
            return self._store_text(error.problem, error.facts)
        if isinstance(error, ReleaseRefused):
            return self.refusal_text(error.reason, error.facts)
        if isinstance(error, ModelError) and error.problem is not ModelProblem.OTHER:
            return self.model_text(error.problem, error.facts)
        if isinstance(error, ServerError):
            return self._server_error_text(error)
        if isinstance(error, KeyFileError) and error.problem is not KeyProblem.OTHER:
            return self.key_text(error.problem, error.facts)
        if isinstance(error, NoPreviousModel):
            return self.tr(
                "The model Iris Field was installed with is already in use; there is no earlier one.",
            )
        return sentence(str(error))

    def model_text(self, problem: ModelProblem, facts: Mapping[str, object]) -> str:
        """Return what is wrong with a model or its card."""
        templates = {
            ModelProblem.MODEL_MISSING: self.tr("The model file {path} is missing."),
            ModelProblem.MODEL_UNREADABLE: self.tr("The model file {path} cannot be read ({detail})."),
            ModelProblem.MODEL_CHANGED: self.tr(
                "The model file {path} does not match its card: it was changed or damaged."
            ),
            ModelProblem.MODEL_NOT_ONNX: self.tr("The model file {path} is not a usable ONNX model."),
            ModelProblem.MODEL_DOES_NOT_FIT: self.tr(
                "The model file {path} does not read the measurements or give the species its card lists."
            ),
            ModelProblem.CARD_MISSING: self.tr("The model card {path} is missing."),
            ModelProblem.CARD_UNREADABLE: self.tr("The model card {path} cannot be read ({detail})."),
            ModelProblem.CARD_INVALID: self.tr("The model card {path} is damaged or incomplete."),
            ModelProblem.CARD_NEWER: self.tr(
                "The model card {path} is written for a newer Iris Field (card version {version}, this "
                "version reads {known}). Please update Iris Field."
            ),
        }
        return filled(templates[problem], facts)

    def _server_error_text(self, error: ServerError) -> str:
        """Return a dialog's sentence for server trouble, with where to correct a wrong address."""
        text = self.server_text(error.problem, error.facts)
        if error.problem in (ServerProblem.NOT_AN_ADDRESS, ServerProblem.ADDRESS_WITH_QUERY):
            text += " " + self.tr("Correct it in Settings → Sync.")
        return text

    def server_text(self, problem: ServerProblem, facts: Mapping[str, object]) -> str:
        """Return why the lab's server could not be asked or refused (for sync and model updates alike)."""
        return filled(self._server_templates()[problem], {"settings": self.tr("Settings → Sync"), **facts})

    def _server_templates(self) -> dict[ServerProblem, str]:
        return {
            ServerProblem.NOT_AN_ADDRESS: self.tr(
                "“{address}” is not the http:// or https:// address of an MLflow server."
            ),
            ServerProblem.ADDRESS_WITH_QUERY: self.tr(
                "The server address “{address}” must not contain ? or #."
            ),
            ServerProblem.ADDRESS_WITH_CREDENTIALS: self.tr(
                "Enter the user name and password in {settings}, not in the server address."
            ),
            ServerProblem.TLS_SETTINGS: self.tr("Set either {cert} or {insecure}, not both."),
            ServerProblem.NAME_NOT_FOUND: self.tr(
                "The server name in {uri} cannot be found: the laptop is offline, or the address has a typo."
            ),
            ServerProblem.UNREACHABLE: self.tr("The lab's server at {host} cannot be reached."),
            ServerProblem.NO_ANSWER: self.tr("The lab's server at {host} did not answer in time."),
            ServerProblem.CERTIFICATE: self.tr(
                "The certificate of the server {host} cannot be verified ({detail}). "
                "Check the address in {settings}, or ask the lab."
            ),
            ServerProblem.BROKE_OFF: self.tr("The connection to {host} broke off before the answer arrived."),
            ServerProblem.CONNECTION_FAILED: self.tr("The connection to {host} failed ({detail})."),
            ServerProblem.CREDENTIALS: self.tr(
                "The lab's server at {host} refused the user name, password or token (HTTP {status}). "
                "Check them in {settings}."
            ),
            ServerProblem.REDIRECTED: self.tr(
                "The server at {host} sends requests on to {target}. If that is the lab's server, "
                "enter that address in {settings}."
            ),
            ServerProblem.NOT_MLFLOW_DATA: self.tr(
                "The server at {host} answered with {content} instead of MLflow data "
                "(perhaps a sign-in page of the network)."
            ),
            ServerProblem.SERVER_ERROR: self.tr(
                "The lab's server at {host} had a problem (HTTP {status}: {detail})."
            ),
            ServerProblem.NO_MLFLOW_SERVER: self.tr(
                "No MLflow server answers at {uri} (HTTP {status}). Check the address in {settings}."
            ),
            ServerProblem.REFUSED: self.tr(
                "The lab's server refused the request (HTTP {status}{code}: {detail})."
            ),
            ServerProblem.ARTIFACTS_OUT_OF_REACH: self.tr(
                "The lab's server keeps its files at {location}, out of this app's reach; the lab must "
                "serve them through the server (mlflow server --serve-artifacts)."
            ),
            ServerProblem.RUN_GONE: self.tr(
                "The training run {run} of the released model is gone from the server."
            ),
        }

    def key_text(self, problem: KeyProblem, facts: Mapping[str, object]) -> str:
        """Return why a key file cannot be trusted."""
        templates = {
            KeyProblem.UNREADABLE: self.tr("The key file {path} cannot be read ({detail})."),
            KeyProblem.PRIVATE_KEY: self.tr(
                "{path} is the lab's private signing key. Give the laptop the public key (.pub file) "
                "instead, and keep the signing key secret."
            ),
            KeyProblem.NOT_PEM: self.tr("{path} is not a public key file."),
            KeyProblem.NOT_ED25519: self.tr(
                "{path} holds a kind of key that models are not signed with (an Ed25519 key is needed)."
            ),
            KeyProblem.ALREADY_TRUSTED: self.tr("The key {fingerprint} is already trusted."),
            KeyProblem.NOT_SAVED: self.tr("The key cannot be kept in {folder} ({detail})."),
            KeyProblem.NOT_TRUSTED: self.tr("No trusted key has the fingerprint {fingerprint}."),
            KeyProblem.REPLACED: self.tr(
                "The lab replaced the key {fingerprint} by the key {replaced_by}; it is never trusted again."
            ),
        }
        return filled(templates[problem], facts)

    def fallback_text(self, fallback: Fallback) -> str:
        """Return why the bundled model predicts although another was installed."""
        if fallback is Fallback.RECORD_DAMAGED:
            return self.tr("The record of installed models is damaged, so the bundled model predicts.")
        return self.tr("The installed model cannot be used, so the bundled model predicts.")

    def read_only_reason(self, cause: ReadOnlyCause | None, path: Path) -> str:
        """Return why the history at ``path`` cannot be written, as part of a sentence ("" if it can)."""
        if cause is ReadOnlyCause.FOLDER:
            return self.tr("the folder {folder} is read-only").format(folder=path.parent)
        if cause is ReadOnlyCause.FILE:
            return self.tr("the history file {path} is read-only").format(path=path)
        return ""

    def salvage_text(self, report: SalvageReport) -> str:
        """Return what a salvage of a damaged history achieved: recovered, lost, where the damaged file is."""
        if not report.recovered:
            return self.tr(
                "No observation could be recovered from a damaged history; the original is kept as {file}. "
                "This message returns at every start until that file is moved away."
            ).format(file=report.aside)
        recovered = self.tr(
            "%Ln observation(s) were recovered from a damaged history; the original is kept as {file}.",
            "",
            report.recovered,
        ).format(file=report.aside)
        if report.lost is None:
            lost = self.tr("How many could not be read is unknown.")
        elif report.lost:
            lost = self.tr("%Ln could not be read.", "", report.lost)
        else:
            lost = self.tr("None was lost.")
        return f"{recovered} {lost}"

    def _store_text(self, problem: StoreProblem, facts: Mapping[str, object]) -> str:
        if problem in _READ_ONLY_CAUSES:
            why = self.read_only_reason(_READ_ONLY_CAUSES[problem], Path(str(facts["path"])))
            return self.tr("Nothing can be saved: {reason}.").format(reason=why)
        templates = {
            StoreProblem.FOLDER_NOT_CREATED: self.tr(
                "The folder {folder} for the observation history cannot be created ({detail})."
            ),
            StoreProblem.NOT_OPENED: self.tr(
                "The observation history {path} cannot be opened ({detail}). "
                "Check that its folder exists and may be written.",
            ),
            StoreProblem.NOT_A_FILE: self.tr(
                "Where the observation history {path} should be, there is a folder or another thing that is "
                "not a file. Move it away, then start Iris Field again.",
            ),
            StoreProblem.NOT_READ: self.tr("The observation history {path} cannot be read ({detail})."),
            StoreProblem.DAMAGED_ON_READ: self.tr(
                "The observation history {path} is damaged: a saved observation cannot be read. "
                "Start Iris Field again to recover every observation still readable.",
            ),
            StoreProblem.NOT_WRITTEN: self.tr("The observation history {path} cannot be written ({detail})."),
            StoreProblem.NEWER_SCHEMA: self.tr(
                "The observation history {path} was written by a newer version of Iris Field "
                "(schema {version}, this version knows {known}). Please update Iris Field.",
            ),
            StoreProblem.NO_SUCH_OBSERVATION: self.tr(
                "There is no saved observation with the id {id}; it may have been removed meanwhile.",
            ),
            StoreProblem.ALREADY_SAVED: self.tr("An observation with the same id is already saved."),
            StoreProblem.DAMAGED_NOT_MOVED: self.tr(
                "The observation history {path} is damaged and could not be moved aside ({detail}). "
                "Move or copy it away yourself, then start Iris Field again to begin a new history.",
            ),
            StoreProblem.DAMAGED_NOT_COPIED: self.tr(
                "The observation history {path} is damaged. It was moved aside to {aside}, but its "
                "observations could not be copied into a new history ({detail}). Free some space and start "
                "Iris Field again to recover them.",
            ),
            StoreProblem.INDEX_NOT_REMOVED: self.tr(
                "The history's index file {path} is left over from an earlier run and cannot be removed "
                "({detail}). Remove it (it holds no observations), then start Iris Field again.",
            ),
            StoreProblem.EXPORT_FOLDER_MISSING: self.tr(
                "{path} cannot be written: the folder {folder} does not exist."
            ),
            StoreProblem.EXPORT_NOT_WRITTEN: self.tr("{path} cannot be written ({detail}); it is unchanged."),
        }
        return filled(templates[problem], facts)

    def refusal_text(self, reason: Refusal, facts: Mapping[str, object]) -> str:
        """Return why a model release was refused, in the current language."""
        templates = {
            Refusal.UNSIGNED: self.tr("The model is not signed by the lab, so it could come from anyone."),
            Refusal.UNKNOWN_KEY: self.tr(
                "The model is signed by the key {key}, which this laptop does not trust. "
                "Add the lab's public key in Settings, then try again.",
            ),
            Refusal.WITHDRAWN_KEY: self.tr(
                "The model is signed by the key {key}, which this laptop stopped trusting on {withdrawn_at}."
            ),
            Refusal.BAD_SIGNATURE: self.tr(
                "The model's signature does not match its content: it was changed after signing."
            ),
            Refusal.SHA256_MISMATCH: self.tr(
                "The model file does not match its signed card: it was changed or damaged after signing.",
            ),
            Refusal.NOT_NEWER: self.tr(
                "Release {sequence} is not newer than release {installed}, "
                "already installed from the same lab.",
            ),
            Refusal.SUPERSEDED: self.tr(
                "Release {sequence} is older than release {newest}, which the lab confirmed as current "
                "on {confirmed_at}.",
            ),
            Refusal.WRONG_SCHEMA: self.tr(
                "The model reads other measurements or names other species than this app knows."
            ),
            Refusal.REFERENCE_MISMATCH: self.tr(
                "The model does not give the answers its release promises for its reference flowers.",
            ),
            Refusal.UNUSABLE: self.tr("The model cannot run on this laptop."),
            Refusal.TRUNCATED: self.tr("The model file is incomplete: its download or copy broke off."),
            Refusal.NOT_A_MODEL_FILE: self.tr(
                "This is not an Iris Field model file, or parts of it are missing."
            ),
            Refusal.SERVER_ERROR: self.tr("The lab's server failed to send the model."),
            Refusal.DISK_FULL: self.tr("The disk is full, so the model could not be installed."),
        }
        return filled(templates[reason], facts)


def problem_text(error: BaseException) -> str:
    """Return the sentence a dialog shows for an error of the core, in the current language."""
    return ProblemWords().problem_text(error)


def fallback_text(fallback: Fallback) -> str:
    """Return why the bundled model predicts although another was installed, in the current language."""
    return ProblemWords().fallback_text(fallback)


def read_only_reason(cause: ReadOnlyCause | None, path: Path) -> str:
    """Return why the history at ``path`` cannot be written, as part of a sentence ("" if it can)."""
    return ProblemWords().read_only_reason(cause, path)


def salvage_text(report: SalvageReport) -> str:
    """Return what a salvage of a damaged history achieved: recovered, lost, where the damaged file is."""
    return ProblemWords().salvage_text(report)


def refusal_text(reason: Refusal, facts: Mapping[str, object]) -> str:
    """Return why a model release was refused, in the current language."""
    return ProblemWords().refusal_text(reason, facts)


class _Facts(dict):
    """The facts a sentence names; a name the sentence asks for but the error lacks shows as "?"."""

    def __missing__(self, key: str) -> str:
        return "?"


def filled(template: str, facts: Mapping[str, object]) -> str:
    """Put the facts into a (translated) sentence; a mistyped placeholder never breaks a dialog."""
    try:
        return template.format_map(_Facts(facts))
    except (ValueError, IndexError):  # a stray brace in a translation: the sentence as written
        return template
