"""produced_ahead: a background thread produces the items; whatever ends them ends both sides."""

import threading
from collections.abc import Iterator

import pytest

from desktop.prefetch import produced_ahead


class Source:
    """Numbers 0..n-1 yielded on another thread, noting how far it got and whether it was closed."""

    def __init__(self, n: int, fail_at: int | None = None):
        self.n, self.fail_at = n, fail_at
        self.made: list[int] = []
        self.closed = False
        self.threads: set[str] = set()

    def __iter__(self) -> Iterator[int]:
        try:
            for i in range(self.n):
                self.threads.add(threading.current_thread().name)
                if i == self.fail_at:
                    raise ValueError(f"bad row {i}")
                self.made.append(i)
                yield i
        finally:
            self.closed = True


def producer_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "produced-ahead"]


def test_every_item_arrives_in_order_made_on_another_thread() -> None:
    source = Source(50)
    assert list(produced_ahead(source, depth=2)) == list(range(50))
    assert source.closed
    assert threading.current_thread().name not in source.threads
    assert not producer_threads()


def test_the_producer_stays_at_most_depth_items_ahead() -> None:
    source = Source(50)
    items = produced_ahead(source, depth=1)
    assert next(items) == 0
    for _ in range(20):  # however long the caller takes, the thread waits with one item ready
        threading.Event().wait(0.005)
    assert len(source.made) <= 3  # the one taken, the one queued, the one waiting to be put
    items.close()
    assert not producer_threads()


def test_an_exception_in_the_producer_is_raised_to_the_caller_after_the_items_before_it() -> None:
    source = Source(50, fail_at=7)
    got: list[int] = []
    with pytest.raises(ValueError, match="bad row 7"):
        for item in produced_ahead(source):
            got.append(item)
    assert got == list(range(7))
    assert source.closed
    assert not producer_threads()


def test_a_caller_that_fails_stops_the_producer_and_closes_the_source() -> None:
    source = Source(1_000_000)
    with pytest.raises(RuntimeError, match="disk full"):
        for item in produced_ahead(source, depth=2):
            if item == 3:
                raise RuntimeError("disk full")
    assert not producer_threads()
    assert source.closed
    assert len(source.made) < 10
