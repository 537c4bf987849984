"""Child: open the real main window offscreen, time slider changes until the bars are repainted, idle.

argv: number of slider changes, seconds to idle afterwards. Prints BENCH lines: shown_ms, slider_ns (JSON),
repaint_missing, maxrss_kb.
"""

import json
import sys
import time

start = time.perf_counter_ns()

import onnxruntime  # noqa: E402,F401  -- before PySide6, as the app does
from peak_rss import peak_rss_kb  # noqa: E402
from PySide6.QtCore import QEvent, QObject  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop.settings import Settings  # noqa: E402
from desktop.ui.app import open_main_window  # noqa: E402
from desktop.ui.i18n import Translations  # noqa: E402

CHANGES = int(sys.argv[1])
IDLE_S = float(sys.argv[2])
REPAINT_TIMEOUT_NS = 1_000_000_000


class PaintSeen(QObject):
    """Event filter that notes a paint event on the widgets it watches."""

    def __init__(self) -> None:
        super().__init__()
        self.seen = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        """Note paint events; never swallow one."""
        if event.type() == QEvent.Type.Paint:
            self.seen = True
        return False


def settle(app: QApplication, seen: PaintSeen, deadline_ns: int) -> bool:
    """Process events until a watched widget has painted (the paint is done once processEvents returns)."""
    while not seen.seen:
        app.processEvents()
        if time.perf_counter_ns() > deadline_ns:
            return False
    return True


app = QApplication([sys.argv[0]])
settings = Settings.load()
translations = Translations(app)
translations.apply(settings.language)
window = open_main_window(settings, translations)
watcher = PaintSeen()
window.installEventFilter(watcher)
settle(app, watcher, time.perf_counter_ns() + 10 * REPAINT_TIMEOUT_NS)
print("BENCH shown_ms", (time.perf_counter_ns() - start) / 1e6, flush=True)

samples: list[int] = []
missing = 0
if CHANGES:
    assert window.measurements is not None and window.result is not None, "the model did not load"
    bars = list(window.result.bars().values())
    bar_paint = PaintSeen()
    for bar in bars:
        bar.installEventFilter(bar_paint)
    slider = window.measurements.sliders()[2]  # petal length: moves the answer across all three species
    low, high = slider.minimum(), slider.maximum()
    # Alternate short and long petals, drifting a little, so every change moves every bar.
    short = [max(low, 10 + i % 5) for i in range(CHANGES)]
    long = [min(high, 55 + i % 7) for i in range(CHANGES)]
    for _ in range(20):  # warm-up: first paints of new texts, font caches
        for value in (short[0], long[0]):
            bar_paint.seen = False
            slider.setValue(value)
            settle(app, bar_paint, time.perf_counter_ns() + REPAINT_TIMEOUT_NS)
    for i in range(CHANGES):
        value = short[i] if i % 2 == 0 else long[i]
        app.processEvents()  # nothing else pending before the change
        bar_paint.seen = False
        t0 = time.perf_counter_ns()
        slider.setValue(value)
        if settle(app, bar_paint, t0 + REPAINT_TIMEOUT_NS):
            samples.append(time.perf_counter_ns() - t0)
        else:
            missing += 1
print("BENCH slider_ns", json.dumps(samples), flush=True)
print("BENCH repaint_missing", missing, flush=True)

idle_until = time.monotonic() + IDLE_S
while time.monotonic() < idle_until:
    app.processEvents()
    time.sleep(0.01)
print("BENCH maxrss_kb", peak_rss_kb(), flush=True)
if window.store is not None:
    window.store.close()
