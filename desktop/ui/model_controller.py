"""The window's side of model delivery: the active model in the status bar, updates, install, go back.

``install_model_delivery(window, store, active)`` hooks into a ``MainWindow``: File → Install model file…,
Help → Model… and Help → Check for model update, a settings tab for trusted keys, and an update check
after every sync pass that reached the server. Checks run in a background thread; the window never waits.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QLocale, QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMessageBox

from desktop.errors import IrisFieldError
from desktop.model_delivery.model_store import (
    ActiveModel,
    ChallengerEnd,
    EndedChallenger,
    InstallOutcome,
    ModelStore,
    Role,
)
from desktop.model_delivery.shadow import shadow_prediction
from desktop.model_delivery.updater import UpdateResult, UpdateStatus
from desktop.ui.dialogs import show_problem
from desktop.ui.i18n import format_percent, sentence
from desktop.ui.model_dialog import ModelDialog
from desktop.ui.problem_words import fallback_text, problem_text, refusal_text
from desktop.ui.trusted_keys_page import TrustedKeysPage

if TYPE_CHECKING:
    from desktop.model_delivery.files import FileOutcome
    from desktop.model_delivery.rotation import KeyRotation
    from desktop.ui.qt_main_window import MainWindow

log = logging.getLogger(__name__)

# Sync passes can follow each other quickly (a save wakes the sync): ask the registry at most this often.
AUTOMATIC_CHECK_INTERVAL_S = 600.0


class _Relay(QObject):
    """Carry a finished check from its thread into the GUI thread."""

    checked = Signal(object, bool)  # list[UpdateResult] or a problem sentence; True when asked for by hand


class ModelDeliveryController(QObject):
    """Keeps the window predicting with the active release and brings newer ones in."""

    def __init__(self, window: MainWindow, store: ModelStore, active: ActiveModel):
        """Attach to ``window``; ``active`` is the model it was opened with."""
        super().__init__(window)
        self._window = window
        self.store = store
        self.active = active
        self.challenger = store.load_challenger()
        self._checking = False
        self._last_check = float("-inf")
        self._relay = _Relay(self)
        self._relay.checked.connect(self._on_checked)
        self.note: QMessageBox | None = None
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)  # tests move it forward

        self.install_action = QAction(window)
        self.install_action.triggered.connect(self._choose_file)
        self.model_action = QAction(window)
        self.model_action.triggered.connect(self.show_model)
        self.check_action = QAction(window)
        self.check_action.triggered.connect(lambda: self.check_now(by_hand=True))
        window.file_menu.insertAction(window.settings_action, self.install_action)
        window.help_menu.insertAction(window.about_action, self.model_action)
        window.help_menu.insertAction(window.about_action, self.check_action)
        window.add_settings_page(TrustedKeysPage)
        window.settings_changed.connect(self._on_settings_changed)
        self.retranslate()
        self._use(active)
        if active.fallback is not None:
            window.statusBar().showMessage(fallback_text(active.fallback), 15000)

    # ------------------------------------------------------------------ what predicts
    def describe(self, model: ActiveModel) -> str:
        """Return the status bar's words for a model: name, version, release date."""
        card = model.classifier.card
        text = self.tr("Model {name} v{version} ({alias})").format(
            name=card.model_name, version=card.model_version, alias=card.alias
        )
        if model.release is None:
            return text
        released = QDate.fromString(model.release.released_at[:10], Qt.DateFormat.ISODate)
        date = self._window.locale().toString(released, QLocale.FormatType.ShortFormat)
        text = self.tr("{model} · released {date}").format(
            model=text, date=date or model.release.released_at[:10]
        )
        freshness = self.store.freshness(model, self.clock())
        if freshness is not None and freshness.stale:
            text += " · " + self.tr("⚠ confirmed %n day(s) ago", "", freshness.age_days)
        return text

    def _use(self, model: ActiveModel) -> None:
        self.active = model
        challenger = self.challenger

        def shadow(prediction):
            return shadow_prediction(challenger, prediction)

        self._window.use_model(
            model.classifier, model.stamp, self.describe(model), shadow if challenger else None
        )

    # ------------------------------------------------------------------ update checks
    def check_now(self, by_hand: bool = False) -> None:
        """Ask the lab's registry for newer releases in the background (if a server is configured)."""
        uri = self._window.settings.tracking_uri
        if not uri:
            if by_hand:
                show_problem(
                    self._window,
                    self.tr("No lab server is set"),
                    self.tr("Set the lab's MLflow server in Settings → Sync, or install a model file."),
                )
            return
        if self._checking or (
            not by_hand and time.monotonic() - self._last_check < AUTOMATIC_CHECK_INTERVAL_S
        ):
            return
        self._checking = True
        self._last_check = time.monotonic()
        settings = self._window.settings
        store_root = self.store.root
        threading.Thread(
            target=self._check,
            args=(uri, settings, store_root, by_hand),
            name="iris-model-update",
            daemon=True,
        ).start()

    def _check(self, uri: str, settings, store_root, by_hand: bool) -> None:
        """Run in the background thread: one store of its own, one client, all aliases."""
        from desktop.model_delivery.registry_client import RegistryClient
        from desktop.model_delivery.updater import update_all
        from desktop.sync.credentials import auth_for

        try:
            client = RegistryClient(uri, auth_for(uri, settings))
            try:
                results: object = update_all(ModelStore(store_root, self.store.bundled), client)
            finally:
                client.close()
        except IrisFieldError as exc:
            results = exc  # said in the window's words
        except Exception as exc:  # a bug must not kill the thread silently; the window stays as it is
            log.exception("model update check failed")
            results = f"{type(exc).__name__}: {exc}"
        self._relay.checked.emit(results, by_hand)

    def _on_checked(self, results: object, by_hand: bool) -> None:
        self._checking = False
        if isinstance(results, (str, IrisFieldError)):
            if by_hand:
                reason = problem_text(results) if isinstance(results, IrisFieldError) else sentence(results)
                show_problem(self._window, self.tr("The lab's server could not be asked"), reason)
            return
        assert isinstance(results, list)
        news, refusals = self._sort_results(results)
        self.challenger = self.store.load_challenger()
        self._use(self.store.load_active())
        if news:
            self._show_note(" ".join(news))
        if refusals:
            self._show_refusals(refusals, by_hand)
        if by_hand and not news and not refusals:
            self._window.statusBar().showMessage(self.tr("The model is up to date."), 8000)

    def _sort_results(self, results: list[UpdateResult]) -> tuple[list[str], list[str]]:
        """Return the words for what the update brought (rotations, installs) and for what it refused."""
        news, refusals = [], []
        for result in results:
            news.extend(self._rotation_text(rotation) for rotation in result.rotations)
            if result.status is UpdateStatus.INSTALLED and result.outcome is not None:
                news.append(self._take(result.outcome))
            elif result.status is UpdateStatus.REFUSED:
                refusals.append(self._refusal_text(result))
            elif result.status is UpdateStatus.ENDED and result.ended is not None:
                news.append(self._ended_text(result.ended))
        return news, refusals

    def _show_refusals(self, refusals: list[str], by_hand: bool) -> None:
        """Say what was refused: a dialog when asked by hand, else the status bar (and the log)."""
        log.warning("model update refused: %s", " ".join(refusals))
        if by_hand:
            show_problem(self._window, self.tr("A new model was refused"), " ".join(refusals))
        else:
            self._window.statusBar().showMessage(" ".join(refusals), 15000)

    def _refusal_text(self, result: UpdateResult) -> str:
        return self.tr("The lab's new model was refused and the current one kept: {reason}").format(
            reason=refusal_text(result.reason, result.facts) if result.reason else sentence(result.refusal)
        )

    def _rotation_text(self, rotation: KeyRotation) -> str:
        return self.tr(
            "The lab replaced its signing key {old} by {new}: "
            "models signed with {old} are refused from now on."
        ).format(old=rotation.old_key, new=rotation.new_key)

    def _ended_text(self, ended: EndedChallenger) -> str:
        """Return the note's words for a challenger that stopped running in the background."""
        if ended.end is ChallengerEnd.PROMOTED:
            return self.tr(
                "The challenger model v{version} became the champion; it no longer runs in the background."
            ).format(version=ended.version)
        return self.tr(
            "The lab ended the challenger model v{version}; it no longer runs in the background."
        ).format(version=ended.version)

    def _take(self, outcome: InstallOutcome) -> str:
        """Return the note's words for an installed release."""
        release = outcome.release
        if outcome.role is Role.CHALLENGER:
            return self.tr("A challenger model v{version} from the lab now runs in the background.").format(
                version=release.version
            )
        new_cv = outcome.card_metrics.get("cv_accuracy_mean")
        old = outcome.replaced
        old_cv = old.classifier.card.metrics.get("cv_accuracy_mean") if old else None
        locale = self._window.locale()
        if new_cv is not None and old_cv is not None:
            text = self.tr(
                "New model v{version} from the lab: cross-validated accuracy {new}, was {old}."
            ).format(
                version=release.version,
                new=format_percent(new_cv, locale),
                old=format_percent(old_cv, locale),
            )
        else:
            text = self.tr("New model v{version} from the lab.").format(version=release.version)
        if outcome.replaced_other_registry:
            text += " " + self.tr("It replaces the model Iris Field was installed with.")
        return text

    def _show_note(self, text: str) -> None:
        """Say what changed in a note that does not block the window."""
        if self.note is not None:
            self.note.close()
        self.note = QMessageBox(
            QMessageBox.Icon.Information,
            self.tr("New model"),
            text,
            QMessageBox.StandardButton.Ok,
            self._window,
        )
        self.note.setWindowModality(Qt.WindowModality.NonModal)
        self.note.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.note.destroyed.connect(lambda: setattr(self, "note", None))
        self.note.show()

    # ------------------------------------------------------------------ install, show, go back
    def install_file(self, path: str) -> None:
        """Verify and install a ``.irismodel`` file (or a signed key rotation or timestamp file)."""
        from desktop.model_delivery.files import take_file

        try:
            taken = take_file(self.store, path)
        except IrisFieldError as exc:
            show_problem(
                self._window,
                self.tr("The model file was not installed"),
                problem_text(exc),
                self.tr("The model in use stays as it was."),
            )
            return
        if taken.installed is None:
            self._use(self.active)
            self._show_note(self._statement_text(taken))
            return
        note = self._take(taken.installed)
        self.challenger = self.store.load_challenger()
        self._use(self.store.load_active())
        self._show_note(note)

    def _statement_text(self, taken: FileOutcome) -> str:
        if taken.rotation is not None:
            return self._rotation_text(taken.rotation)
        if taken.timestamp is not None:
            return self.tr("The lab confirmed its release {sequence} as current on {date}.").format(
                sequence=taken.timestamp.sequence, date=taken.timestamp.signed_at[:10]
            )
        return self.tr("The file holds nothing new; nothing changed.")

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self._window,
            self.tr("Install model file"),
            "",
            self.tr("Iris Field models and lab statements (*.irismodel *.json)"),
        )
        if path:
            self.install_file(path)

    def show_model(self) -> ModelDialog:
        """Open Help → Model (non-modal)."""
        can_go_back = self.store.state().active is not None
        freshness = self.store.freshness(self.active, self.clock())
        dialog = ModelDialog(self.active, can_go_back, self._window, freshness)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.use_previous_requested.connect(lambda: (dialog.close(), self.use_previous()))
        dialog.show()
        return dialog

    def use_previous(self) -> None:
        """Go back to the previous verified model (or the bundled one)."""
        try:
            model = self.store.use_previous()
        except IrisFieldError as exc:
            show_problem(self._window, self.tr("There is no previous model"), problem_text(exc))
            return
        self._use(model)
        self._window.statusBar().showMessage(
            self.tr("Now predicting with {model}.").format(model=self.describe(model)), 8000
        )

    def _on_settings_changed(self, settings) -> None:
        """Follow a language switch; a newly set server is asked at once."""
        self.retranslate()
        self._use(self.active)
        if settings.tracking_uri:
            self._last_check = float("-inf")
            self.check_now()

    def retranslate(self) -> None:
        """Set the texts of the menu entries."""
        self.install_action.setText(self.tr("&Install model file…"))
        self.model_action.setText(self.tr("&Model…"))
        self.check_action.setText(self.tr("Check for model &update"))


def install_model_delivery(
    window: MainWindow, store: ModelStore, active: ActiveModel
) -> ModelDeliveryController:
    """Give ``window`` its model menu entries, status bar words, key settings and update checks."""
    controller = ModelDeliveryController(window, store, active)
    window.model_controller = controller  # type: ignore[attr-defined]  # kept alive with the window
    return controller
