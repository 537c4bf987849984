"""The window as a whole: fits a field laptop, remembers its layout, settings, menus."""

from pathlib import Path

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLineEdit, QTabWidget

from desktop.settings import Settings
from desktop.ui.qt_main_window import MainWindow
from desktop.ui.settings_dialog import SettingsDialog, SettingsPage

# A 1366×768 screen minus a task bar and the window's title bar.
FIELD_LAPTOP_HEIGHT = 700


def test_window_fits_a_1366x768_screen_even_with_every_notice_shown(window: MainWindow, qtbot) -> None:
    petal_width = window.classifier.card.features[3]
    window.measurements.set_values({"petal_width": petal_width.stats.max + 2})
    qtbot.wait(10)
    assert window.result.notices()
    hint = window.minimumSizeHint()
    assert hint.width() <= 1366
    assert hint.height() <= FIELD_LAPTOP_HEIGHT


def test_the_splitter_and_window_size_are_remembered(open_window, qtbot) -> None:
    window = open_window()
    window.splitter.setSizes([420, 946])
    remembered = window.splitter.sizes()
    window.close()
    settings = Settings.load()
    assert settings.splitter_state and settings.window_geometry

    again = open_window(settings)
    again.resize(window.size())
    qtbot.wait(10)
    assert again.splitter.sizes()[0] == remembered[0]


def test_sync_menu_is_hidden_until_the_sync_part_adds_an_action(window: MainWindow) -> None:
    assert not window.sync_menu.menuAction().isVisible()
    window.sync_menu.addAction(QAction("Sync now", window))
    assert window.sync_menu.menuAction().isVisible()


class _ServerPage(SettingsPage):
    def __init__(self, settings: Settings):
        super().__init__()
        self.address = QLineEdit(settings.tracking_uri, self)

    def title(self) -> str:
        return "Server"

    def problem(self) -> str:
        return "" if self.address.text().startswith("http") else "The server address must start with http."

    def apply(self, settings: Settings) -> Settings:
        return settings.replace(tracking_uri=self.address.text())


def test_settings_dialog_saves_the_observer_and_takes_pages_from_other_parts(
    window: MainWindow, iris_home: Path
) -> None:
    window.add_settings_page(_ServerPage)
    window.open_settings()
    dialog = window.findChild(SettingsDialog)
    pages = dialog.pages()
    general, server = pages[0], pages[-1]
    tabs = dialog.findChild(QTabWidget)
    assert [tabs.tabText(0), tabs.tabText(tabs.count() - 1)] == ["General", "Server"]
    general.observer.setText("  A. Botanist ")
    dialog.accept()
    assert dialog.isVisible(), "a page with a problem keeps the dialog open"
    server.address.setText("http://lab.example:5000")
    dialog.accept()

    saved = Settings.load()
    assert (saved.observer, saved.tracking_uri) == ("A. Botanist", "http://lab.example:5000")
    assert window.settings == saved
    window.measurements.set_values({"sepal_length": 5.1})  # a measured flower, not the defaults
    window.save_action.trigger()
    assert window.store.list()[0].observer == "A. Botanist"
