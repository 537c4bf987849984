"""The main window: measuring on the left, the history on the right, menus and a status bar.

Extension points (for the sync part of the window):
- ``sync_menu``: the Sync menu, hidden while it has no actions;
- ``add_settings_page(factory)``: another tab in the settings dialog;
- ``statusBar().addPermanentWidget(...)``: e.g. an online/offline indicator;
- ``refresh_history()``: call after sync states changed in the store (commits by another connection are
  noticed within a second anyway, by ``history_watcher``);
- signals ``observation_saved(id)``, ``observations_changed()``, ``settings_changed(Settings)``;
- ``store`` and ``settings``: the open history and the current preferences.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QByteArray, QEvent, QLocale, QSize, Qt, Signal
from PySide6.QtGui import QAction, QActionEvent, QCloseEvent, QKeySequence, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QGroupBox,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop import __version__
from desktop.errors import IrisFieldError
from desktop.model_delivery.release import ModelStamp, ShadowPrediction
from desktop.prediction.engine import Classifier, Prediction
from desktop.settings import Settings
from desktop.store import DUPLICATE_WITHIN, Observation, ObservationStore
from desktop.ui.dialogs import ask_to_confirm, show_problem
from desktop.ui.first_frame import FirstFrame
from desktop.ui.history_check import BackgroundIntegrityCheck
from desktop.ui.history_counter import HistoryCounts
from desktop.ui.history_model import local_time
from desktop.ui.history_panel import HistoryPanel
from desktop.ui.history_watcher import HistoryWatcher
from desktop.ui.i18n import Translations, format_percent, sentence, species_name
from desktop.ui.measurement_panel import MeasurementPanel
from desktop.ui.problem_words import problem_text, read_only_reason
from desktop.ui.result_panel import WARNING_STYLE, ResultPanel
from desktop.ui.save_form import SaveForm
from desktop.ui.settings_dialog import GeneralSettingsPage, SettingsDialog, SettingsPage
from desktop.ui.species_icons import app_icon

log = logging.getLogger(__name__)

# Largest first size: fits a 1366×768 field laptop with its task bar and the window's title bar.
FIRST_SIZE = QSize(1280, 720)
MEASURING_WIDTH = 560
MEASURING_MIN_HEIGHT = 200
STATUS_MESSAGE_MS = 8000


def _read_only(store: ObservationStore | None) -> bool:
    return store is not None and bool(store.read_only_reason)


class _MenuHiddenWhileEmpty(QMenu):
    """A menu whose title shows only once it has an action, so no dead menu ever appears."""

    def actionEvent(self, event: QActionEvent) -> None:  # noqa: N802 (Qt's name)
        """Show or hide the menu's title as actions come and go."""
        super().actionEvent(event)
        self.menuAction().setVisible(bool(self.actions()))


class _MeasuringArea(QScrollArea):
    """Scrolls the measuring column up and down, never sideways: as wide as its words need, any height."""

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        """Return the column's own minimum width (the longer language sets it) and a small height."""
        inner = self.widget().minimumSizeHint() if self.widget() is not None else QSize()
        scrollbar = self.verticalScrollBar().sizeHint().width()
        return QSize(inner.width() + scrollbar, min(inner.height(), MEASURING_MIN_HEIGHT))


class MainWindow(QMainWindow):
    """Predicts live from the sliders, saves observations, and shows and edits the history."""

    observation_saved = Signal(str)
    observations_changed = Signal()
    settings_changed = Signal(object)

    def __init__(
        self,
        settings: Settings,
        classifier: Classifier | None,
        store: ObservationStore | None,
        *,
        translations: Translations | None = None,
        model_problem: str = "",
        store_problem: str = "",
        parent: QWidget | None = None,
    ):
        """Build the window around a loaded model and an open store (either may be missing)."""
        super().__init__(parent)
        self._settings = settings
        self._classifier = classifier
        self._store = store
        self._translations = translations
        self._model_problem = model_problem
        # Set by the model delivery part (``use_model``): which release predicts, and the challenger's shadow.
        self._model_stamp: ModelStamp | None = None
        self._model_description = ""
        self._shadow: Callable[[Prediction], ShadowPrediction | None] | None = None
        self._prediction: Prediction | None = None
        self._settings_pages: list[Callable[[Settings], SettingsPage]] = [GeneralSettingsPage]
        self.setWindowIcon(app_icon())
        # Background work that is not needed to draw the window (the sync) starts after its first frame.
        self.first_frame = FirstFrame(self)
        self._build_actions()
        measuring, column = self._build_measuring_column()
        self._build_history(store_problem)
        self._build_splitter(measuring, column)
        self._build_menus()
        self._build_status_bar()
        self.retranslate()  # also fills the status bar's counts
        self._restore_layout()
        if self.measurements is not None:
            self._on_measurements_changed()

    def _build_actions(self) -> None:
        """Create the window's actions (save, settings, quit, find, about) with their shortcuts."""
        self.save_action = QAction(self)
        self.save_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Save))
        self.save_action.triggered.connect(self.save_observation)
        self.save_action.setEnabled(
            self._classifier is not None and self._store is not None and not _read_only(self._store)
        )
        self.settings_action = QAction(self)
        preferences = QKeySequence(QKeySequence.StandardKey.Preferences)
        # Linux desktops define no standard key for preferences; Ctrl+, is what most apps use there.
        self.settings_action.setShortcut(preferences if not preferences.isEmpty() else QKeySequence("Ctrl+,"))
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.settings_action.triggered.connect(self.open_settings)
        self.quit_action = QAction(self)
        self.quit_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Quit))
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(self.close)
        self.find_action = QAction(self)
        self.find_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Find))
        self.about_action = QAction(self)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.about_action.triggered.connect(self._show_about)

    def _build_measuring_column(self) -> tuple[QWidget, QVBoxLayout]:
        """Build the measuring column (sliders and result, or why there is no model) and its layout."""
        classifier = self._classifier
        self.measurements: MeasurementPanel | None = None
        self.result: ResultPanel | None = None
        self.save_form: SaveForm | None = None
        self.unavailable_notice: QLabel | None = None
        self.read_only_notice: QLabel | None = None  # why saving is off, for a history that is read-only
        measuring = QWidget(self)
        column = QVBoxLayout(measuring)
        self._result_box = QGroupBox(measuring)
        if classifier is not None:
            self.measurements = MeasurementPanel(classifier.card, measuring)
            self.result = ResultPanel(classifier.card, self._result_box)
            self.save_form = SaveForm(self.save_action, measuring)
            QVBoxLayout(self._result_box).addWidget(self.result)
            column.addWidget(self.measurements)
            column.addWidget(self._result_box)
            column.addStretch(1)
            self.measurements.values_changed.connect(self._on_measurements_changed)
        else:
            # Without a model there is nothing to measure against: say why, in the space the sliders had.
            self.unavailable_notice = QLabel(self._result_box)
            self.unavailable_notice.setWordWrap(True)
            self.unavailable_notice.setAlignment(Qt.AlignmentFlag.AlignTop)
            QVBoxLayout(self._result_box).addWidget(self.unavailable_notice)
            column.addWidget(self._result_box, 1)
        return measuring, column

    def _build_history(self, store_problem: str) -> None:
        """Build the history panel and the watcher that refreshes it when another process saves."""
        store, classifier = self._store, self._classifier
        self.history = HistoryPanel(
            store, classifier.card if classifier else None, store_problem, can_restore=classifier is not None
        )
        self.history.restore_requested.connect(self.restore)
        self.history.changed.connect(self._on_history_edited)
        self.history.message.connect(lambda text: self.statusBar().showMessage(text, STATUS_MESSAGE_MS))
        self.history.counted.connect(self._show_counts)
        # Saves by the command line, another window or the sync show up within a second, counts too.
        self.history_watcher = HistoryWatcher(store, self) if store is not None else None
        self.integrity_check: BackgroundIntegrityCheck | None = None  # started by desktop.ui.app
        if self.history_watcher is not None:
            self.history_watcher.changed.connect(self.refresh_history)
        self.find_action.triggered.connect(self._focus_search)

    def _build_splitter(self, measuring: QWidget, column: QVBoxLayout) -> None:
        """Put the scrolling measuring column with the save form on the left, the history on the right."""
        # On a short screen (1366×768 at 150 % leaves 512 points) the measuring column scrolls rather
        # than squeezing or cutting its controls.
        self.measuring_area = _MeasuringArea(self)
        self.measuring_area.setWidget(measuring)
        self.measuring_area.setWidgetResizable(True)
        self.measuring_area.setFrameShape(QFrame.Shape.NoFrame)
        self.measuring_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Not a stop of its own on the Tab walk: it scrolls to whichever of its controls has the focus.
        self.measuring_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        # Below the scrolling part, never scrolled away: note, place and the Save button.
        left = QWidget(self)
        left_column = QVBoxLayout(left)
        left_column.setContentsMargins(0, 0, 0, 0)
        left_column.addWidget(self.measuring_area, 1)
        if self.save_form is not None:
            self.save_form.setParent(left)
            margins = column.contentsMargins()
            self.save_form.setContentsMargins(margins.left(), 0, margins.right(), margins.bottom())
            left_column.addWidget(self.save_form)
        if self.save_form is not None and _read_only(self._store):
            self.read_only_notice = QLabel(left)
            self.read_only_notice.setWordWrap(True)
            self.read_only_notice.setStyleSheet(WARNING_STYLE)
            left_column.addWidget(self.read_only_notice)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.history)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([MEASURING_WIDTH, FIRST_SIZE.width() - MEASURING_WIDTH])
        self.setCentralWidget(self.splitter)

    def _build_status_bar(self) -> None:
        """Add the model, pending and data labels to the status bar, with separators between them."""
        self._model_label = QLabel(self)
        self._pending_label = QLabel(self)
        self._data_label = QLabel(self)
        for label in (self._model_label, self._pending_label, self._data_label):
            label.setContentsMargins(8, 0, 8, 0)
            if label is not self._model_label:
                separator = QFrame(self)
                separator.setFrameShape(QFrame.Shape.VLine)
                self.statusBar().addPermanentWidget(separator)
                self._data_separator = separator
            self.statusBar().addPermanentWidget(label)

    # ----------------------------------------------------------------- public
    @property
    def settings(self) -> Settings:
        """Return the current preferences."""
        return self._settings

    @property
    def store(self) -> ObservationStore | None:
        """Return the open history (``None`` if it could not be opened)."""
        return self._store

    @property
    def classifier(self) -> Classifier | None:
        """Return the loaded model (``None`` if it failed to load)."""
        return self._classifier

    def use_model(
        self,
        classifier: Classifier,
        stamp: ModelStamp,
        description: str,
        shadow: Callable[[Prediction], ShadowPrediction | None] | None = None,
    ) -> None:
        """Predict with another verified model (same features and classes) and re-predict what is shown.

        ``description`` names it in the status bar; ``shadow`` gives the challenger's answer for each save.
        """
        self._classifier = classifier
        self._model_stamp = stamp
        self._model_description = description
        self._shadow = shadow
        if self.result is not None:
            self.result.set_card(classifier.card)
        self.retranslate()
        if self.measurements is not None:
            self._on_measurements_changed()

    def add_settings_page(self, factory: Callable[[Settings], SettingsPage]) -> None:
        """Add a tab to the settings dialog; ``factory(settings)`` builds it each time the dialog opens."""
        self._settings_pages.append(factory)

    def refresh_history(self) -> None:
        """Reload the history pane and (in the background) the counts from the store."""
        self.history.refresh()

    # ----------------------------------------------------------------- predicting and saving
    def _on_measurements_changed(self) -> None:
        """Predict from the current values; the hot path of every slider move, so nothing else here."""
        assert self._classifier is not None and self.measurements is not None and self.result is not None
        try:
            prediction = self._classifier.predict(self.measurements.values())
        except IrisFieldError as exc:  # the spin boxes' ranges keep values plausible; this is a guard
            self._prediction = None
            self.save_action.setEnabled(False)
            self.statusBar().showMessage(sentence(str(exc)), STATUS_MESSAGE_MS)
            return
        if self._prediction is None:
            self.save_action.setEnabled(self._store is not None and not _read_only(self._store))
        self._prediction = prediction
        self.result.show_prediction(prediction)
        if self.save_form is not None:
            self.save_form.clear_saved()

    @property
    def prediction(self) -> Prediction | None:
        """Return the answer shown for the measurements last taken (``None`` without one)."""
        return self._prediction

    def take_typed_measurements(self) -> bool:
        """Take what is typed in the spin boxes, or refuse it on screen; the first step of every reader.

        Save (button, menu, Ctrl+S) goes through here, so it never reads a value other than the one shown.
        """
        return self.measurements is None or self.measurements.commit_typed()

    def save_observation(self) -> None:
        """Keep the current prediction with note, location and observer; say "saved" once it is on disk."""
        if self.measurements is None or self._store is None or self._classifier is None:
            return
        assert self.save_form is not None
        if not self.take_typed_measurements():
            self.save_form.show_saved(self.tr("Not saved: a typed value was not taken, see above."))
            return
        if self._prediction is None:
            return
        if not self.measurements.touched():
            self.save_form.show_saved(
                self.tr("Set the measurements first: the starting values are not a measured flower.")
            )
            return
        earlier = self._recent_duplicate()
        if earlier is None:
            self._save_now()
            return
        self.duplicate_question = ask_to_confirm(
            self,
            self.tr("Save the same measurements again?"),
            self.tr(
                "These measurements were already saved at {time} ({species}). Save them again as a "
                "second flower?"
            ).format(
                time=local_time(earlier.created_at, self.locale()), species=species_name(earlier.species)
            ),
            self.tr("Save again"),
            self._save_now,
        )

    def _save_now(self) -> None:
        assert self._prediction is not None and self._classifier is not None and self._store is not None
        assert self.save_form is not None
        location = self.save_form.location_value()
        try:
            observation = Observation.from_prediction(
                self._prediction,
                self._classifier.card,
                observer=self._settings.observer,
                note=self.save_form.note.text(),
                location=location.text,
                latitude=location.latitude,
                longitude=location.longitude,
                stamp=self._model_stamp,
                challenger=self._shadow(self._prediction) if self._shadow else None,
            )
            self._store.add(observation)
        except IrisFieldError as exc:
            show_problem(
                self,
                self.tr("The observation was not saved"),
                problem_text(exc),
                self.tr("Your measurements are still set: correct the problem and save again."),
            )
            return
        # Only now, with the store's commit returned, does the window say "saved".
        self.save_form.note.clear()
        self.save_form.show_saved(
            "✓ "
            + self.tr("Saved {species} at {time}.").format(
                species=species_name(observation.predicted_species),
                time=local_time(observation.created_at, self.locale()),
            )
        )
        self.history.refresh()
        self.history.select(observation.id)
        self.observation_saved.emit(observation.id)

    def _recent_duplicate(self) -> Observation | None:
        """Return an observation with the very same measurements saved shortly before, if any."""
        assert self._prediction is not None and self._classifier is not None and self._store is not None
        values = dict(zip(self._classifier.card.feature_names, self._prediction.values, strict=True))
        try:
            return self._store.recent_duplicate(values, DUPLICATE_WITHIN)
        except IrisFieldError:
            return None  # the save itself will say what is wrong with the history

    def restore(self, observation: Observation) -> None:
        """Put a saved observation's measurements back into the sliders (and so re-predict)."""
        if self.measurements is None:
            return
        self.measurements.set_values(observation.measurements)
        self.statusBar().showMessage(
            self.tr("Restored the measurements of {species} from {time}.").format(
                species=species_name(observation.species),
                time=local_time(observation.created_at, self.locale()),
            ),
            STATUS_MESSAGE_MS,
        )

    def _on_history_edited(self) -> None:
        self.observations_changed.emit()

    def _focus_search(self) -> None:
        self.history.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.history.search.selectAll()

    # ----------------------------------------------------------------- menus, status bar
    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu("")
        self.file_menu.addAction(self.history.export_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.settings_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)
        self.observation_menu = bar.addMenu("")
        self.observation_menu.addAction(self.save_action)
        self.observation_menu.addSeparator()
        self.observation_menu.addAction(self.history.restore_action)
        self.observation_menu.addMenu(self.history.confirm_menu)
        self.observation_menu.addAction(self.history.delete_action)
        self.observation_menu.addAction(self.history.undo_delete_action)
        self.observation_menu.addAction(self.history.recently_deleted_action)
        self.observation_menu.addSeparator()
        self.observation_menu.addAction(self.find_action)
        self.sync_menu = _MenuHiddenWhileEmpty(self)
        bar.addMenu(self.sync_menu)
        self.sync_menu.menuAction().setVisible(False)
        self.help_menu = bar.addMenu("")
        self.help_menu.addAction(self.about_action)

    def _update_counts(self) -> None:
        """Show the latest counts in the current language (fresh ones arrive by ``_show_counts``)."""
        if self._store is None:
            self._pending_label.setText(self.tr("History not available"))
        elif self.history.counter is not None and self.history.counter.last is not None:
            self._show_counts(self.history.counter.last)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        """Draw the window; the first time, start what waits for the first frame (the sync)."""
        super().paintEvent(event)
        self.first_frame.painted()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        """Fit the status bar to the new width."""
        super().resizeEvent(event)
        self._fit_status_bar()

    def _fit_status_bar(self) -> None:
        """Leave the data folder out of a status bar too narrow for it (its path is in About)."""
        bar = self.statusBar()
        shown = [w for w in bar.findChildren(QWidget) if w.parent() is bar and w.isVisibleTo(self)]
        others = sum(w.sizeHint().width() for w in shown if w not in (self._data_label, self._data_separator))
        fits = others + self._data_label.sizeHint().width() + 40 <= bar.width()
        self._data_label.setVisible(fits)
        self._data_separator.setVisible(fits)

    def _show_counts(self, counts: HistoryCounts) -> None:
        by_state = counts.by_sync_state
        waiting = by_state.get("pending", 0) + by_state.get("syncing", 0)
        text = self.tr("%Ln pending", "", waiting)
        if by_state.get("failed", 0):
            text += " · " + self.tr("%Ln failed", "", by_state["failed"])
        self._pending_label.setText(text)
        self._fit_status_bar()

    def _show_about(self) -> None:
        lines = [self.tr("Identifies Iris species offline from four flower measurements.")]
        if self._classifier is not None:
            card = self._classifier.card
            lines.append(
                self.tr("Model {name} version {version} ({alias}), created {created}.").format(
                    name=card.model_name,
                    version=card.model_version,
                    alias=card.alias,
                    created=_local_or_as_written(card.created, self.locale()),
                )
            )
            accuracy = card.metrics.get("accuracy") or card.metrics.get("test_accuracy")
            if accuracy is not None:
                lines.append(
                    self.tr("Accuracy on held-out flowers: {percent}.").format(
                        percent=format_percent(accuracy, self.locale())
                    )
                )
            lines.append(f"SHA-256 {card.sha256[:16]}…")
        else:
            lines.append(self.tr("No model is loaded."))
        if self._store is not None:
            lines.append(self.tr("History: {path}").format(path=self._store.path))
        show_problem(
            self,
            self.tr("About Iris Field"),
            f"Iris Field {__version__}",
            "\n".join(lines),
            icon=QMessageBox.Icon.Information,
        )

    # ----------------------------------------------------------------- settings
    def open_settings(self) -> None:
        """Open the settings dialog (non-blocking); OK saves and applies at once."""
        pages = [factory(self._settings) for factory in self._settings_pages]
        dialog = SettingsDialog(self._settings, pages, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.apply_settings(dialog.result_settings()))
        dialog.open()

    def apply_settings(self, settings: Settings) -> None:
        """Save new preferences and apply them: a new language takes effect immediately."""
        try:
            settings.save()
        except OSError as exc:
            show_problem(
                self,
                self.tr("The settings could not be saved"),
                sentence(f"{Settings.default_path()}: {exc.strerror or exc}"),
                self.tr("They apply until Iris Field is closed."),
            )
        language_changed = settings.language != self._settings.language
        self._settings = settings
        if language_changed and self._translations is not None:
            self.setLocale(self._translations.apply(settings.language))
        self.settings_changed.emit(settings)

    # ----------------------------------------------------------------- window state
    def _restore_layout(self) -> None:
        geometry = QByteArray.fromBase64(self._settings.window_geometry.encode("ascii"))
        if geometry.isEmpty() or not self.restoreGeometry(geometry):
            screen = self.screen().availableGeometry().size() if self.screen() else FIRST_SIZE
            self.resize(FIRST_SIZE.boundedTo(screen))
        splitter = QByteArray.fromBase64(self._settings.splitter_state.encode("ascii"))
        if not splitter.isEmpty():
            self.splitter.restoreState(splitter)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        """Remember the window's size and the splitter's place for the next start."""
        remembered = self._settings.replace(
            window_geometry=bytes(self.saveGeometry().toBase64().data()).decode("ascii"),
            splitter_state=bytes(self.splitter.saveState().toBase64().data()).decode("ascii"),
        )
        if remembered != self._settings:
            try:
                remembered.save()
                self._settings = remembered
            except OSError as exc:  # losing the window size is no reason to keep the user from quitting
                log.warning("cannot remember the window layout: %s", exc)
        if self.history_watcher is not None:
            self.history_watcher.timer.stop()
        for worker in (self.history.counter, self.history.exporter):
            if worker is not None:
                worker.wait()
        if self.integrity_check is not None:
            self.integrity_check.wait()
        super().closeEvent(event)

    # ----------------------------------------------------------------- language
    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        """Follow a language switch."""
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        """Set every text of the window's own parts (menus, status bar) in the current language."""
        self.setWindowTitle("Iris Field")
        self.file_menu.setTitle(self.tr("&File"))
        self.observation_menu.setTitle(self.tr("&Observation"))
        self.sync_menu.setTitle(self.tr("&Sync"))
        self.help_menu.setTitle(self.tr("&Help"))
        self.save_action.setText(self.tr("&Save observation"))
        self.save_action.setToolTip(self.tr("Keep these measurements and the model's answer in the history"))
        self.settings_action.setText(self.tr("S&ettings…"))
        self.quit_action.setText(self.tr("&Quit"))
        self.find_action.setText(self.tr("&Find in history"))
        self.about_action.setText(self.tr("&About Iris Field"))
        if self.read_only_notice is not None and self._store is not None:
            why = read_only_reason(self._store.read_only_cause, self._store.path)
            self.read_only_notice.setText(
                self.tr("Saving is off: {reason}. You can still browse and export the history.").format(
                    reason=why
                )
            )
        self._result_box.setTitle(self.tr("Species"))
        if self.unavailable_notice is not None:
            self.unavailable_notice.setText(
                self.tr(
                    "Predictions are switched off: the model could not be loaded.\n\n{reason}\n\n"
                    "You can still browse, confirm, export and delete saved observations. "
                    "Reinstalling Iris Field restores the model."
                ).format(reason=sentence(self._model_problem))
            )
        if self._classifier is not None and self._model_description:
            self._model_label.setText(self._model_description)
            self._model_label.setToolTip(str(self._classifier.model_path))
        elif self._classifier is not None:
            card = self._classifier.card
            self._model_label.setText(
                self.tr("Model {name} v{version} ({alias})").format(
                    name=card.model_name, version=card.model_version, alias=card.alias
                )
            )
            self._model_label.setToolTip(str(self._classifier.model_path))
        else:
            self._model_label.setText(self.tr("No model loaded"))
        if self._store is not None:
            folder = self._store.path.parent
            self._data_label.setText(self.tr("Data: {folder}").format(folder=_short_path(folder)))
            self._data_label.setToolTip(str(folder))
        self._update_counts()


def _local_or_as_written(moment: str, locale: QLocale) -> str:
    """Return an ISO time from the model card in local time, or as written if it is not one."""
    try:
        return local_time(moment, locale)
    except ValueError:
        return moment


def _short_path(path: Path) -> str:
    """Return ``path`` with the home folder written as ~ (the full path is in the tooltip)."""
    try:
        return "~/" + path.relative_to(Path.home()).as_posix()
    except ValueError:
        return str(path)
