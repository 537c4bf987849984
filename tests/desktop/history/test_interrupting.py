"""Threads working on one repair: the first failure interrupts what the others' connections run."""

import sqlite3
import threading

import pytest

from desktop.history.interrupting import Interrupting

ENDLESS = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n"


def running_endlessly(db: sqlite3.Connection):
    """Start a statement that never ends on ``db`` in a thread; return it, what it raised, its start."""
    raised: list[BaseException] = []
    started = threading.Event()

    def run() -> None:
        started.set()
        try:
            db.execute(ENDLESS).fetchone()
        except sqlite3.Error as exc:
            raised.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, raised, started


def test_stop_interrupts_a_statement_another_thread_runs() -> None:
    threads = Interrupting()
    db = sqlite3.connect(":memory:", check_same_thread=False)
    threads.opened(db)
    thread, raised, started = running_endlessly(db)
    started.wait()
    while not raised and thread.is_alive():  # until the statement is running, and then stopped
        threads.stop()
        thread.join(0.05)
    assert [str(e) for e in raised] == ["interrupted"]


def test_a_connection_taken_in_after_a_stop_is_interrupted_at_once() -> None:
    threads = Interrupting()
    threads.stop()
    db = sqlite3.connect(":memory:", check_same_thread=False)
    thread, raised, _ = running_endlessly(db)
    while not raised and thread.is_alive():
        threads.opened(db)  # taken in while its statement runs: interrupted then
        threads.closed(db)
        thread.join(0.05)
    assert [str(e) for e in raised] == ["interrupted"]


def test_check_raises_between_statements_once_stopped_and_not_before() -> None:
    threads = Interrupting()
    threads.check()
    threads.stop()
    with pytest.raises(sqlite3.OperationalError, match="interrupted"):
        threads.check()
