"""Fixtures for the window's sync parts: offscreen Qt, English, a window with sync installed."""

import os

# Before anything imports Qt: no window may pop up on a developer's screen, and CI has no display.
os.environ["QT_QPA_PLATFORM"] = "offscreen"

from collections.abc import Callable, Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import onnxruntime  # noqa: E402, F401  -- before PySide6, as in the app
import pytest  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox  # noqa: E402

from desktop.settings import Settings  # noqa: E402
from desktop.sync.credentials import SecretStore  # noqa: E402
from desktop.ui.app import open_main_window  # noqa: E402
from desktop.ui.i18n import Translations  # noqa: E402
from desktop.ui.qt_main_window import MainWindow  # noqa: E402
from desktop.ui.sync_controller import SyncController, install_sync  # noqa: E402

HERE = Path(__file__).resolve().parent
HARMLESS_QT_MESSAGES = ("This plugin does not support propagateSizeHints",)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.qt_log_level_fail("WARNING"))
            item.add_marker(pytest.mark.qt_log_ignore(*HARMLESS_QT_MESSAGES))


@pytest.fixture
def translations(qapp: QApplication) -> Iterator[Translations]:
    installed = Translations(qapp)
    installed.apply("en")
    yield installed
    installed.apply("en")


OpenSyncWindow = Callable[[Settings], tuple[MainWindow, SyncController]]


@pytest.fixture
def open_sync_window(qtbot, translations: Translations) -> Iterator[OpenSyncWindow]:
    """Return a function that opens the app's window with its sync installed; closes them afterwards."""
    opened: list[tuple[MainWindow, SyncController]] = []

    def open_one(settings: Settings) -> tuple[MainWindow, SyncController]:
        settings.save()
        window = open_main_window(settings, translations)
        qtbot.addWidget(window)
        controller = install_sync(window, SecretStore(use_keyring=False))
        opened.append((window, controller))
        return window, controller

    yield open_one
    for window, controller in opened:
        controller.shutdown()
        for box in window.findChildren(QMessageBox):
            box.close()
        window.close()
        if window.store is not None:
            window.store.close()
