"""`predict --csv --save` killed while its transaction is open leaves the history exactly as it was."""

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from desktop.paths import default_db_path
from desktop.store import SEARCH_INSERT_TRIGGER, SYNC_STATE_INSERT_TRIGGER, ObservationStore
from tests.desktop.cli.test_cli import ROOT, SETOSA, iris


def write_flowers(path: Path, count: int) -> None:
    rng = random.Random(count)
    lines = [
        f"{rng.uniform(4.3, 7.9):.1f},{rng.uniform(2.0, 4.4):.1f},{rng.uniform(1.0, 6.9):.1f},"
        f"{rng.uniform(0.1, 2.5):.1f},row {i}"
        for i in range(count)
    ]
    path.write_text("sepal_length,sepal_width,petal_length,petal_width,note\n" + "\n".join(lines) + "\n")


def writing(path: Path) -> bool:
    """Tell whether another connection holds the history's write lock (a save's open transaction)."""
    db = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        db.execute("BEGIN IMMEDIATE")
        db.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        db.close()


def cpu_seconds(pid: int) -> float:
    """Return the CPU time a process has used (Linux /proc; 0 elsewhere: then it is killed at once)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def history(path: Path) -> tuple[list[tuple], list[str]]:
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT * FROM observations ORDER BY rowid").fetchall()
        triggers = [r[0] for r in db.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger'")]
    return rows, sorted(triggers)


def test_a_save_killed_midway_leaves_the_history_as_before(iris_home: Path, tmp_path: Path) -> None:
    assert iris(iris_home, "predict", *SETOSA, "--save", "--note", "kept").returncode == 0
    path = default_db_path()
    before = history(path)
    flowers = tmp_path / "flowers.csv"
    write_flowers(flowers, 200_000)
    child = subprocess.Popen(
        [sys.executable, "-m", "desktop", "predict", "--csv", str(flowers), "--save"],
        cwd=ROOT,
        env={**os.environ, "IRIS_FIELD_HOME": str(iris_home)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while not writing(path):
            assert child.poll() is None, "the save ended before it could be killed"
            time.sleep(0.01)
        # Let it save a few chunks of 20,000 rows into its open transaction (~0.3 s of CPU each here).
        locked_at = cpu_seconds(child.pid)
        while cpu_seconds(child.pid) < locked_at + 1.0 and child.poll() is None:
            time.sleep(0.01)
        assert child.poll() is None, "the save ended before it could be killed"
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait()
    assert child.returncode == -signal.SIGKILL
    assert history(path) == before
    rows, triggers = before
    assert any(SEARCH_INSERT_TRIGGER in t for t in triggers) and any(
        SYNC_STATE_INSERT_TRIGGER in t for t in triggers
    )
    with ObservationStore.open(path) as store:
        assert [o.note for o in store.list("kept")] == ["kept"]
        assert store.list("row") == []
