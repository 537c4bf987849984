"""The settings dialog: a tab per page; each page folds its fields back into a ``Settings`` value.

Other parts of the window add pages with ``MainWindow.add_settings_page(factory)``: a factory takes the
current ``Settings`` and returns a ``SettingsPage`` (e.g. the sync helper's server page).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop import languages
from desktop.settings import Settings


class SettingsPage(QWidget):
    """One tab of the settings dialog; subclasses override ``title``, ``apply`` and maybe ``problem``."""

    def title(self) -> str:
        """Return the tab's title."""
        raise NotImplementedError

    def problem(self) -> str:
        """Return a sentence saying what is wrong with the fields, or "" if they can be applied."""
        return ""

    def apply(self, settings: Settings) -> Settings:
        """Return ``settings`` with this page's fields changed."""
        raise NotImplementedError


class GeneralSettingsPage(SettingsPage):
    """Language and observer name."""

    def __init__(self, settings: Settings, parent: QWidget | None = None):
        """Show the current values."""
        super().__init__(parent)
        self.language = QComboBox(self)
        self.language.addItem(self.tr("Same as the system"), languages.FOLLOW_SYSTEM)
        for language in languages.LANGUAGES:
            self.language.addItem(language.name, language.code)
        self.language.setCurrentIndex(max(self.language.findData(settings.language), 0))
        self.language.setAccessibleName(self.tr("Language"))
        self.observer = QLineEdit(settings.observer, self)
        self.observer.setPlaceholderText(self.tr("e.g. A. Botanist"))
        self.observer.setAccessibleName(self.tr("Observer name"))
        hint = QLabel(self.tr("The observer name is saved with every new observation."), self)
        hint.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow(self.tr("&Language"), self.language)
        form.addRow(self.tr("&Observer name"), self.observer)
        form.addRow(hint)
        # QFormLayout made the labels; give them their buddies so Alt+L / Alt+O jump to the fields.
        for field in (self.language, self.observer):
            label = form.labelForField(field)
            if isinstance(label, QLabel):
                label.setBuddy(field)

    def title(self) -> str:
        """Return the tab's title."""
        return self.tr("General")

    def apply(self, settings: Settings) -> Settings:
        """Return ``settings`` with the language and observer from this page."""
        return settings.replace(language=self.language.currentData(), observer=self.observer.text().strip())


class SettingsDialog(QDialog):
    """Tabs of ``SettingsPage``s with OK and Cancel; ``result_settings()`` is the edited value."""

    def __init__(self, settings: Settings, pages: Sequence[SettingsPage], parent: QWidget | None = None):
        """Show ``pages`` as tabs, in order."""
        super().__init__(parent)
        self.setWindowTitle(self.tr("Settings"))
        self.setMinimumWidth(440)
        self._settings = settings
        self._pages = list(pages)
        tabs = QTabWidget(self)
        for page in self._pages:
            tabs.addTab(page, page.title())
        self._problem = QLabel(self)
        self._problem.setWordWrap(True)
        self._problem.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
        layout.addWidget(self._problem)
        layout.addWidget(buttons)

    def pages(self) -> list[SettingsPage]:
        """Return the pages in tab order."""
        return list(self._pages)

    def accept(self) -> None:
        """Close only when every page's fields can be applied; otherwise say what is wrong."""
        problems = [p.problem() for p in self._pages]
        problems = [p for p in problems if p]
        if problems:
            self._problem.setText("⚠ " + " ".join(problems))
            self._problem.show()
            return
        super().accept()

    def result_settings(self) -> Settings:
        """Return the settings with every page's changes folded in."""
        settings = self._settings
        for page in self._pages:
            settings = page.apply(settings)
        return settings
