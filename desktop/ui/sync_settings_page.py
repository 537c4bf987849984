"""The "Sync" tab of the settings dialog: server, experiment, sign-in, device name, automatic sync."""

from __future__ import annotations

import socket

from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QLabel, QLineEdit, QWidget

from desktop.mlflow_http.address import AddressError, normalize_tracking_uri
from desktop.settings import Settings
from desktop.sync.credentials import SecretStore
from desktop.sync.target import DEFAULT_EXPERIMENT
from desktop.ui.i18n import sentence
from desktop.ui.settings_dialog import SettingsPage
from desktop.ui.sync_words import sync_problem_text


class SyncSettingsPage(SettingsPage):
    """Where observations go; the password or token goes to the keyring (or this session), never to a file."""

    def __init__(self, settings: Settings, secrets: SecretStore, parent: QWidget | None = None):
        """Show the current values; an already stored secret is not shown, only said to be there."""
        super().__init__(parent)
        self._secrets = secrets
        self.server = QLineEdit(settings.tracking_uri, self)
        self.server.setPlaceholderText("https://mlflow.lab.example.org")
        self.server.setAccessibleName(self.tr("MLflow server address"))
        self.experiment = QLineEdit(settings.experiment_name, self)
        self.experiment.setPlaceholderText(DEFAULT_EXPERIMENT)
        self.experiment.setAccessibleName(self.tr("Experiment"))
        self.auth = QComboBox(self)
        self.auth.addItem(self.tr("None"), "none")
        self.auth.addItem(self.tr("User name and password"), "basic")
        self.auth.addItem(self.tr("Access token"), "token")
        self.auth.setCurrentIndex(max(self.auth.findData(settings.auth), 0))
        self.auth.setAccessibleName(self.tr("Sign-in"))
        self.username = QLineEdit(settings.username, self)
        self.username.setAccessibleName(self.tr("User name"))
        self.secret = QLineEdit(self)
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret.setAccessibleName(self.tr("Password or token"))
        self.device = QLineEdit(settings.device_name, self)
        self.device.setPlaceholderText(socket.gethostname())
        self.device.setAccessibleName(self.tr("Device name"))
        self.auto_sync = QCheckBox(
            self.tr("Send observations &automatically whenever the server is reachable"), self
        )
        self.auto_sync.setChecked(settings.auto_sync)
        keeping = (
            self.tr("Passwords and tokens are kept in the system's keyring.")
            if secrets.persistent
            else self.tr(
                "This system has no keyring: a password or token is kept only until Iris Field closes, "
                "never written to disk."
            )
        )
        self.secret_hint = QLabel(keeping, self)
        self.secret_hint.setWordWrap(True)

        form = QFormLayout(self)
        form.addRow(self.tr("&Server"), self.server)
        form.addRow(self.tr("&Experiment"), self.experiment)
        form.addRow(self.tr("Sign-&in"), self.auth)
        form.addRow(self.tr("&User name"), self.username)
        form.addRow(self.tr("&Password or token"), self.secret)
        form.addRow(self.secret_hint)
        form.addRow(self.tr("&Device name"), self.device)
        form.addRow(self.auto_sync)
        for field in (self.server, self.experiment, self.auth, self.username, self.secret, self.device):
            label = form.labelForField(field)
            if isinstance(label, QLabel):
                label.setBuddy(field)
        self.auth.currentIndexChanged.connect(self._update_fields)
        self._update_fields()

    def _mode(self) -> str:
        return str(self.auth.currentData())

    def _update_fields(self) -> None:
        mode = self._mode()
        self.username.setEnabled(mode == "basic")
        self.secret.setEnabled(mode != "none")
        stored = False
        uri = self.server.text().strip()
        if mode != "none" and uri:
            try:
                stored = bool(self._secrets.get(uri, mode, self.username.text().strip()))
            except ValueError:
                stored = False
        self.secret.setPlaceholderText(self.tr("(stored; type to replace)") if stored else "")

    def title(self) -> str:
        """Return the tab's title."""
        return self.tr("Sync")

    def problem(self) -> str:
        """Say what is wrong with the fields, or return ""."""
        uri = self.server.text().strip()
        if uri:
            try:
                normalize_tracking_uri(uri)
            except AddressError as exc:
                return sync_problem_text(exc.problem, exc.facts, str(exc))
            except ValueError as exc:
                return sentence(str(exc))
        if self._mode() == "basic" and not self.username.text().strip():
            return self.tr("Enter the user name for the server, or choose another sign-in.")
        return ""

    def apply(self, settings: Settings) -> Settings:
        """Return ``settings`` with this tab's fields; store a newly typed password or token securely."""
        uri = self.server.text().strip()
        mode = self._mode()
        username = self.username.text().strip() if mode == "basic" else ""
        secret = self.secret.text()
        if uri and mode != "none" and secret:
            self._secrets.set(uri, mode, username, secret)
        return settings.replace(
            tracking_uri=uri,
            experiment_name=self.experiment.text().strip() or DEFAULT_EXPERIMENT,
            auth=mode,
            username=username,
            device_name=self.device.text().strip(),
            auto_sync=self.auto_sync.isChecked(),
        )
