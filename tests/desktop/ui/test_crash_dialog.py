"""An unexpected error shows one friendly dialog on the GUI thread, naming the log file."""

import sys
import threading
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop import app_log
from desktop.ui.crash_dialog import CrashReporter


@pytest.fixture
def reporter(qapp: QApplication) -> Iterator[CrashReporter]:
    installed = CrashReporter(qapp)
    installed.install()
    yield installed
    installed.uninstall()
    if installed.box is not None:
        installed.box.close()


def _raise() -> None:
    raise RuntimeError("petal width went negative")


def _crash_boxes(qapp: QApplication) -> list[QMessageBox]:
    return [w for w in qapp.topLevelWidgets() if w.objectName() == "crashDialog" and w.isVisible()]


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_slot_shows_the_dialog_with_the_log_location(qtbot, qapp, reporter, capsys):
    QTimer.singleShot(0, _raise)
    qtbot.waitUntil(lambda: reporter.box is not None and reporter.box.isVisible())
    box = reporter.box
    assert str(app_log.log_file_path()) in box.informativeText()
    assert "observations are safe" in box.informativeText()
    assert "RuntimeError: petal width went negative" in box.detailedText()
    assert [b.text() for b in box.buttons() if b.objectName() == "openLogFolderButton"] == ["Open log folder"]
    # The exception still reached the previous hook (the console's traceback).
    assert "petal width went negative" in capsys.readouterr().err


@pytest.mark.qt_no_exception_capture
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_an_exception_in_a_worker_thread_shows_the_dialog_on_the_gui_thread(qtbot, qapp, reporter):
    worker = threading.Thread(target=_raise, name="sync-worker")
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: reporter.box is not None and reporter.box.isVisible())
    assert reporter.box.thread() is qapp.thread()


@pytest.mark.qt_no_exception_capture
def test_a_burst_of_errors_opens_a_single_dialog(qtbot, qapp, reporter):
    for _ in range(3):
        try:
            _raise()
        except RuntimeError:
            sys.excepthook(*sys.exc_info())
    qtbot.waitUntil(lambda: reporter.box is not None and reporter.box.isVisible())
    qapp.processEvents()
    assert len(_crash_boxes(qapp)) == 1


def test_uninstall_restores_the_hooks_that_were_there_before(qapp):
    before = (sys.excepthook, threading.excepthook)
    reporter = CrashReporter(qapp)
    reporter.install()
    assert (sys.excepthook, threading.excepthook) != before
    reporter.uninstall()
    assert (sys.excepthook, threading.excepthook) == before
