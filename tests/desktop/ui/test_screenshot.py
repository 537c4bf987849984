"""Render the main window as a botanist sees it, for the README (docs/screenshot.png)."""

from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QSize

from desktop.history.observation import Observation
from desktop.ui.location_input import parse_location
from desktop.ui.qt_main_window import MainWindow
from tests.sync_rows import show_sync_state

SCREENSHOT = Path(__file__).resolve().parents[3] / "docs" / "screenshot.png"
SIZE = QSize(1366, 768)

# Fixed times, so the picture only changes when the window does.
EXAMPLES = [
    ((5.0, 3.4, 1.5, 0.2), "2026-06-14T07:40:00", "shady bank", "Isar floodplain", "synced", "setosa"),
    ((5.9, 2.8, 4.3, 1.3), "2026-06-14T08:05:00", "", "Isar floodplain", "synced", None),
    ((6.1, 2.9, 4.9, 1.7), "2026-06-14T08:31:00", "petals partly eaten", "48.137, 11.575", "failed", None),
    ((6.7, 3.1, 5.6, 2.4), "2026-06-14T09:02:00", "", "Isar floodplain", "pending", None),
]


def test_main_window_renders_to_docs_screenshot(open_window, qtbot, tmp_path: Path, monkeypatch) -> None:
    # A data folder under a home folder, as on a real laptop, so the status bar reads "~/…".
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("IRIS_FIELD_HOME", str(tmp_path / ".local" / "share" / "iris-field"))
    window: MainWindow = open_window()
    names = window.classifier.card.feature_names
    for values, when, note, place, state, confirmed in EXAMPLES:
        observation = Observation.from_prediction(
            window.classifier.predict(values),
            window.classifier.card,
            observer="A. Botanist",
            note=note,
            location=parse_location(place).text,
            latitude=parse_location(place).latitude,
            longitude=parse_location(place).longitude,
            now=datetime.fromisoformat(when).replace(tzinfo=UTC),
        )
        window.store.add(observation)
        show_sync_state(
            window.store.path, observation.id, state, "the server did not answer" if state == "failed" else ""
        )
        if confirmed:
            window.store.confirm_species(observation.id, confirmed)
    window.refresh_history()
    window.measurements.set_values(dict(zip(names, (6.0, 2.8, 4.9, 1.8), strict=True)))
    window.save_form.location.setText("Isar floodplain")
    window.resize(SIZE)
    counter = window.history.counter
    qtbot.waitUntil(lambda: counter.last is not None and counter.last.listed == len(EXAMPLES))  # status bar
    qtbot.wait(50)  # two layout passes: word-wrapped notices settle their height in the second

    image = window.grab().toImage()
    assert image.size() == SIZE
    assert window.history.model.rowCount() == len(EXAMPLES)
    colours = {image.pixel(x, y) for x in range(0, SIZE.width(), 7) for y in range(0, SIZE.height(), 7)}
    assert len(colours) > 50, "the window rendered as a blank image"
    SCREENSHOT.parent.mkdir(exist_ok=True)
    assert image.save(str(SCREENSHOT))
