"""Items of an iterator produced by a background thread while the caller uses the ones before.

``predict --csv --save`` reads, predicts and builds the rows of the next chunk while SQLite inserts
the last one (the GIL is free while SQLite runs a statement and while ONNX Runtime predicts); a salvage
finds and judges the next pages of a damaged history while SQLite copies the ones before. The
thread keeps at most ``depth`` items ready, so memory stays flat. Whatever ends the items ends the
iteration for the caller: an exception in the thread is raised to the caller; a caller that stops
(an exception of its own, or ``close``) stops the thread, which closes the source, and waits for it.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class _End:
    """The source is done: exhausted (``error`` None) or raised ``error``."""

    error: BaseException | None


def produced_ahead(items: Iterable[T], depth: int = 1) -> Iterator[T]:
    """Yield ``items`` as a background thread produces them, up to ``depth`` ahead of the caller."""
    ready: queue.Queue[T | _End] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        source = iter(items)
        end = _End(None)
        try:
            for item in source:
                ready.put(item)  # the caller drains the queue when it stops, so this returns
                if stop.is_set():
                    break
        except BaseException as exc:  # handed to the caller, who raises it
            end = _End(exc)
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()
        if not stop.is_set():
            ready.put(end)

    thread = threading.Thread(target=produce, name="produced-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item = ready.get()
            if isinstance(item, _End):
                if item.error is not None:
                    raise item.error
                return
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # free a put the thread is blocked in, until it has seen ``stop``
            try:
                ready.get_nowait()
            except queue.Empty:
                thread.join(0.05)
