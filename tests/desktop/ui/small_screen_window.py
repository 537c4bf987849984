"""Child process: render the real window at one screen size and scale in English and German, and judge it.

argv: screen width, height (physical pixels), output folder. QT_SCALE_FACTOR sets the scale (Qt reads it
before the application starts, hence a process of its own). Prints one JSON line per language: the
picture written, buttons whose words do not fit, needed columns not fully in view, and whether the
window had to grow beyond the screen (status bar words count as cut too).
"""

import json
import os
import sys
from pathlib import Path

import onnxruntime  # noqa: F401  -- before PySide6, as in the app
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel

from desktop.history.store import ObservationStore
from desktop.settings import Settings
from desktop.ui import history_model as columns
from desktop.ui.app import open_main_window
from desktop.ui.i18n import Translations
from tests.desktop.history.test_queries import varied

# A task bar and the window's title bar take this much of the screen's height (physical pixels).
TASK_AND_TITLE_BAR = 70
NEEDED_COLUMNS = {"time": columns.TIME, "species": columns.SPECIES, "sync": columns.SYNC}

width, height, folder = int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
scale = float(os.environ.get("QT_SCALE_FACTOR", "1"))
app = QApplication([sys.argv[0]])
translations = Translations(app)
for language in ("en", "de"):
    translations.apply(language)
    window = open_main_window(Settings(language=language), translations)
    if window.history.model.rowCount() == 0:
        with ObservationStore.open(window.store.path) as store:
            store.add_many([varied(i) for i in range(30)])
        window.refresh_history()
    window.measurements.set_values({"petal_width": 2.4})
    window.resize(round(width / scale), round((height - TASK_AND_TITLE_BAR) / scale))
    while window.history.counter.busy():  # the counts (status bar words too) follow the first frame
        app.processEvents()
    for _ in range(5):
        app.processEvents()
    buttons = [b for b in window.findChildren(QAbstractButton) if b.isVisible() and b.text()]
    cut = [b.text() for b in buttons if b.width() < b.sizeHint().width()]
    status = [w for w in window.statusBar().findChildren(QLabel) if w.isVisible() and w.text()]
    cut += [w.text() for w in status if w.width() < w.sizeHint().width()]
    table = window.history.table
    header = table.horizontalHeader()
    hidden = [
        name
        for name, column in NEEDED_COLUMNS.items()
        if header.sectionViewportPosition(column) < 0
        or header.sectionViewportPosition(column) + header.sectionSize(column) > table.viewport().width()
    ]
    suffix = f"@{round(scale * 100)}" if scale != 1 else ""
    picture = folder / f"window-{language}-{width}x{height}{suffix}.png"
    window.grab().save(str(picture))
    grown = window.width() > round(width / scale) or window.height() > round(
        (height - TASK_AND_TITLE_BAR) / scale
    )
    print(
        json.dumps(
            {"language": language, "picture": str(picture), "cut": cut, "hidden": hidden, "grown": grown}
        )
    )
    window.close()
    window.store.close()
