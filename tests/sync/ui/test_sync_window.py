"""The window's sync: background worker, status words, Sync menu, server settings; never a frozen window."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, QTimer

from desktop.settings import Settings
from desktop.sync.credentials import SecretStore
from desktop.sync.worker import Phase, SyncProgress
from desktop.ui.settings_dialog import SettingsDialog
from desktop.ui.sync_settings_page import SyncSettingsPage
from desktop.ui.sync_status import status_text
from tests.mlflow_test_server import MlflowServer, free_port
from tests.sync.history_factory import make_observation
from tests.sync.server.exactly_once import assert_exactly_once
from tests.sync.server.fault_tools import fault_server
from tests.sync.ui.conftest import OpenSyncWindow
from tests.waiting import UNTIL_IT_HAPPENS_MS

WAIT_MS = UNTIL_IT_HAPPENS_MS  # for a condition, however long a busy machine takes (issue 25)


def test_status_words_for_each_phase(qapp) -> None:
    locale = QLocale(QLocale.Language.English)
    assert status_text(None, locale, configured=False) == "Sync off"
    assert status_text(SyncProgress(Phase.OFFLINE, message="x"), locale) == "Offline"
    assert status_text(SyncProgress(Phase.SYNCING, done=3, total=12), locale) == "Syncing 3 of 12"
    problem = SyncProgress(Phase.ERROR, message="401: check your credentials for lab:5000")
    assert status_text(problem, locale) == "Sync stopped"  # the sentence is in the tooltip
    done = SyncProgress(Phase.DONE, last_synced_at="2026-05-01T09:00:00+00:00", unsynced=0)
    assert status_text(done, locale).startswith("All synced (")
    assert status_text(SyncProgress(Phase.DONE, unsynced=2, failed=2), locale) == "2 not synced"


def test_without_a_server_the_status_says_sync_off_and_the_menu_offers_the_settings(
    open_sync_window: OpenSyncWindow,
) -> None:
    window, controller = open_sync_window(Settings(language="en"))
    assert controller.status_label.text() == "Sync off"
    assert not controller.running
    texts = [a.text() for a in window.sync_menu.actions() if not a.isSeparator()]
    assert "Sync &now" in texts and "&Server settings…" in texts
    assert window.sync_menu.menuAction().isVisible()


@pytest.mark.server
def test_a_saved_observation_is_synced_in_the_background_and_the_status_bar_says_all_synced(
    open_sync_window: OpenSyncWindow, mlflow_server: MlflowServer, experiment_name: str, qtbot
) -> None:
    settings = Settings(language="en", tracking_uri=mlflow_server.url, experiment_name=experiment_name)
    window, controller = open_sync_window(settings)
    earlier = make_observation(1)
    window.store.add(earlier)  # saved in an earlier session
    window.measurements.set_values({"sepal_length": 5.1})  # a measured flower, not the defaults
    window.save_action.trigger()  # saved now, through the window

    qtbot.waitUntil(lambda: controller.status_label.text().startswith("All synced ("), timeout=WAIT_MS)

    saved = window.store.list()
    assert len(saved) == 2 and {o.sync_state for o in saved} == {"synced"}
    assert_exactly_once(mlflow_server, experiment_name, saved)


@pytest.mark.server
def test_sync_now_sends_what_was_saved_while_automatic_sync_is_off(
    open_sync_window: OpenSyncWindow, mlflow_server: MlflowServer, experiment_name: str, qtbot
) -> None:
    settings = Settings(
        language="en", tracking_uri=mlflow_server.url, experiment_name=experiment_name, auto_sync=False
    )
    window, controller = open_sync_window(settings)
    window.store.add(make_observation(2))
    assert controller.status_label.text().startswith("Sync on request")

    controller.sync_now_action.trigger()

    qtbot.waitUntil(lambda: controller.status_label.text().startswith("All synced ("), timeout=WAIT_MS)
    assert_exactly_once(mlflow_server, experiment_name, window.store.list())


def test_an_unreachable_server_shows_offline_and_keeps_observations_pending(
    open_sync_window: OpenSyncWindow, qtbot
) -> None:
    settings = Settings(language="en", tracking_uri=f"http://127.0.0.1:{free_port()}")
    window, controller = open_sync_window(settings)
    window.store.add(make_observation(3))
    controller.wake()

    qtbot.waitUntil(lambda: controller.status_label.text() == "Offline", timeout=WAIT_MS)
    assert "cannot be reached" in controller.status_label.toolTip()
    assert window.store.counts()["pending"] == 1


def test_a_pass_against_a_closed_port_says_why_in_german_in_the_german_window(
    open_sync_window: OpenSyncWindow, translations, qtbot
) -> None:
    translations.apply("de")  # as the app does for the language setting, before the window opens
    port = free_port()  # nothing listens there: every connection is refused at once
    window, controller = open_sync_window(Settings(language="de", tracking_uri=f"http://127.0.0.1:{port}"))
    window.store.add(make_observation(5))
    controller.wake()

    qtbot.waitUntil(lambda: controller.status_label.text() == "Offline", timeout=WAIT_MS)
    tooltip = controller.status_label.toolTip()
    assert (
        f"Der Server des Labors unter 127.0.0.1:{port} ist nicht erreichbar. Die Beobachtungen werden "
        "gesendet, sobald er erreichbar ist." in tooltip
    )
    assert "cannot be reached" not in tooltip and "Nächster Versuch in" in tooltip
    assert window.store.counts()["pending"] == 1


def test_wrong_credentials_say_check_your_credentials_in_the_status_bar(
    open_sync_window: OpenSyncWindow, qtbot
) -> None:
    with fault_server("401", 0) as (url, _served):
        window, controller = open_sync_window(Settings(language="en", tracking_uri=url))
        window.store.add(make_observation(4))
        controller.sync_now()
        qtbot.waitUntil(lambda: controller.status_label.text() == "Sync: sign-in refused", timeout=WAIT_MS)
        assert "refused the user name, password or token (HTTP 401)" in controller.status_label.toolTip()
    assert window.store.counts()["synced"] == 0


@contextlib.contextmanager
def hanging_server() -> Iterator[tuple[str, threading.Event]]:
    """Accept connections and read requests, but never answer (a hung server or a dead network path)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    request_seen = threading.Event()
    held: list[socket.socket] = []

    def serve() -> None:
        with contextlib.suppress(OSError):
            while True:
                connection, _ = listener.accept()
                held.append(connection)
                if connection.recv(65536):
                    request_seen.set()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", request_seen
    finally:
        listener.close()
        for connection in held:
            connection.close()


def test_the_window_keeps_working_while_the_server_hangs(open_sync_window: OpenSyncWindow, qtbot) -> None:
    with hanging_server() as (url, request_seen):
        window, controller = open_sync_window(Settings(language="en", tracking_uri=url))
        window.store.add(make_observation(5))
        controller.sync_now()
        # The sync starts after the window's first frame: the event loop runs meanwhile.
        qtbot.waitUntil(request_seen.is_set, timeout=UNTIL_IT_HAPPENS_MS)  # the worker reached the server

        # The worker is now blocked waiting for an answer; the window's event loop must still run.
        ticks: list[int] = []
        timer = QTimer(window)
        timer.timeout.connect(lambda: ticks.append(1))
        timer.start(10)
        qtbot.waitUntil(lambda: len(ticks) >= 5, timeout=UNTIL_IT_HAPPENS_MS)
        window.history.search.setText("setosa")
        assert window.history.search.text() == "setosa"
        controller.sync_now_action.trigger()  # pressing it again while hung must not block either
        qtbot.waitUntil(lambda: len(ticks) >= 10, timeout=UNTIL_IT_HAPPENS_MS)
        timer.stop()
        assert controller.status_label.text() in ("Connecting…", "Syncing 0 of 1")


def test_the_server_settings_tab_keeps_the_password_out_of_the_settings_file(
    open_sync_window: OpenSyncWindow, iris_home: Path, qtbot
) -> None:
    window, controller = open_sync_window(Settings(language="en"))
    window.open_settings()
    dialog = window.findChild(SettingsDialog)
    page = next(p for p in dialog.pages() if isinstance(p, SyncSettingsPage))
    page.server.setText("http://lab.example:5000")
    page.auth.setCurrentIndex(page.auth.findData("basic"))
    page.username.setText("ada")
    page.secret.setText("correct horse battery staple")
    page.device.setText("field-laptop-7")
    dialog.accept()

    saved = Settings.load()
    assert (saved.tracking_uri, saved.auth, saved.username, saved.device_name) == (
        "http://lab.example:5000",
        "basic",
        "ada",
        "field-laptop-7",
    )
    assert "correct horse" not in (iris_home / "settings.json").read_text(encoding="utf-8")
    assert controller.secrets.get("http://lab.example:5000", "basic", "ada") == "correct horse battery staple"
    assert not SecretStore(use_keyring=False).persistent
    # Restarted for the new server, with the password from this session (once the window is drawn).
    qtbot.waitUntil(lambda: controller.running)


def test_the_server_settings_tab_refuses_an_address_that_is_not_http(
    open_sync_window: OpenSyncWindow, qtbot
) -> None:
    window, _controller = open_sync_window(Settings(language="en"))
    window.open_settings()
    dialog = window.findChild(SettingsDialog)
    page = next(p for p in dialog.pages() if isinstance(p, SyncSettingsPage))
    page.server.setText("sqlite:///mlflow.db")
    dialog.accept()
    assert dialog.isVisible()
    assert "http" in page.problem()


def test_the_sync_starts_once_the_window_has_drawn_its_first_frame(
    open_sync_window: OpenSyncWindow, qtbot
) -> None:
    with hanging_server() as (url, request_seen):
        window, controller = open_sync_window(Settings(language="en", tracking_uri=url))
        assert not window.first_frame.is_drawn and not controller.running
        qtbot.waitUntil(lambda: controller.running)
        assert window.first_frame.is_drawn
        qtbot.waitUntil(request_seen.is_set, timeout=UNTIL_IT_HAPPENS_MS)


def test_the_sync_never_moves_a_damaged_long_history_aside_while_the_window_uses_it(
    open_sync_window: OpenSyncWindow, qtbot, iris_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop import store as store_module
    from desktop.store import ObservationStore
    from desktop.ui import app
    from tests.desktop.test_history_query import varied
    from tests.desktop.ui.test_startup_problems import _damage_pages

    monkeypatch.setattr(store_module, "CHECK_AT_OPEN_BYTES", 0)  # every history counts as long here
    monkeypatch.setattr(app, "CHECK_AT_OPEN_BYTES", 0)
    path = iris_home / "observations.sqlite3"
    with ObservationStore.open(path) as store:
        store.add_many([varied(i) for i in range(200)])
    _damage_pages(path)
    passes: list[SyncProgress] = []

    window, controller = open_sync_window(
        Settings(language="en", tracking_uri=f"http://127.0.0.1:{free_port()}")
    )
    controller._relay.progressed.connect(passes.append)
    qtbot.waitUntil(lambda: any(p.phase is not Phase.CONNECTING for p in passes), timeout=WAIT_MS)
    assert not list(iris_home.glob("observations.sqlite3.corrupt-*")), "moved aside at the next start only"
