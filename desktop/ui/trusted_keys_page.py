"""Settings → Model keys: the public keys signed models are checked against; add one or stop trusting one."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import IrisFieldError
from desktop.model_delivery.trusted_keys import (
    KeyOrigin,
    distrust_key,
    list_trusted_keys,
    trust_key_file,
    withdrawn_keys,
)
from desktop.settings import Settings
from desktop.ui.problem_words import problem_text
from desktop.ui.settings_dialog import SettingsPage


class TrustedKeysPage(SettingsPage):
    """Lists the trusted and withdrawn keys; adds or withdraws one at once (keys are not a preference)."""

    def __init__(self, settings: Settings, parent: QWidget | None = None):
        """Show the keys trusted now."""
        super().__init__(parent)
        intro = QLabel(
            self.tr("New models from the lab are installed only when signed with one of these keys."), self
        )
        intro.setWordWrap(True)
        self.keys = QListWidget(self)
        self.keys.setAccessibleName(self.tr("Trusted keys"))
        self.keys.currentItemChanged.connect(self._on_selection)
        self.add_button = QPushButton(self.tr("Add key file…"), self)
        self.add_button.clicked.connect(self._choose_file)
        self.distrust_button = QPushButton(self.tr("Stop trusting"), self)
        self.distrust_button.setToolTip(
            self.tr("Models signed with the selected key are refused from now on")
        )
        self.distrust_button.clicked.connect(self._distrust_selected)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.distrust_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.keys, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        self.refresh()

    def title(self) -> str:
        """Return the tab's title."""
        return self.tr("Model keys")

    def apply(self, settings: Settings) -> Settings:
        """Return the settings unchanged (keys are saved when added)."""
        return settings

    def refresh(self) -> None:
        """List the trusted keys, then the withdrawn ones (which cannot be selected)."""
        self.keys.clear()
        try:
            trusted, withdrawn = list_trusted_keys(), list(withdrawn_keys().values())
        except IrisFieldError as exc:
            self.message.setText(problem_text(exc))
            trusted, withdrawn = [], []
        for key in trusted:
            origin = self.tr("bundled") if key.origin is KeyOrigin.BUNDLED else self.tr("added")
            item = QListWidgetItem(f"{key.fingerprint}  ({origin})")
            item.setData(Qt.ItemDataRole.UserRole, key.fingerprint)
            self.keys.addItem(item)
        for withdrawal in withdrawn:
            text = self.tr("withdrawn {date}").format(date=withdrawal.withdrawn_at[:10])
            item = QListWidgetItem(f"{withdrawal.fingerprint}  ({text})")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.keys.addItem(item)
        self._on_selection()

    def add_key(self, path: str) -> None:
        """Trust the public key in ``path`` and say so (or why not)."""
        try:
            key = trust_key_file(path)
        except IrisFieldError as exc:
            self.message.setText(problem_text(exc))
            return
        self.message.setText(self.tr("Trusted the key {fingerprint}.").format(fingerprint=key.fingerprint))
        self.refresh()

    def distrust(self, fingerprint: str) -> None:
        """Stop trusting ``fingerprint`` and say so (or why not)."""
        try:
            distrust_key(fingerprint)
        except IrisFieldError as exc:
            self.message.setText(problem_text(exc))
            return
        self.message.setText(
            self.tr("Models signed with the key {fingerprint} are refused from now on.").format(
                fingerprint=fingerprint
            )
        )
        self.refresh()

    def _selected(self) -> str | None:
        item = self.keys.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def _on_selection(self, *_: object) -> None:
        self.distrust_button.setEnabled(self._selected() is not None)

    def _distrust_selected(self) -> None:
        fingerprint = self._selected()
        if fingerprint:
            self.distrust(fingerprint)

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Add a lab's public key"), "", self.tr("Public keys (*.pub)")
        )
        if path:
            self.add_key(path)
