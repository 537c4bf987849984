"""Child: open the real window offscreen on a long history; time open, search keystrokes and saves.

argv: search text (typed one key at a time), number of saves. The history is the one in IRIS_FIELD_HOME.
Prints BENCH lines: open_ms (process start to window shown with its first page), open_cpu_ms (CPU time
the process, all its threads, had used by then), keystroke_ms (JSON:
key typed to the table showing its results), count_ms (JSON: key typed to the match count shown),
save_ms (JSON: Ctrl+S to the new row shown), rss_kb (resident memory at the end), peak_kb.
"""

import json
import sys
import time

start = time.perf_counter_ns()

import onnxruntime  # noqa: E402,F401  -- before PySide6, as the app does
from peak_rss import peak_rss_kb  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop.settings import Settings  # noqa: E402
from desktop.ui.app import open_main_window  # noqa: E402
from desktop.ui.i18n import Translations  # noqa: E402

TEXT = sys.argv[1]
SAVES = int(sys.argv[2])


def elapsed_ms(since: int) -> float:
    return (time.perf_counter_ns() - since) / 1e6


def current_rss_kb() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


app = QApplication([sys.argv[0]])
translations = Translations(app)
translations.apply("en")
window = open_main_window(Settings(language="en"), translations)
app.processEvents()
print(f"BENCH open_ms {elapsed_ms(start):.1f}", flush=True)
print(f"BENCH open_cpu_ms {time.process_time() * 1000:.1f}", flush=True)
counter = window.history.counter


def settle_count(since: int) -> float:
    while counter.busy():
        app.processEvents()
    app.processEvents()
    return elapsed_ms(since)


settle_count(start)
keystrokes, counts = [], []
search = window.history.search
for length in range(1, len(TEXT) + 1):
    typed = time.perf_counter_ns()
    search.setText(TEXT[:length])  # what one keystroke does: the table shows the matches on return
    app.processEvents()
    keystrokes.append(elapsed_ms(typed))
    counts.append(settle_count(typed))
print(f"BENCH keystroke_ms {json.dumps(keystrokes)}", flush=True)
print(f"BENCH count_ms {json.dumps(counts)}", flush=True)
search.clear()
settle_count(time.perf_counter_ns())
saves = []
newest = window.history.model.observation(0).id if window.history.model.rowCount() else None
for number in range(SAVES):
    # A measured flower, another each time: the window saves neither its starting values nor, without
    # asking, the same flower twice.
    window.measurements.set_values({"petal_length": 1.0 + number / 10})
    app.processEvents()
    pressed = time.perf_counter_ns()
    window.save_action.trigger()
    app.processEvents()
    saves.append(elapsed_ms(pressed))
    settle_count(pressed)
    shown = window.history.model.observation(0).id if window.history.model.rowCount() else None
    if shown == newest:
        sys.exit("a save did not show a new row")
    newest = shown
print(f"BENCH save_ms {json.dumps(saves)}", flush=True)
print(f"BENCH rss_kb {current_rss_kb()}", flush=True)
print(f"BENCH peak_kb {peak_rss_kb()}", flush=True)
window.close()
