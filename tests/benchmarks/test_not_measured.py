"""A section whose server never becomes ready reports its rows as not measured, with the reason."""

import contextlib
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks import sync
from benchmarks.context import Context


@contextlib.contextmanager
def refusing_server(folder: Path, **_: object) -> Iterator[str]:
    """Yield the URL of a loopback port nothing listens on: every request is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    yield f"http://127.0.0.1:{port}"


def test_a_server_that_never_answers_leaves_every_sync_row_not_measured_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sync, "mlflow_server", refusing_server)
    section = sync.run(Context(quick=True, work=tmp_path))
    assert section.error == ""
    reasons = {f.name: f.skipped for f in section.figures}
    assert set(sync.LINK_NAMES) <= set(reasons)
    measured_rows = [name for name in reasons if "PostgreSQL" not in name]
    assert len(measured_rows) == 5
    for name in measured_rows:
        assert reasons[name].startswith("not measured: the untimed warm-up round failed 5 times"), name
        assert "synced 0 of 2" in reasons[name], name
