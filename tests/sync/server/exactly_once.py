"""The one check every server test ends with: each saved observation is on the server exactly once, intact."""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from desktop.history.observation import Observation
from tests.mlflow_test_server import MlflowServer


def assert_exactly_once(
    server: MlflowServer, experiment: str, observations: Iterable[Observation], auth: str | None = None
) -> None:
    """Assert one finished, active run per observation, carrying its measurements, and no other active runs.

    Deleted runs are allowed: MLflow hides them from the lab, and the sync deletes a second run that a
    create whose answer was lost left behind.
    """
    expected = {o.id: o for o in observations}
    runs = [r for r in server.list_runs(experiment, auth=auth) if r.lifecycle_stage == "active"]
    counts = Counter(r.tags.get("observation_id") for r in runs)
    duplicated = {oid: n for oid, n in counts.items() if n > 1}
    missing = set(expected) - set(counts)
    strangers = set(counts) - set(expected)
    assert not duplicated, (
        f"{len(duplicated)} observations have more than one run: {list(duplicated.items())[:5]}"
    )
    assert not missing, f"{len(missing)} observations never arrived"
    assert not strangers, f"runs for unknown observations: {sorted(map(str, strangers))[:5]}"
    for run in runs:
        obs = expected[run.tags["observation_id"]]
        assert run.status == "FINISHED" and run.lifecycle_stage == "active", run
        assert {k: float(v) for k, v in run.params.items()} == obs.measurements


def outbox_stages(db_path: Path) -> Counter[str]:
    """Return how many outbox rows are in each stage, read from the file by a separate connection."""
    with sqlite3.connect(db_path, timeout=30) as db:
        try:
            return Counter(
                dict(db.execute("SELECT stage, COUNT(*) FROM sync_outbox GROUP BY stage").fetchall())
            )
        except sqlite3.OperationalError:  # not migrated yet
            return Counter()
