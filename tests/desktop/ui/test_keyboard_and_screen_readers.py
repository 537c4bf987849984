"""Keyboard alone and a screen reader: Tab walks every control in reading order, each one says what it is."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QApplication, QWidget

from desktop.history.store import ObservationStore
from tests.desktop.history.test_queries import varied

TAB_LIMIT = 60


def walk(window, qtbot, key: Qt.Key, start: QWidget) -> list[QWidget]:
    """Press ``key`` from ``start`` until the focus comes back round; return the widgets in order."""
    start.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is start)
    seen = [start]
    for _ in range(TAB_LIMIT):
        qtbot.keyClick(QApplication.focusWidget(), key)
        focused = QApplication.focusWidget()
        if focused is start:
            return seen
        seen.append(focused)
    raise AssertionError(
        f"Tab never came back round: {[w.accessibleName() or type(w).__name__ for w in seen]}"
    )


@pytest.fixture
def ready(open_window, qtbot, iris_home):
    with ObservationStore.open(iris_home / "observations.sqlite3") as store:
        store.add_many([varied(i) for i in range(5)])
    window = open_window()
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    history = window.history
    history.select(history.model.observation(0).id)  # with a row chosen, every history button works
    return window


def expected_order(window) -> list[QWidget]:
    history = window.history
    panel = window.measurements
    measuring = [w for pair in zip(panel.sliders(), panel.spin_boxes(), strict=True) for w in pair]
    return [
        *measuring,
        window.save_form.note,
        window.save_form.location,
        window.save_form.save_button,
        history.search,
        history.species_filter,
        history.sync_filter,
        history.period_filter,
        history.table,
        history._restore_button,
        history._confirm_button,
        history._export_button,
        history._delete_button,
    ]


def in_order(seen: list[QWidget], wanted: list[QWidget]) -> list[QWidget]:
    return [w for w in seen if w in wanted]


def test_tab_reaches_every_control_in_reading_order_and_leaves_the_table(ready, qtbot) -> None:
    wanted = expected_order(ready)
    seen = walk(ready, qtbot, Qt.Key.Key_Tab, wanted[0])
    assert in_order(seen, wanted) == wanted


def test_shift_tab_walks_the_same_controls_backwards(ready, qtbot) -> None:
    wanted = expected_order(ready)
    seen = walk(ready, qtbot, Qt.Key.Key_Backtab, wanted[0])
    assert in_order(seen, wanted) == [wanted[0], *reversed(wanted[1:])]


def test_every_control_on_the_way_has_an_accessible_name_and_the_key_ones_a_description(ready, qtbot) -> None:
    wanted = expected_order(ready)
    seen = walk(ready, qtbot, Qt.Key.Key_Tab, wanted[0])
    unnamed = [type(w).__name__ for w in seen if not (w.accessibleName() or getattr(w, "text", str)())]
    assert unnamed == []
    history = ready.history
    described = [
        *ready.measurements.sliders(),
        *ready.measurements.spin_boxes(),
        *ready.result.bars().values(),
        history._restore_button,
        history._confirm_button,
        history._export_button,
        history._delete_button,
    ]
    missing = [w.accessibleName() or type(w).__name__ for w in described if not w.accessibleDescription()]
    assert missing == []
    assert all(w.accessibleName() for w in described)


def test_a_new_species_is_read_out_with_its_probabilities_but_not_every_slider_step(
    ready, monkeypatch: pytest.MonkeyPatch
) -> None:
    heard: list[str] = []
    monkeypatch.setattr(
        QAccessible, "updateAccessibility", lambda event: heard.append(getattr(event, "message", str)())
    )
    setosa = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}
    ready.measurements.set_values(setosa)
    heard.clear()
    ready.measurements.set_values(setosa | {"sepal_length": 5.0})  # still setosa: nothing new to say
    assert [h for h in heard if h] == []
    ready.measurements.set_values(
        {"sepal_length": 6.3, "sepal_width": 3.3, "petal_length": 6.0, "petal_width": 2.5}
    )
    (said,) = [h for h in heard if h]
    assert said.startswith("Iris virginica") and "Iris setosa" in said and "%" in said
