"""Start the window: Qt application, translations, model and history, and any start-up problem in words."""

from __future__ import annotations

import contextlib
import logging
import threading
from pathlib import Path

import onnxruntime  # noqa: F401  -- before PySide6: on Windows the other order breaks its DLLs
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QLabel, QProgressDialog

import desktop.sync  # noqa: F401  (the history file holds the sync's tables: register their steps)
from desktop import __version__
from desktop.errors import ModelError, StoreError
from desktop.history.files import marked_damaged
from desktop.history.migrations import steps_behind
from desktop.history.opening import CHECK_AT_OPEN_BYTES, StoreDamagedError
from desktop.history.salvage import SalvageReport, standing_salvage
from desktop.history.store import ObservationStore
from desktop.model_delivery.model_store import ActiveModel, ModelStore
from desktop.paths import default_db_path
from desktop.prediction.engine import Classifier
from desktop.settings import Settings
from desktop.signing import device_key
from desktop.ui.crash_dialog import install_crash_dialog
from desktop.ui.dialogs import show_problem
from desktop.ui.history_check import BackgroundIntegrityCheck
from desktop.ui.i18n import Translations, sentence
from desktop.ui.model_controller import install_model_delivery
from desktop.ui.problem_words import problem_text, salvage_text
from desktop.ui.qt_main_window import MainWindow
from desktop.ui.species_icons import app_icon
from desktop.ui.sync_controller import install_sync

# A long history's integrity check waits this long after start-up, so it never slows the window opening.
INTEGRITY_CHECK_DELAY_MS = 10_000


def run(argv: list[str]) -> int:
    """Open the main window and run until it closes; return the exit code."""
    app = QApplication.instance() or QApplication(list(argv))
    app.setApplicationName("iris-field")
    app.setApplicationDisplayName("Iris Field")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("iris-field")
    app.setWindowIcon(app_icon())
    install_crash_dialog(app)
    settings = Settings.load()
    _make_device_key()
    translations = Translations(app)
    translations.apply(settings.language)
    window = open_main_window(settings, translations)
    sync = install_sync(window)  # background sync, Sync menu, status text, server settings tab
    delivery = getattr(window, "model_controller", None)
    if delivery is not None:
        sync.pass_finished.connect(delivery.check_now)  # a model update check with every sync pass
    try:
        return app.exec()
    finally:
        if window.store is not None:
            window.store.close()


def _make_device_key() -> None:
    """Make this laptop's device key at its first start (the sync signs every run with it)."""
    try:
        device_key.load_or_create()
    except OSError as exc:  # the data folder is not writable: the history says so; the sync will try again
        logging.getLogger(__name__).warning("the device key cannot be kept: %s", exc)


def open_main_window(
    settings: Settings, translations: Translations | None = None, model_path: Path | None = None
) -> MainWindow:
    """Load the model and the history, show the window, then explain anything that went wrong."""
    models = ModelStore()
    classifier, active, model_problem = _load_model(models, model_path)
    store, store_notice, store_problem = _open_store()
    window = MainWindow(
        settings,
        classifier,
        store,
        translations=translations,
        model_problem=model_problem,
        store_problem=store_problem,
    )
    if active is not None:
        install_model_delivery(window, models, active)  # menus, status bar words, update checks
    window.show()
    # The frozen smoke test waits for this line; in a user's log it dates the start-up.
    logging.getLogger("iris_field.ui").info("main window shown")
    # Shown after the window, as window-modal sheets: the history stays browsable behind them.
    if model_problem:
        _say_model_problem(window, model_problem)
    if store_notice:
        show_problem(
            window, QCoreApplication.translate("App", "The history was damaged"), sentence(store_notice)
        )
    if store is not None:
        # A long history is checked once the window is up, so a million observations open in a second.
        window.integrity_check = BackgroundIntegrityCheck(
            store.path, window, delay_ms=INTEGRITY_CHECK_DELAY_MS
        )
        window.integrity_check.damaged.connect(lambda problem: _say_damaged(window, problem))
    if store_problem:
        show_problem(
            window,
            QCoreApplication.translate("App", "The history cannot be opened"),
            store_problem,
            QCoreApplication.translate(
                "App", "Observations cannot be saved until this is fixed; predictions still work."
            ),
        )
    return window


def _load_model(
    models: ModelStore, model_path: Path | None
) -> tuple[Classifier | None, ActiveModel | None, str]:
    """Load the model at ``model_path``, else the active release; return it, the release, and any problem."""
    classifier: Classifier | None = None
    active: ActiveModel | None = None
    model_problem = ""
    try:
        if model_path is None:
            # The active verified release, or the bundled model when none is installed (or it is damaged).
            active = models.load_active()
            classifier = active.classifier
        else:
            classifier = Classifier.load(model_path)
    except ModelError as exc:
        model_problem = problem_text(exc)
    return classifier, active, model_problem


def _say_model_problem(window: MainWindow, model_problem: str) -> None:
    show_problem(
        window,
        QCoreApplication.translate("App", "The model could not be loaded"),
        QCoreApplication.translate("App", "Iris Field cannot identify flowers until the model is repaired."),
        sentence(model_problem)
        + "\n\n"
        + QCoreApplication.translate(
            "App",
            "You can still browse, export and edit the saved observations. "
            "Reinstalling Iris Field restores the model.",
        ),
    )


def _say_damaged(window: MainWindow, problem: str) -> None:
    show_problem(
        window,
        QCoreApplication.translate("App", "The history was damaged"),
        QCoreApplication.translate(
            "App",
            "The history file is damaged. When Iris Field next starts, it copies every readable observation "
            "into a fresh history and keeps the damaged file beside it. Export what you need as CSV now, "
            "then restart.",
        ),
        sentence(problem),
    )


def _prepare_with_progress(path: Path) -> SalvageReport | None:
    """Open a long history in a thread, a busy dialog saying why while it is upgraded or repaired.

    Returns what a salvage recovered, if one ran. Building the search index of a million observations
    takes seconds, once; copying every readable observation of a damaged history into a fresh one takes
    20 to 40 s a gigabyte (docs/performance.md). The window
    must not look hung meanwhile. The dialog shows at once for a history the last session found damaged
    or one to upgrade, and as soon as a salvage begins for damage only the opening finds (its record
    beside the history says so). A history that cannot be salvaged raises ``StoreDamagedError`` here;
    other errors are left to the opening that follows, which says them in words.
    """
    if not path.is_file() or path.stat().st_size <= CHECK_AT_OPEN_BYTES:
        return None
    shown: list[QProgressDialog] = []  # made only when shown: a dialog never shown shows itself later
    if marked_damaged(path) or _salvage_under_way(path):
        shown.append(_busy_dialog(path, repairing=True))
    elif steps_behind(path) > 0:
        shown.append(_busy_dialog(path, repairing=False))
    done = threading.Event()
    outcome: list[SalvageReport | StoreDamagedError | None] = [None]

    def prepare() -> None:
        try:
            store = ObservationStore.open(path, check_later=True)
            outcome[0] = store.salvaged
            store.close()
        except StoreDamagedError as exc:
            outcome[0] = exc
        except Exception:  # noqa: BLE001 -- the opening after this reports it
            pass
        finally:
            done.set()

    threading.Thread(target=prepare, name="history-prepare", daemon=True).start()
    while not done.wait(0.05):
        if not shown and _salvage_under_way(path):
            shown.append(_busy_dialog(path, repairing=True))
        QApplication.processEvents()
    for dialog in shown:
        dialog.close()
    if isinstance(outcome[0], StoreDamagedError):
        raise outcome[0]
    return outcome[0]


def _salvage_under_way(path: Path) -> bool:
    """Tell whether a salvage of the history began and has not finished (its record beside the history)."""
    standing = standing_salvage(path)
    return standing is not None and standing[1] is None


def _busy_dialog(path: Path, *, repairing: bool) -> QProgressDialog:
    """Show a busy dialog saying whether the history is being repaired or upgraded; return it."""
    log = logging.getLogger("iris_field.ui")
    if repairing:
        log.info("repairing the history %s", path)
        text = QCoreApplication.translate(
            "App",
            "Repairing the observation history: every observation that can still be read is copied into "
            "a fresh history. With many observations this takes a few minutes.",
        )
    else:
        log.info("upgrading the history %s", path)
        text = QCoreApplication.translate(
            "App", "Preparing the observation history for fast search. This happens once, after an update."
        )
    dialog = QProgressDialog("", "", 0, 0)
    label = QLabel(text, dialog)
    label.setWordWrap(True)  # long in German: a narrow screen gets lines, not a cut sentence
    dialog.setLabel(label)
    dialog.setCancelButton(None)
    dialog.setWindowTitle("Iris Field")
    dialog.setMinimumDuration(0)
    dialog.show()
    return dialog


def _open_store() -> tuple[ObservationStore | None, str, str]:
    """Open the history; return (store, notice about a damaged file moved aside, problem if none)."""
    salvaged: SalvageReport | None = None
    try:
        with contextlib.suppress(OSError):
            salvaged = _prepare_with_progress(default_db_path())
        store = ObservationStore.open(check_later=True)
        store.salvaged = store.salvaged or salvaged
        return store, salvage_text(store.salvaged) if store.salvaged else "", ""
    except StoreDamagedError as exc:
        notice = problem_text(exc)
    except StoreError as exc:
        return None, "", problem_text(exc)
    # The damaged file is safe aside; a fresh, empty history lets the botanist keep working.
    try:
        return ObservationStore.open(), notice, ""
    except StoreError as exc:
        return None, notice, problem_text(exc)
