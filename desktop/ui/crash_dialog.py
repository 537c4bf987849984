"""A friendly dialog for unexpected errors: plain words, data safe, where the log file is."""

from __future__ import annotations

import sys
import threading
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QCoreApplication, QObject, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from desktop import app_log


def crash_message_box(log_file: Path, summary: str, parent: QWidget | None = None) -> QMessageBox:
    """Build (not show) the dialog that tells the user about an unexpected error."""
    box = QMessageBox(parent)
    box.setObjectName("crashDialog")
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle(QCoreApplication.translate("CrashDialog", "Iris Field – unexpected problem"))
    box.setText(
        QCoreApplication.translate("CrashDialog", "Something went wrong that Iris Field did not expect.")
    )
    box.setInformativeText(
        QCoreApplication.translate(
            "CrashDialog",
            "Your saved observations are safe. The details were written to the log file\n{log}\n\n"
            "If this happens again, please send that file to your lab contact.",
        ).format(log=log_file)
    )
    box.setDetailedText(summary)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    open_folder = box.addButton(
        QCoreApplication.translate("CrashDialog", "Open log folder"), QMessageBox.ButtonRole.ActionRole
    )
    open_folder.setObjectName("openLogFolderButton")
    # An action-role button closes the box too; opening the folder is what the user asked for.
    open_folder.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(log_file.parent))))
    close = box.addButton(QMessageBox.StandardButton.Close)
    box.setDefaultButton(close)
    box.setEscapeButton(close)
    return box


class CrashReporter(QObject):
    """Shows the crash dialog on the GUI thread for exceptions raised anywhere, one dialog at a time."""

    crashed = Signal(str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.box: QMessageBox | None = None
        # Queued: an exception in a worker thread must not build widgets outside the GUI thread.
        self.crashed.connect(self._show, Qt.ConnectionType.QueuedConnection)
        self._previous_hook = sys.excepthook
        self._previous_thread_hook = threading.excepthook

    def install(self) -> None:
        """Chain onto the current exception hooks (app_log's, which write the log first)."""
        self._previous_hook = sys.excepthook
        self._previous_thread_hook = threading.excepthook
        sys.excepthook = self._excepthook
        threading.excepthook = self._thread_excepthook

    def uninstall(self) -> None:
        """Restore the hooks that were in place before ``install``."""
        sys.excepthook = self._previous_hook
        threading.excepthook = self._previous_thread_hook

    def _excepthook(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        self._previous_hook(exc_type, exc, tb)
        if not issubclass(exc_type, KeyboardInterrupt):
            self.crashed.emit(_summary(exc_type, exc, tb))

    def _thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        self._previous_thread_hook(args)
        if args.exc_value is not None and not issubclass(args.exc_type, SystemExit):
            self.crashed.emit(_summary(args.exc_type, args.exc_value, args.exc_traceback))

    @Slot(str)
    def _show(self, summary: str) -> None:
        if self.box is not None and self.box.isVisible():
            return  # a burst of errors: the open dialog already says where the log is
        self.box = crash_message_box(app_log.log_file_path(), summary, QApplication.activeWindow())
        self.box.open()  # window-modal without a nested event loop inside an exception hook


def _summary(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> str:
    return "".join(traceback.format_exception(exc_type, exc, tb))


def install_crash_dialog(app: QApplication) -> CrashReporter:
    """Make unexpected exceptions show the crash dialog (and be logged) for the life of ``app``."""
    app_log.configure()  # no-op if the entry point did it already; a log must exist to point to
    reporter = CrashReporter(app)
    reporter.install()
    return reporter
