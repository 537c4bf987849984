"""No accidental saves: the starting values, the same flower twice, and a history that is read-only."""

import sqlite3
from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from desktop.store import ObservationStore
from desktop.ui.qt_main_window import MainWindow

SETOSA = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}


def test_a_fresh_windows_starting_values_are_not_saved_until_touched(window: MainWindow) -> None:
    window.save_action.trigger()
    assert window.store.list() == []
    assert "starting values are not a measured flower" in window.save_form.status.text()
    window.measurements.set_values(SETOSA)
    window.save_action.trigger()
    assert len(window.store.list()) == 1


def test_saving_unchanged_measurements_again_asks_first(window: MainWindow) -> None:
    window.measurements.set_values(SETOSA)
    window.save_action.trigger()
    window.save_action.trigger()
    box = window.duplicate_question
    assert "already saved" in box.text()
    box.reject()
    assert len(window.store.list()) == 1, "Cancel (the default) saves nothing"
    window.save_action.trigger()
    again = window.duplicate_question
    next(b for b in again.buttons() if b.text() == "Save again").click()
    assert len(window.store.list()) == 2
    window.measurements.set_values({"petal_width": 0.3})
    window.save_action.trigger()
    assert len(window.store.list()) == 3, "other measurements save without a question"


def make_history(iris_home: Path) -> Path:
    with ObservationStore.open() as store:
        from tests.desktop.test_history_salvage import observation

        store.add_many([observation(i) for i in range(3)])
        return store.path


def test_a_read_only_history_is_browsable_and_says_why_saving_is_off(open_window, iris_home: Path) -> None:
    path = make_history(iris_home)
    path.chmod(0o444)
    window = open_window()
    assert window.history.model.rowCount() == 3
    assert not window.save_action.isEnabled()
    assert f"Saving is off: the history file {path} is read-only" in window.read_only_notice.text()
    assert window.findChildren(QMessageBox) == []


def test_a_read_only_folder_with_a_log_not_yet_merged_shows_every_observation(
    iris_home: Path, tmp_path: Path
) -> None:
    path = make_history(iris_home)
    db = sqlite3.connect(path)  # keep the log: the last observations live only in the -wal file
    db.execute("PRAGMA wal_autocheckpoint = 0")
    db.execute("UPDATE observations SET note = 'in the log only'")
    db.commit()
    assert path.with_name(path.name + "-wal").stat().st_size > 0
    iris_home.chmod(0o555)
    try:
        with ObservationStore.open(path) as store:
            assert {o.note for o in store.list()} == {"in the log only"}
            assert store.read_only_reason == f"the folder {iris_home} is read-only"
            out = tmp_path / "export.csv"
            from desktop.tables.observation_csv import export_history

            export_history(store.list(), out)
            assert out.read_text(encoding="utf-8-sig").count("in the log only") == 3
    finally:
        iris_home.chmod(0o755)
        db.close()


def test_a_stale_read_only_shm_and_wal_do_not_stop_saving(iris_home: Path) -> None:
    path = make_history(iris_home)
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_autocheckpoint = 0")
    db.execute("UPDATE observations SET note = 'logged'")
    db.commit()
    import shutil

    for suffix in ("-wal", "-shm"):
        shutil.copyfile(path.with_name(path.name + suffix), iris_home / f"keep{suffix}")
    db.close()
    for suffix in ("-wal", "-shm"):  # as left behind by a crashed copy with other permissions
        companion = path.with_name(path.name + suffix)
        shutil.copyfile(iris_home / f"keep{suffix}", companion)
        companion.chmod(0o444)
    with ObservationStore.open(path) as store:
        assert store.read_only_reason == ""
        from tests.desktop.test_history_salvage import observation

        store.add(observation(50))
        assert len(store.list()) == 4
        assert {o.note for o in store.list()[1:]} == {"logged"}


def test_the_read_only_notice_is_german_in_a_german_window(
    open_window, translations, iris_home: Path
) -> None:
    from desktop.settings import Settings

    path = make_history(iris_home)
    path.chmod(0o444)
    translations.apply("de")
    window = open_window(Settings(language="de"))
    assert f"Speichern ist ausgeschaltet: die Verlaufsdatei {path} ist schreibgeschützt" in (
        window.read_only_notice.text()
    )
