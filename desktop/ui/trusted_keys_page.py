"""Settings → Model keys: the public keys signed models are checked against, each with its fingerprint."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QLabel, QListWidget, QPushButton, QVBoxLayout, QWidget

from desktop.errors import IrisFieldError
from desktop.model_delivery.trusted_keys import KeyOrigin, list_trusted_keys, trust_key_file
from desktop.settings import Settings
from desktop.ui.problem_words import problem_text
from desktop.ui.settings_dialog import SettingsPage


class TrustedKeysPage(SettingsPage):
    """Lists the trusted keys and adds one from a ``.pub`` file (at once: keys are not a preference)."""

    def __init__(self, settings: Settings, parent: QWidget | None = None):
        """Show the keys trusted now."""
        super().__init__(parent)
        intro = QLabel(
            self.tr("New models from the lab are installed only when signed with one of these keys."), self
        )
        intro.setWordWrap(True)
        self.keys = QListWidget(self)
        self.keys.setAccessibleName(self.tr("Trusted keys"))
        self.add_button = QPushButton(self.tr("Add key file…"), self)
        self.add_button.clicked.connect(self._choose_file)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.keys, 1)
        layout.addWidget(self.add_button)
        layout.addWidget(self.message)
        self.refresh()

    def title(self) -> str:
        """Return the tab's title."""
        return self.tr("Model keys")

    def apply(self, settings: Settings) -> Settings:
        """Return the settings unchanged (keys are saved when added)."""
        return settings

    def refresh(self) -> None:
        """List the trusted keys."""
        self.keys.clear()
        for key in list_trusted_keys():
            origin = self.tr("bundled") if key.origin is KeyOrigin.BUNDLED else self.tr("added")
            self.keys.addItem(f"{key.fingerprint}  ({origin})")

    def add_key(self, path: str) -> None:
        """Trust the public key in ``path`` and say so (or why not)."""
        try:
            key = trust_key_file(path)
        except IrisFieldError as exc:
            self.message.setText(problem_text(exc))
            return
        self.message.setText(self.tr("Trusted the key {fingerprint}.").format(fingerprint=key.fingerprint))
        self.refresh()

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Add a lab's public key"), "", self.tr("Public keys (*.pub)")
        )
        if path:
            self.add_key(path)
