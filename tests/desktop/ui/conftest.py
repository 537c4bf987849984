"""Fixtures for the window's tests: offscreen Qt, English unless a test asks, the real bundled model."""

import os

# Before anything imports Qt: no window may pop up on a developer's screen, and CI has no display.
os.environ["QT_QPA_PLATFORM"] = "offscreen"

import shutil  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import onnxruntime  # noqa: E402, F401  -- before PySide6, as in the app
import pytest  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox  # noqa: E402

from desktop.resources import bundled_model_path  # noqa: E402
from desktop.settings import Settings  # noqa: E402
from desktop.ui.app import open_main_window  # noqa: E402
from desktop.ui.i18n import Translations  # noqa: E402
from desktop.ui.qt_main_window import MainWindow  # noqa: E402

HERE = Path(__file__).resolve().parent
# Qt warnings fail these tests (pytest-qt), except the offscreen platform's notice that it has no
# window manager to pass size hints to: harmless, and only ever seen under QT_QPA_PLATFORM=offscreen.
HARMLESS_QT_MESSAGES = ("This plugin does not support propagateSizeHints",)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.qt_log_level_fail("WARNING"))
            item.add_marker(pytest.mark.qt_log_ignore(*HARMLESS_QT_MESSAGES))


@pytest.fixture
def translations(qapp: QApplication) -> Iterator[Translations]:
    """English unless the test switches; switched back afterwards so tests do not leak a language."""
    installed = Translations(qapp)
    installed.apply("en")
    yield installed
    installed.apply("en")


OpenWindow = Callable[..., MainWindow]


@pytest.fixture
def open_window(qtbot, translations: Translations) -> Iterator[OpenWindow]:
    """Return a function that opens a main window the way the app does (model, store, dialogs)."""
    opened: list[MainWindow] = []

    def open_one(settings: Settings | None = None, model_path: Path | None = None) -> MainWindow:
        window = open_main_window(settings or Settings(language="en"), translations, model_path)
        qtbot.addWidget(window)
        window.resize(1366, 768)
        opened.append(window)
        return window

    yield open_one
    for window in opened:
        for box in window.findChildren(QMessageBox):
            box.close()
        window.close()
        if window.store is not None:
            window.store.close()


@pytest.fixture
def window(open_window: OpenWindow) -> MainWindow:
    """Open a main window with the bundled model and an empty history in the test's data folder."""
    return open_window()


@pytest.fixture
def model_copy(tmp_path: Path) -> Path:
    """Copy the bundled model folder privately, to damage at will."""
    folder = tmp_path / "model"
    shutil.copytree(bundled_model_path().parent, folder)
    return folder


@pytest.fixture
def shown_boxes() -> Callable[[MainWindow], list[QMessageBox]]:
    """Return a function listing the message boxes currently open over a window."""

    def shown(window: MainWindow) -> list[QMessageBox]:
        return [box for box in window.findChildren(QMessageBox) if box.isVisible()]

    return shown
