"""The window's side of sync: runs the Qt-free ``SyncWorker`` in a background thread and shows what it does.

``install_sync(window)`` hooks it into a ``MainWindow`` through the window's documented extension points:
the Sync menu ("Sync now", server settings, re-targeting), a status-bar label, a settings tab, and the
``observation_saved`` / ``observations_changed`` / ``settings_changed`` signals.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel

from desktop.errors import SyncError
from desktop.mlflow_http.problems import ServerError
from desktop.settings import Settings
from desktop.sync.credentials import MissingSecret, SecretStore, auth_from_settings
from desktop.sync.target import SyncTarget
from desktop.sync.worker import Phase, SyncProgress, SyncWorker
from desktop.ui.dialogs import ask_to_confirm
from desktop.ui.i18n import sentence
from desktop.ui.sync_settings_page import SyncSettingsPage
from desktop.ui.sync_status import status_text, status_tooltip
from desktop.ui.sync_words import sync_headline, sync_problem_text

if TYPE_CHECKING:  # the window imports nothing of sync; we only need its type
    from desktop.ui.qt_main_window import MainWindow

log = logging.getLogger(__name__)

HISTORY_REFRESH_MS = 1000  # while syncing, the history's state column is redrawn at most this often
SHUTDOWN_WAIT_S = 2.0  # at quit, how long to wait for a request in flight (its outcome is durable anyway)


class _ProgressRelay(QObject):
    """Carry progress from the worker thread into the GUI thread (a queued signal)."""

    progressed = Signal(object)


class SyncController(QObject):
    """Start, wake, restart and stop the background sync of one window's history."""

    # A sync pass ended with the server reachable (the model update check runs then too).
    pass_finished = Signal()

    def __init__(self, window: MainWindow, secrets: SecretStore | None = None):
        """Attach to ``window`` and start syncing if a server is configured."""
        super().__init__(window)
        self._window = window
        self.secrets = secrets or SecretStore()
        self._relay = _ProgressRelay(self)
        self._relay.progressed.connect(self._on_progress)
        self._worker: SyncWorker | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._auto = False
        self._target: SyncTarget | None = None
        self.last_progress: SyncProgress | None = None
        self._problem: BaseException | None = None  # why sync cannot run at all (no history, no password)

        self.status_label = QLabel(window)
        self.status_label.setContentsMargins(8, 0, 8, 0)
        self.status_label.setAccessibleName(self.tr("Sync status"))
        window.statusBar().addPermanentWidget(self.status_label)

        self.sync_now_action = QAction(window)
        self.sync_now_action.setShortcut(QKeySequence("F5"))
        self.sync_now_action.triggered.connect(self.sync_now)
        self.server_settings_action = QAction(window)
        self.server_settings_action.triggered.connect(window.open_settings)
        self.send_unfinished_action = QAction(window)
        self.send_unfinished_action.triggered.connect(lambda: self.send_here(include_synced=False))
        self.send_all_action = QAction(window)
        self.send_all_action.triggered.connect(self._confirm_send_all)
        window.sync_menu.addAction(self.sync_now_action)
        window.sync_menu.addSeparator()
        window.sync_menu.addAction(self.send_unfinished_action)
        window.sync_menu.addAction(self.send_all_action)
        window.sync_menu.addSeparator()
        window.sync_menu.addAction(self.server_settings_action)
        window.add_settings_page(lambda settings: SyncSettingsPage(settings, self.secrets))

        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(HISTORY_REFRESH_MS)
        self._refresh_timer.timeout.connect(window.refresh_history)

        window.observation_saved.connect(lambda _id: self.wake())
        window.observations_changed.connect(self.wake)
        window.settings_changed.connect(self.restart)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)
        # When the window goes, this object goes with it: stop the thread through plain Python objects.
        self._events = [self._stop, self._wake]
        events = self._events
        window.destroyed.connect(lambda *_: [event.set() for event in events])
        self.retranslate()
        self.restart(window.settings)

    # ------------------------------------------------------------------ public
    @property
    def running(self) -> bool:
        """Tell whether the background thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def wake(self) -> None:
        """Look for something to send now (after a save or an edit), if syncing is automatic."""
        if self._auto:
            self._wake.set()

    def sync_now(self) -> None:
        """Sync at once, including observations that failed before (the "Sync now" action)."""
        if self._worker is None:
            self._show(None)
            return
        self._worker.request_retry_failed()
        self._wake.set()

    def send_here(self, include_synced: bool) -> None:
        """Send observations bound to another server or experiment to this one (the user decided so)."""
        if self._worker is None:
            return
        self._worker.request_release_bindings(include_synced)
        self._wake.set()

    def restart(self, settings: Settings | None = None) -> None:
        """Stop the current worker and start one for ``settings`` (a new server, password, or device)."""
        self.shutdown()
        settings = settings or self._window.settings
        self._worker, self._target, self._problem = None, None, None
        self.last_progress = None
        store = self._window.store
        if store is None:
            self._problem = LookupError("no history")
        elif settings.tracking_uri:
            try:
                auth = auth_from_settings(
                    settings.tracking_uri, settings.auth, settings.username, self.secrets
                )
                self._target = SyncTarget(
                    settings.tracking_uri, settings.experiment_name, auth, device_name=settings.device_name
                )
            except (MissingSecret, ValueError) as exc:
                self._problem = exc
        if self._target is not None and store is not None:
            self._stop, self._wake = threading.Event(), threading.Event()
            self._events[:] = [self._stop, self._wake]
            self._auto = settings.auto_sync
            # The window holds the history open and checks it in the background: a pass reads it as is.
            self._worker = SyncWorker(
                store.path, self._target, on_progress=self._relay.progressed.emit, history_open=True
            )
            loop = self._worker.run_forever if self._auto else self._run_on_request
            self._thread = threading.Thread(
                target=loop, args=(self._stop, self._wake), name="iris-sync", daemon=True
            )
            # A pass reads the whole outbox: never while the window draws its first frame.
            self._window.first_frame.call_after(self._start_thread)
        self.retranslate()

    def _start_thread(self) -> None:
        thread = self._thread
        if thread is not None and thread.ident is None:  # not started yet, nor replaced by a restart
            thread.start()

    def shutdown(self) -> None:
        """Stop the background thread; a request in flight is abandoned (its outcome is durable)."""
        self._stop.set()
        self._wake.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread.ident is not None and thread is not threading.current_thread():
            thread.join(SHUTDOWN_WAIT_S)

    def retranslate(self) -> None:
        """Set the texts of the Sync menu's actions in the current language."""
        self.sync_now_action.setText(self.tr("Sync &now"))
        self.sync_now_action.setToolTip(self.tr("Send every observation not yet on the server, now"))
        self.server_settings_action.setText(self.tr("&Server settings…"))
        self.send_unfinished_action.setText(self.tr("Send &unfinished observations to this server"))
        self.send_all_action.setText(self.tr("Send &all observations to this server…"))
        self._show(self.last_progress)

    # ------------------------------------------------------------------ the worker's thread
    def _run_on_request(self, stop: threading.Event, wake: threading.Event) -> None:
        """Manual mode (automatic sync switched off): one pass per "Sync now"."""
        assert self._worker is not None
        worker = self._worker
        while not stop.is_set():
            wake.wait()
            wake.clear()
            if stop.is_set():
                return
            worker.run_pass(stop, patience=0.0)

    # ------------------------------------------------------------------ showing progress (GUI thread)
    def _on_progress(self, progress: SyncProgress) -> None:
        if progress.phase is Phase.CONNECTING and self.last_progress is not None:
            return  # every pass starts by connecting; keep showing the last real state meanwhile (no flicker)
        self.last_progress = progress
        self._show(progress)
        if progress.phase is Phase.DONE or progress.phase is Phase.ERROR:
            self._refresh_timer.stop()
            self._window.refresh_history()
            if progress.phase is Phase.DONE:
                self.pass_finished.emit()
        elif not self._refresh_timer.isActive():
            self._refresh_timer.start()

    def _show(self, progress: SyncProgress | None) -> None:
        configured = self._target is not None
        server = self._target.tracking_uri if self._target else ""
        tooltip = status_tooltip(progress, server)
        if self._problem:
            text = sync_headline(getattr(self._problem, "problem", None))
            tooltip = self._problem_text(self._problem)
        elif not configured:
            text = status_text(None, self._window.locale(), configured=False)
            tooltip += "\n" + self.tr("Set the lab's MLflow server in Settings → Sync.")
        elif not self._auto and progress is None:
            text = self.tr("Sync on request: Sync → Sync now")
        else:
            text = status_text(progress, self._window.locale())
        self.status_label.setText(text)
        self.status_label.setToolTip(tooltip)
        elsewhere = bool(progress and progress.elsewhere)
        self.sync_now_action.setEnabled(configured)
        self.send_unfinished_action.setEnabled(configured and elsewhere)
        self.send_all_action.setEnabled(configured)

    def _problem_text(self, problem: BaseException) -> str:
        """Return why sync cannot run at all, in the current language."""
        if isinstance(problem, LookupError):
            return self.tr("The history is not available, so nothing can be synced.")
        text = sentence(str(problem))
        if isinstance(problem, SyncError | ServerError):
            text = sync_problem_text(problem.problem, problem.facts, str(problem))
        if isinstance(problem, MissingSecret):
            text += " " + self.tr("Enter it in Settings → Sync.")
        return text

    def _confirm_send_all(self) -> None:
        server = self._target.tracking_uri if self._target else ""
        ask_to_confirm(
            self._window,
            self.tr("Send all observations to this server?"),
            self.tr(
                "Every observation, also those already synced elsewhere, will be sent to {server} "
                "(experiment {experiment}). Runs already there are found and kept, never duplicated; "
                "nothing is deleted anywhere."
            ).format(server=server, experiment=self._target.experiment_name if self._target else ""),
            self.tr("Send all"),
            lambda: self.send_here(include_synced=True),
        )


def install_sync(window: MainWindow, secrets: SecretStore | None = None) -> SyncController:
    """Give ``window`` its background sync, Sync menu, status text and server settings tab."""
    controller = SyncController(window, secrets)
    window.sync_controller = controller  # type: ignore[attr-defined]  # kept alive with the window
    return controller
