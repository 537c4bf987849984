"""Message boxes that never block the event loop: opened window-modal, answered through a callback."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QMessageBox, QWidget


def show_problem(
    parent: QWidget,
    title: str,
    text: str,
    details: str = "",
    icon: QMessageBox.Icon = QMessageBox.Icon.Warning,
) -> QMessageBox:
    """Show what went wrong and what to do next (or, with another icon, plain news); return the open box."""
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setInformativeText(details)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def ask_to_confirm(
    parent: QWidget, title: str, text: str, confirm_label: str, on_confirm: Callable[[], None]
) -> QMessageBox:
    """Ask before something irreversible; ``on_confirm`` runs only if the user picks ``confirm_label``."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent)
    confirm = box.addButton(confirm_label, QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(QCoreApplication.translate("Dialogs", "Cancel"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(cancel)  # Enter must not destroy anything
    box.setEscapeButton(cancel)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def answered() -> None:
        if box.clickedButton() == confirm:
            on_confirm()

    box.finished.connect(answered)
    box.open()
    return box
