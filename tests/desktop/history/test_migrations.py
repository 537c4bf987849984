"""The history runs the schema steps of every owner of its file, in one numbering, as files always had."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.history import migrations
from desktop.history.store import ObservationStore
from desktop.sync import schema as sync_schema

ROOT = Path(__file__).resolve().parents[3]


def test_the_steps_run_in_one_numbering_the_sync_holding_its_own() -> None:
    steps = migrations.schema_steps()
    assert [s.number for s in steps] == list(range(1, migrations.known_version() + 1))
    assert {s.number for s in steps if s.owner == sync_schema.SYNC} == set(sync_schema.SYNC_STEPS)
    assert all(s.owner == migrations.HISTORY for s in steps if s.number not in sync_schema.SYNC_STEPS)


def test_a_new_history_holds_the_sync_tables_and_triggers_as_before(tmp_path: Path) -> None:
    with ObservationStore.open(tmp_path / "h.sqlite3") as store:
        db = store.connect()
        names = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
        version = db.execute("PRAGMA user_version").fetchone()[0]
        db.close()
    assert version == migrations.known_version() == 10  # 8 as before, the extras (9), failures as kinds (10)
    assert {
        "sync_outbox",
        "sync_lease",
        "sync_state_on_enrol",
        "sync_state_on_stage",
        "sync_state_on_save",
    } <= names
    assert {"observations_search", "observations_search_insert", "observations_by_species"} <= names


def test_registering_again_changes_nothing_and_a_taken_number_is_refused() -> None:
    sync_schema.register()
    assert len(migrations.schema_steps()) == migrations.known_version()
    with pytest.raises(ValueError, match="schema step 3 is the sync's"):
        migrations.register_steps("someone else", {3: "CREATE TABLE other (x);"})


_OPEN_WITHOUT_THE_SYNC = """
import sys
from desktop.history.migrations import MissingSchemaStep
from desktop.history.store import ObservationStore
try:
    ObservationStore.open(sys.argv[1])
except MissingSchemaStep as exc:
    print(exc)
"""


def test_a_program_that_forgot_the_sync_is_refused_before_any_step_runs(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    result = subprocess.run(
        [sys.executable, "-c", _OPEN_WITHOUT_THE_SYNC, str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "schema step 3 of the history belongs to the sync" in result.stdout
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0] == 0
    db.close()
    with ObservationStore.open(path) as store:  # this process has the sync: the same file opens
        assert store.counts()
