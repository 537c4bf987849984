"""The connections of threads that work on one repair: the first failure stops what the others do.

A repair rebuilds indexes on one thread while another checks every record or builds the search index
(``page_repair``); the repair fails if either does. Without this, the other thread's work runs on to
its end (a search index of a gigabyte: 13 s) before the history is saved row by row anyway. SQLite's
``sqlite3_interrupt`` stops a connection's running statement from any thread
(https://www.sqlite.org/c3ref/interrupt.html); it does nothing between statements, so a thread also
calls ``check`` before each long one.
"""

from __future__ import annotations

import sqlite3
import threading


class Interrupting:
    """Connections that a failure on any of them interrupts (``stop``)."""

    def __init__(self) -> None:
        """Start with no connection, nothing stopped."""
        self._lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        self._stopped = False

    def opened(self, db: sqlite3.Connection) -> None:
        """Take ``db`` in: a later ``stop`` interrupts it (at once, if stopped already)."""
        with self._lock:
            self._connections.append(db)
            if self._stopped:
                db.interrupt()

    def closed(self, db: sqlite3.Connection) -> None:
        """Let ``db`` go before it is closed."""
        with self._lock:
            if db in self._connections:
                self._connections.remove(db)

    def stop(self) -> None:
        """Interrupt the statement each connection runs, and every one asked for after."""
        with self._lock:
            self._stopped = True
            for db in self._connections:
                db.interrupt()

    def check(self) -> None:
        """Raise ``sqlite3.OperationalError`` ("interrupted") if another thread failed."""
        if self._stopped:
            raise sqlite3.OperationalError("interrupted")
