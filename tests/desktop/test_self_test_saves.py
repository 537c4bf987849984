"""`--self-test` tries a save to the real history (rolled back) and fails wherever a save would fail."""

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.cli import main as cli
from desktop.store import ObservationStore
from tests.desktop.cli.test_cli import ROOT
from tests.desktop.test_history_salvage import observation


@pytest.fixture
def history(iris_home: Path) -> Path:
    """Return a real history of three observations, closed."""
    with ObservationStore.open() as store:
        store.add_many([observation(i) for i in range(3)])
        return store.path


def self_test(capsys) -> tuple[int, str]:
    code = cli.run(["--self-test"])
    return code, capsys.readouterr().out


def save_line(out: str) -> str:
    return next(line for line in out.splitlines() if "history takes a save" in line)


def test_a_writable_history_passes_and_the_trial_save_leaves_nothing_behind(history: Path, capsys) -> None:
    before = history.read_bytes()
    code, out = self_test(capsys)
    assert code == 0, out
    assert save_line(out).startswith("ok") and "written and rolled back" in save_line(out)
    with ObservationStore.open(history) as store:
        assert len(store.list(include_deleted=True)) == 3
    db = sqlite3.connect(history)
    assert db.execute(
        "SELECT COUNT(*) FROM observations WHERE predicted_species = 'self-test'"
    ).fetchone() == (0,)
    db.close()
    assert not list(history.parent.glob(".iris-save-probe-*"))
    assert len(history.read_bytes()) == len(before)


def test_a_read_only_history_file_fails_the_self_test(history: Path, capsys) -> None:
    history.chmod(0o444)
    code, out = self_test(capsys)
    assert code == 1
    assert save_line(out).startswith("FAIL") and f"the history file {history} is read-only" in save_line(out)
    assert "integrity ok" in out, "the history itself is sound and says so"


def test_a_read_only_folder_fails_the_self_test(history: Path, capsys) -> None:
    history.parent.chmod(0o555)
    try:
        code, out = self_test(capsys)
    finally:
        history.parent.chmod(0o755)
    assert code == 1
    assert f"the folder {history.parent} is read-only" in save_line(out)


def test_a_read_only_folder_without_a_history_yet_fails_too(iris_home: Path, capsys) -> None:
    iris_home.mkdir()
    iris_home.chmod(0o555)
    try:
        code, out = self_test(capsys)
    finally:
        iris_home.chmod(0o755)
    assert code == 1 and f"the folder {iris_home} is read-only" in save_line(out)


@pytest.mark.parametrize("folder_exists", [True, False])
def test_a_fresh_machine_passes_and_nothing_is_created(iris_home: Path, capsys, folder_exists: bool) -> None:
    if folder_exists:
        iris_home.mkdir()
    code, out = self_test(capsys)
    assert code == 0, out
    assert "the first observation can be saved" in save_line(out)
    assert not iris_home.exists() or list(iris_home.iterdir()) == []
    assert not list(iris_home.parent.glob(".iris-save-probe-*"))


def test_a_full_disk_fails_the_self_test(history: Path, iris_home: Path) -> None:
    resource = pytest.importorskip("resource")  # POSIX only

    def small_files_only() -> None:  # the kernel refuses writes past 16 kB: EFBIG, as a full disk does
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (16_000, 16_000))

    result = subprocess.run(
        [sys.executable, "-m", "desktop", "--self-test"],
        cwd=ROOT,
        env={**os.environ, "IRIS_FIELD_HOME": str(iris_home)},
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=small_files_only,  # noqa: PLW1509 (the fault must be in the child only)
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    line = save_line(result.stdout)
    assert line.startswith("FAIL") and "has no room for an observation" in line


def test_a_stale_index_file_that_cannot_be_removed_fails_like_the_window_does(history: Path, capsys) -> None:
    shm = history.with_name(history.name + "-shm")
    shm.mkdir()  # a stale index no unlink can remove
    shm.chmod(0o555)
    try:
        code, out = self_test(capsys)
    finally:
        shm.chmod(0o755)
    assert code == 1
    assert f"the history's index file {shm} is left over from an earlier run and cannot be removed" in (
        save_line(out)
    )
    assert "Traceback" not in out
