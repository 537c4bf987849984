"""A damaged history is salvaged: every readable observation in a fresh file, the damaged one kept."""

import os
import signal
import sqlite3
import subprocess
import sys
import uuid
from dataclasses import replace
from pathlib import Path

import pytest

from desktop.cli import main as cli
from desktop.errors import StoreError
from desktop.history.observation import Observation
from desktop.history.queries import HistoryQuery
from desktop.history.schema import SEARCH_WORDS
from desktop.history.store import ObservationStore

PAGE = 4096
COUNT = 200


def observation(i: int) -> Observation:
    created = f"2026-05-01T09:{i // 60:02d}:{i % 60:02d}.000000+00:00"
    return Observation(
        id=str(uuid.uuid4()),
        created_at=created,
        updated_at=created,
        measurements={
            "sepal_length": 5.0 + i / 100,
            "sepal_width": 3.5,
            "petal_length": 1.4,
            "petal_width": 0.2,
        },
        probabilities={"setosa": 0.97, "versicolor": 0.02, "virginica": 0.01},
        predicted_species="setosa",
        confidence=0.97,
        unusual=(),
        model_name="iris-classifier",
        model_version="1",
        model_sha256="ab" * 32,
        note=f"flower {i} " + "x" * 300,  # a few observations per page, so a bad page costs a few
    )


@pytest.fixture
def history(iris_home: Path) -> tuple[Path, list[Observation]]:
    """Save a checkpointed history of 200 observations, one of them synced, closed and ready to damage."""
    return saved_history(COUNT)


def saved_history(count: int) -> tuple[Path, list[Observation]]:
    """Save a checkpointed history of ``count`` observations, the last one synced; return it and them."""
    saved = [observation(i) for i in range(count)]
    with ObservationStore.open() as store:
        store.add_many(saved)
        with store.transaction() as db:
            db.execute(
                "INSERT INTO sync_outbox (observation_id, stage, run_id, changed_at) "
                "VALUES (?, 'synced', 'r1', ?)",
                (saved[-1].id, saved[-1].created_at),
            )
        path = store.path
    saved[-1] = replace(saved[-1], sync_state="synced")  # what its row shows, read from the outbox
    checkpointed(path)
    return path, saved


def checkpointed(path: Path) -> Path:
    """Move the history's log into its file (closed), so that damage to the file is damage to the history."""
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path


def many_saved(count: int) -> Path:
    """Save ``count`` observations in a new history, checkpointed and closed; return its path."""
    with ObservationStore.open() as store:
        store.add_many([observation(i) for i in range(count)])
        return checkpointed(store.path)


def damaged(path: Path, edit) -> bytes:
    """Apply ``edit`` to the history file's bytes in place; return what the file now holds."""
    data = bytearray(path.read_bytes())
    edit(data)
    path.write_bytes(bytes(data))
    return bytes(data)


def damaged_copies(path: Path) -> list[Path]:
    return sorted(path.parent.glob(path.name + ".corrupt-*[!lm]"))


def assert_salvaged(path: Path, saved: list[Observation], damaged_bytes: bytes) -> ObservationStore:
    store = ObservationStore.open(path)
    report = store.salvaged
    assert report is not None
    (aside,) = damaged_copies(path)
    assert aside == report.aside and aside.read_bytes() == damaged_bytes, "the damaged file is kept untouched"
    recovered = store.list(include_deleted=True)
    originals = {o.id: o for o in saved}
    assert len(recovered) == report.recovered
    assert all(originals[o.id] == o for o in recovered), "recovered observations are exactly as saved"
    if report.lost is not None:
        assert report.recovered + report.lost == len(saved)
    assert words_of_rows(path) == indexed_words_of_rows(path), "the search index holds each row's words"
    assert integrity(path) == [("ok",)], "every index holds exactly its table's rows"
    return store


def integrity(path: Path) -> list[tuple[str]]:
    """Return SQLite's full check of the history (every index against its table's rows)."""
    db = sqlite3.connect(path)
    try:
        return db.execute("PRAGMA integrity_check").fetchall()
    finally:
        db.close()


def words_of_rows(path: Path) -> list[tuple[str, int, int]]:
    """Return (trigram, row id, offset) of every observation's words, as a fresh search index finds them."""
    db = sqlite3.connect(path)
    try:
        create = "SELECT sql FROM sqlite_master WHERE name = 'observations_search'"
        db.execute(db.execute(create).fetchone()[0].replace("observations_search", "temp.fresh", 1))
        words = SEARCH_WORDS.format(row="o")
        db.execute(f"INSERT INTO fresh (rowid, words) SELECT o.rowid, {words} FROM observations o")
        db.execute("CREATE VIRTUAL TABLE temp.fresh_words USING fts5vocab(temp, fresh, 'instance')")
        return sorted(db.execute("SELECT term, doc, offset FROM fresh_words"))
    finally:
        db.close()


def indexed_words_of_rows(path: Path) -> list[tuple[str, int, int]]:
    """Return (trigram, row id, offset) the history's search index holds for the rows it has.

    Words of rows that are gone may stay (a search joins row ids to the table): they are left out here.
    """
    db = sqlite3.connect(path)
    try:
        db.execute("CREATE VIRTUAL TABLE temp.words USING fts5vocab(main, observations_search, 'instance')")
        found = "SELECT term, doc, offset FROM words WHERE doc IN (SELECT rowid FROM observations)"
        return sorted(db.execute(found))
    finally:
        db.close()


def test_a_damaged_page_costs_only_the_observations_on_it(history) -> None:
    path, saved = history
    data = bytearray(path.read_bytes())
    page = data.index(b"flower 100 ") // PAGE  # a page of the observations table itself
    data[page * PAGE : (page + 1) * PAGE] = b"\xff" * PAGE
    path.write_bytes(bytes(data))
    with assert_salvaged(path, saved, bytes(data)) as store:
        assert 0 < store.salvaged.lost < 20
        assert store.salvaged.recovered > COUNT - 20
        assert f"{store.salvaged.lost} could not be read" in store.salvaged.sentence()


def test_a_record_with_garbage_in_its_stored_json_costs_that_record_only(history) -> None:
    path, saved = history
    damaged = garbled(path, saved[7].id, "measurements = '{\"sepal_length\": 5.1,'")
    with assert_salvaged(path, saved, damaged) as store:
        assert (store.salvaged.recovered, store.salvaged.lost) == (COUNT - 1, 1)
        assert store.get(saved[7].id) is None
        assert [o.id for o in store.list("flower 142")] == [saved[142].id], "the search index is rebuilt too"
        assert store.salvaged.sentence() == (
            f"199 observations were recovered from a damaged history (1 could not be read); "
            f"the original is kept as {store.salvaged.aside}"
        )


def test_a_truncated_file_gives_back_what_it_still_holds(history) -> None:
    path, saved = history
    data = path.read_bytes()[: len(path.read_bytes()) * 2 // 3]
    path.write_bytes(data)
    with assert_salvaged(path, saved, data) as store:
        assert store.salvaged.recovered > 0


def test_a_salvaged_history_is_set_up_as_any_other(history) -> None:
    """Built with its journal in memory and more words gathered at once, it keeps neither setting."""
    path, saved = history
    data = path.read_bytes()[: len(path.read_bytes()) * 2 // 3]
    path.write_bytes(data)
    with assert_salvaged(path, saved, data):
        pass
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    stored = dict(db.execute("SELECT k, v FROM observations_search_config").fetchall())
    assert stored.get("hashsize", 1024 * 1024) == 1024 * 1024, "SQLite's own, as in any other history"
    assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    db.close()
    assert not path.with_name(path.name + ".refilling").exists()


def test_a_file_that_is_no_database_at_all_is_kept_and_a_fresh_history_starts(iris_home: Path) -> None:
    iris_home.mkdir(parents=True)
    path = iris_home / "observations.sqlite3"
    garbage = b"these are someone's field notes, not SQLite" * 100
    path.write_bytes(garbage)
    with ObservationStore.open(path) as store:
        assert store.salvaged.recovered == 0 and store.salvaged.lost is None
        assert store.list() == []
    (aside,) = damaged_copies(path)
    assert aside.read_bytes() == garbage
    for _start in range(2):  # said at every start, not once
        with ObservationStore.open(path) as store:
            assert store.salvaged is not None
            assert store.salvaged.sentence().startswith(
                f"no observation could be recovered from a damaged history; the original is kept as {aside}"
            )
    aside.rename(iris_home.parent / aside.name)  # the botanist dealt with it
    with ObservationStore.open(path) as store:
        assert store.salvaged is None


def test_a_history_truncated_mid_file_gives_back_what_it_holds_and_keeps_the_rest(iris_home: Path) -> None:
    with ObservationStore.open() as store:
        saved = [observation(i) for i in range(2000)]
        store.add_many(saved)
        path = store.path
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    data = path.read_bytes()
    assert len(data) > 2_000_000
    path.write_bytes(data[:1_000_000])
    with assert_salvaged(path, saved, data[:1_000_000]) as store:
        report = store.salvaged
        assert 500 < report.recovered < 2000
        assert report.lost is None, "the end of the table and of its indexes is gone: the count is unknown"
        assert report.sentence().startswith(
            f"{report.recovered} observations were recovered from a damaged history "
            f"(an unknown number could not be read); the original is kept as {report.aside}"
        )


def test_a_wiped_header_is_worked_out_again_and_nothing_is_lost(history) -> None:
    path, saved = history
    data = b"\0" * 100 + path.read_bytes()[100:]
    path.write_bytes(data)
    with assert_salvaged(path, saved, data) as store:
        assert (store.salvaged.recovered, store.salvaged.lost) == (COUNT, 0)
        assert store.get(saved[-1].id).sync_state == "synced", "the sync progress comes back too"


def refill_never_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(*_args, **_kwargs):
        raise AssertionError("a wiped header is repaired, not salvaged row by row")

    monkeypatch.setattr("desktop.history.opening.refill", refused)


def test_a_wiped_header_is_written_again_and_every_other_page_kept_as_it_was(history, monkeypatch) -> None:
    path, saved = history
    data = b"\0" * 100 + path.read_bytes()[100:]
    path.write_bytes(data)
    refill_never_runs(monkeypatch)
    with assert_salvaged(path, saved, data) as store:
        assert (store.salvaged.recovered, store.salvaged.lost) == (COUNT, 0)
        assert [o.id for o in store.list("flower 142")] == [saved[142].id], "the search index is kept"
    repaired = path.read_bytes()
    pages = range(len(data) // PAGE)
    kept = sum(repaired[i * PAGE : (i + 1) * PAGE] == data[i * PAGE : (i + 1) * PAGE] for i in pages)
    assert kept >= len(pages) - 3, (
        "no row was copied: the pages are the file's own (a schema step writes one)"
    )
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    db.close()


def test_a_zeroed_first_page_gets_its_header_and_the_schemas_root_written_again(history, monkeypatch) -> None:
    path, saved = history
    data = b"\0" * PAGE + path.read_bytes()[PAGE:]  # the header and the schema's root: its rows are on leaves
    path.write_bytes(data)
    refill_never_runs(monkeypatch)
    with assert_salvaged(path, saved, data) as store:
        assert (store.salvaged.recovered, store.salvaged.lost) == (COUNT, 0)
        assert [o.id for o in store.list("flower 142")] == [saved[142].id], "the search index is kept"
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    db.close()


def test_a_wiped_header_of_a_history_with_free_pages_lists_them_again(history, monkeypatch) -> None:
    path, saved = history
    db = sqlite3.connect(path)
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("DELETE FROM observations WHERE rowid BETWEEN 20 AND 120 AND id != ?", (saved[-1].id,))
    db.commit()
    free = db.execute("PRAGMA freelist_count").fetchone()[0]
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    assert free > 10
    kept = [o for i, o in enumerate(saved, 1) if not 20 <= i <= 120]
    data = b"\0" * 100 + path.read_bytes()[100:]
    path.write_bytes(data)
    refill_never_runs(monkeypatch)
    with assert_salvaged(path, kept, data) as store:
        assert (store.salvaged.recovered, store.salvaged.lost) == (len(kept), 0)
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert db.execute("PRAGMA freelist_count").fetchone()[0] == free, "every free page is listed again"
    db.close()


def test_a_repaired_header_still_leaves_out_a_record_that_does_not_decode(history, monkeypatch) -> None:
    path, saved = history
    db = sqlite3.connect(path)
    db.execute(
        'UPDATE observations SET measurements = \'{"sepal_length": "5.1"}\' WHERE id = ?', (saved[7].id,)
    )
    db.commit()
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    data = b"\0" * 100 + path.read_bytes()[100:]
    path.write_bytes(data)
    refill_never_runs(monkeypatch)
    with assert_salvaged(path, saved, data) as store:
        assert (store.salvaged.recovered, store.salvaged.lost) == (COUNT - 1, 1)
        found = {o.id for o in store.list("flower", limit=COUNT + 1)}
        assert found == {o.id for o in saved} - {saved[7].id}, "its words left the search index with it"


def test_garbage_in_the_headers_schema_format_is_damage_not_a_file_it_cannot_open(history) -> None:
    """SQLite calls such a file an "unsupported file format": this program's histories are all format 4."""
    path, saved = history
    data = damaged(path, lambda data: data.__setitem__(slice(44, 48), b"\x9c\x13\xa7\x51"))
    with assert_salvaged(path, saved, data) as store:
        assert store.salvaged.recovered == COUNT


def test_a_wiped_header_with_damage_beyond_it_is_salvaged_page_by_page(history) -> None:
    path, saved = history
    data = bytearray(path.read_bytes())
    page = data.index(b"flower 100 ") // PAGE
    data[page * PAGE : (page + 1) * PAGE] = b"\xff" * PAGE
    data[:100] = b"\0" * 100
    path.write_bytes(bytes(data))
    with assert_salvaged(path, saved, bytes(data)) as store:
        assert 0 < store.salvaged.lost < 20
    assert not list(path.parent.glob("*.repairing*")), "the copy that could not be repaired is gone"


def test_a_wiped_schema_page_still_gives_back_every_observation_by_its_shape(history) -> None:
    path, saved = history
    data = bytearray(path.read_bytes())
    data[:PAGE] = b"\0" * PAGE  # header and the table of tables: no root page is known
    path.write_bytes(bytes(data))
    with assert_salvaged(path, saved, bytes(data)) as store:
        assert store.salvaged.recovered == COUNT


def test_a_table_whose_name_the_damage_changed_is_left_out_and_the_rest_copied(history) -> None:
    """Its schema row names a table no history has (its CREATE statement still makes ``sync_lease``)."""
    path, saved = history

    def rename(data: bytearray) -> None:
        data[data.index(b"tablesync_leasesync_lease") + 14] = 0x01  # the name: "sync_leas\x01"

    data = damaged(path, rename)
    with assert_salvaged(path, saved, data) as store:
        assert store.salvaged.recovered == COUNT


def test_a_column_name_the_damage_changed_is_damage_and_every_observation_comes_back(history) -> None:
    """SQLite still reads the CREATE statement; every query naming the column would fail instead."""
    path, saved = history

    def rename(data: bytearray) -> None:  # in the observations' CREATE statement, on a schema page
        data[data.index(b"model_sha256 ") + 11] = ord("X")

    data = damaged(path, rename)
    with assert_salvaged(path, saved, data) as store:
        assert store.salvaged.recovered == COUNT


def test_a_salvage_cut_short_is_taken_up_again_at_the_next_start(history) -> None:
    path, saved = history
    data = path.read_bytes()[: PAGE * 40]
    path.write_bytes(data)
    from desktop.history.salvage import begin_record, move_aside

    aside = move_aside(path)  # as a salvage killed right after its first step leaves it
    begin_record(path, aside)
    with ObservationStore.open(path) as store:
        assert store.salvaged is not None and store.salvaged.recovered > 0
        first = store.salvaged.recovered
    with ObservationStore.open(path) as store:
        assert store.salvaged is None, "told once, when it finished"
        assert len(store.list(include_deleted=True)) == first


def test_a_salvage_killed_while_it_builds_leaves_no_history_half_built(iris_home: Path) -> None:
    """The new history is built beside the damaged one's path and renamed into place only when finished."""
    path = many_saved(8_000)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 6 // 10 // PAGE * PAGE])
    building = path.with_name(path.name + ".refilling")
    child = subprocess.Popen(
        [sys.executable, "-m", "desktop", "history"],
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "IRIS_FIELD_HOME": str(iris_home)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    while child.poll() is None and not building.exists():
        pass
    child.kill()
    assert child.wait() == -signal.SIGKILL, "killed while the new history was being built"
    assert not path.exists(), "no half-built history where the history belongs"
    (aside,) = damaged_copies(path)

    with ObservationStore.open(path) as store:
        assert store.salvaged is not None and store.salvaged.aside == aside, "begun again from the start"
        recovered = store.list(include_deleted=True, limit=None)
        assert 2_000 < store.salvaged.recovered == len(recovered) < 8_000
        assert store.count_matching(HistoryQuery(text="flower")) == len(recovered), "all in the search index"
    assert not building.exists() and damaged_copies(path) == [aside]


def test_a_salvage_that_cannot_finish_says_so_at_every_start(history) -> None:
    path, saved = history
    data = bytearray(path.read_bytes())
    data[PAGE * 5 : PAGE * 6] = b"\xff" * PAGE
    path.write_bytes(bytes(data))
    resource = pytest.importorskip("resource")  # POSIX only

    def small_files_only() -> None:  # the kernel refuses writes past 64 kB: EFBIG, as a full disk does
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (64_000, 64_000))

    for _start in range(2):
        result = iris_command(path.parent, "history", preexec_fn=small_files_only)
        assert result.returncode != 0
        assert "is damaged; it was moved aside to observations.sqlite3.corrupt-" in result.stderr
        assert "could not be copied into a new history" in result.stderr
        assert "Traceback" not in result.stderr
    assert len(damaged_copies(path)) == 1, "the damaged file is moved aside once and kept"
    result = iris_command(path.parent, "history")  # room again: the salvage is taken up and finishes
    assert result.returncode == 0, result.stderr
    assert "observations were recovered from a damaged history" in result.stderr
    with ObservationStore.open(path) as store:
        assert store.salvaged is None
        assert COUNT - 20 < len(store.list(include_deleted=True)) <= COUNT


def iris_command(home: Path, *args: str, preexec_fn=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "desktop", *args],
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "IRIS_FIELD_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=preexec_fn,  # noqa: PLW1509 (the fault must be in the child only)
    )


def test_the_self_test_tells_a_salvage_that_found_nothing(iris_home: Path, capsys) -> None:
    iris_home.mkdir(parents=True)
    path = iris_home / "observations.sqlite3"
    path.write_bytes(b"not a history" * 1000)
    ObservationStore.open(path).close()
    assert cli.run(["--self-test"]) == 1
    out = capsys.readouterr().out
    assert "no observation could be recovered from a damaged history" in out
    assert "sound: 0" not in out


def test_sync_progress_of_recovered_observations_is_kept(history) -> None:
    path, saved = history
    db = sqlite3.connect(path)
    db.execute("UPDATE observations SET unusual = 'not json' WHERE id = ?", (saved[0].id,))
    db.commit()
    db.close()
    with ObservationStore.open(path) as store:
        row = (
            store.connect()
            .execute("SELECT stage, run_id FROM sync_outbox WHERE observation_id = ?", (saved[-1].id,))
            .fetchone()
        )
    assert tuple(row) == ("synced", "r1"), "a synced observation must not be synced twice"


def test_the_command_line_lists_what_was_salvaged_and_says_so(history, capsys) -> None:
    path, saved = history
    db = sqlite3.connect(path)
    db.execute("UPDATE observations SET probabilities = 'garbage' WHERE id = ?", (saved[3].id,))
    db.commit()
    db.close()
    assert cli.run(["history", "--json"]) == 0
    captured = capsys.readouterr()
    assert "199 observations were recovered" in captured.err
    assert "Traceback" not in captured.err and "JSONDecodeError" not in captured.err
    assert captured.out.count('"id"') == COUNT - 1


def test_self_test_checks_the_real_history_and_fails_on_damage(history, capsys) -> None:
    path, saved = history
    assert cli.run(["--self-test"]) == 0
    db = sqlite3.connect(path)
    db.execute("UPDATE observations SET measurements = '[' WHERE id = ?", (saved[1].id,))
    db.commit()
    db.close()
    assert cli.run(["--self-test"]) != 0
    out = capsys.readouterr().out
    assert "FAIL" in out and "1 record" in out
    assert path.exists() and not damaged_copies(path), "the self-test only looks; it never moves the file"


def test_an_edited_record_still_decodes_unchanged(history) -> None:
    path, saved = history
    with ObservationStore.open(path) as store:
        store.set_note(saved[2].id, "checked")
        assert store.salvaged is None
        assert store.get(saved[2].id) == replace(
            saved[2], note="checked", updated_at=store.get(saved[2].id).updated_at
        )


def test_self_test_checks_a_read_only_history_too(history, capsys) -> None:
    path, _saved = history
    path.parent.chmod(0o555)
    try:
        assert cli.run(["--self-test"]) == 1, "no save can succeed there"
    finally:
        path.parent.chmod(0o755)
    out = capsys.readouterr().out
    assert f"{COUNT} observation(s) in {path}, integrity ok" in out
    assert f"FAIL  this machine's history takes a save: nothing can be saved: the folder {path.parent}" in out


def test_a_deleted_observation_stays_in_recently_deleted_with_when_it_was_deleted(history) -> None:
    path, saved = history
    with ObservationStore.open(path) as store:
        store.delete(saved[3].id)
        (before,) = store.recently_deleted()
    db = sqlite3.connect(path)
    db.execute("UPDATE observations SET measurements = 'garbage' WHERE id = ?", (saved[9].id,))
    db.commit()
    db.close()
    with ObservationStore.open(path) as store:
        assert store.salvaged is not None
        assert store.recently_deleted() == [before]


def test_the_command_line_salvages_a_truncated_history_within_a_gigabyte_of_memory(iris_home: Path) -> None:
    resource = pytest.importorskip("resource")  # POSIX only
    path = many_saved(2000)
    path.write_bytes(path.read_bytes()[:1_000_000])

    def one_gigabyte() -> None:  # the scan this replaced grew to 20 GB on this very file
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    result = iris_command(iris_home, "history", "--search", "flower 3", preexec_fn=one_gigabyte)

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr
    (aside,) = damaged_copies(path)
    assert (
        f"observations were recovered from a damaged history (an unknown number could not be read); "
        f"the original is kept as {aside}" in result.stderr
    )
    assert "flower 3 " in result.stdout


def test_observations_still_in_the_write_ahead_log_are_salvaged_too(history) -> None:
    path, saved = history
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_autocheckpoint = 0")  # the notes below live only in the -wal file
    db.execute("UPDATE observations SET note = 'in the log only' WHERE rowid <= 50")
    db.commit()
    wal = path.with_name(path.name + "-wal")
    assert wal.stat().st_size > 0
    data = bytearray(path.read_bytes())
    page = data.index(b"flower 150 ") // PAGE  # a page the log does not hold a newer copy of
    data[page * PAGE : (page + 1) * PAGE] = b"\xff" * PAGE
    path.write_bytes(bytes(data))
    assert wal.stat().st_size > 0
    with ObservationStore.open(path) as store:
        assert store.salvaged is not None and COUNT - 20 < store.salvaged.recovered < COUNT
        notes = [o.note for o in store.list(include_deleted=True)]
        assert notes.count("in the log only") == 50, "the log's newer pages are read, not the file's old ones"
    db.close()


@pytest.mark.parametrize("seed", range(8))
def test_random_damage_never_stops_a_salvage(history, seed: int) -> None:
    import random

    path, saved = history
    rng = random.Random(seed)
    data = bytearray(path.read_bytes())
    for _ in range(40 if seed % 2 else 400):  # spans of garbage, or single flipped bytes
        at = rng.randrange(len(data) - 64)
        width = 64 if seed % 2 else 1
        data[at : at + width] = rng.randbytes(width)
    path.write_bytes(bytes(data))
    with ObservationStore.open(path) as store:
        report = store.salvaged
        if report is not None:
            (aside,) = damaged_copies(path)
            assert aside.read_bytes() == bytes(data)
            assert report.recovered == len(store.list(include_deleted=True)) <= COUNT
            assert report.lost is None or report.recovered + report.lost <= COUNT + 1
            assert words_of_rows(path) == indexed_words_of_rows(path), "the search finds each row"


@pytest.mark.parametrize("beyond_the_header", [False, True], ids=["header-repaired", "salvaged"])
def test_a_note_that_is_not_utf8_costs_that_record_only(history, beyond_the_header: bool) -> None:
    """SQLite copies whole pages but never checks text: such a record is refused, its page's others kept."""
    path, saved = history
    db = sqlite3.connect(path)
    db.execute("UPDATE observations SET note = CAST(x'666c6f77c328' AS TEXT) WHERE id = ?", (saved[42].id,))
    db.commit()
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    data = bytearray(b"\0" * 100 + path.read_bytes()[100:])  # and damage that sends the file to a salvage
    if beyond_the_header:  # a page of other observations lost too: read page by page
        page = data.index(b"flower 150 ") // PAGE
        data[page * PAGE : (page + 1) * PAGE] = b"\xff" * PAGE
    data = bytes(data)
    path.write_bytes(data)
    with assert_salvaged(path, saved, data) as store:
        lost = store.get(saved[150].id) is None
        assert lost == beyond_the_header
        if not beyond_the_header:
            assert (store.salvaged.recovered, store.salvaged.lost) == (COUNT - 1, 1)
        assert store.get(saved[42].id) is None
        assert store.get(saved[43].id) == saved[43], "its neighbours on the page come back"


def test_damage_sqlite_finds_only_while_copying_starts_the_copy_again_page_by_page(
    history, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite ends the whole transaction when it finds damage: then every page is read here instead."""
    from desktop.history import row_copy

    path, saved = history
    data = bytearray(path.read_bytes())
    page = data.index(b"flower 100 ") // PAGE
    pointer = page * PAGE + 8  # the page's first cell pointer, sent into the middle of a record
    data[pointer : pointer + 2] = (int.from_bytes(data[pointer : pointer + 2], "big") + 41).to_bytes(2, "big")
    data[:100] = b"\0" * 100
    path.write_bytes(bytes(data))
    refused = []
    real_copy = row_copy.copy_readable

    def spying_copy(*args, **kwargs):
        try:
            return real_copy(*args, **kwargs)
        except row_copy.ImageRefused:
            refused.append(kwargs["images"])
            raise

    monkeypatch.setattr(
        row_copy.PageJudge, "_verdict", lambda self, image, table: (row_copy.Verdict.SOUND, 0)
    )
    monkeypatch.setattr("desktop.history.refill.copy_readable", spying_copy)
    with assert_salvaged(path, saved, bytes(data)) as store:
        assert refused == [True], "the copy with images was given up, the one without finished"
        assert COUNT - 10 < store.salvaged.recovered < COUNT


def garbled(path: Path, id: str, sql: str) -> bytes:
    """Set a value of observation ``id`` by ``sql`` (as garbage inside its record would); return the file."""
    db = sqlite3.connect(path)
    db.execute(f"UPDATE observations SET {sql} WHERE id = ?", (id,))
    db.commit()
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path.read_bytes()


def not_utf8_note(path: Path, id: str) -> None:
    """Store a note whose bytes are not UTF-8: damage inside a record, which SQLite's checks never see."""
    db = sqlite3.connect(path)
    db.execute("UPDATE observations SET note = CAST(x'666c6f77c328' AS TEXT) WHERE id = ?", (id,))
    db.commit()
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def test_a_text_a_read_finds_not_utf8_is_said_and_the_history_salvaged_at_the_next_start(history) -> None:
    path, saved = history
    not_utf8_note(path, saved[42].id)
    words = "is damaged: a saved observation cannot be read; start Iris Field again to recover every"
    with ObservationStore.open(path) as store, pytest.raises(StoreError, match=words):  # its checks pass
        store.list()
    with ObservationStore.open(path) as store:
        assert (store.salvaged.recovered, store.salvaged.lost) == (COUNT - 1, 1)
        assert store.get(saved[42].id) is None and store.get(saved[43].id) == saved[43]
    with ObservationStore.open(path) as store:
        assert store.salvaged is None, "said once: the history is sound again"


def test_the_command_line_says_a_text_that_is_not_utf8_in_one_sentence_then_recovers_the_rest(
    history, capsys
) -> None:
    path, saved = history
    not_utf8_note(path, saved[42].id)
    assert cli.run(["history"]) != 0
    err = capsys.readouterr().err
    assert "is damaged: a saved observation cannot be read; start Iris Field again to recover" in err
    assert "internal error" not in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert cli.run(["history", "--json"]) == 0
    captured = capsys.readouterr()
    assert "199 observations were recovered from a damaged history (1 could not be read)" in captured.err
    assert captured.out.count('"id"') == COUNT - 1


def refilled_row_by_row(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Record each salvage row by row (what ``refill`` returned); the list fills as salvages happen."""
    from desktop.history import opening

    runs: list[object] = []

    def recorded(*args, **kwargs):
        runs.append(real(*args, **kwargs))
        return runs[-1]

    real = opening.refill
    monkeypatch.setattr(opening, "refill", recorded)
    return runs


def test_rows_of_a_page_no_tree_reaches_that_repeat_kept_rows_are_skipped_and_the_search_finds_the_rest(
    history, monkeypatch
) -> None:
    """An old copy of a page (no tree reaches it) repeats rows: they are skipped, one changed row kept.

    The search index holds every kept row's words under its row id, and no other row's.
    """
    path, saved = history
    data = bytearray(path.read_bytes())
    page = data.index(b"flower 100 ") // PAGE
    old_copy = bytes(data[page * PAGE : (page + 1) * PAGE])
    last = max(i for i in range(COUNT) if f"flower {i} ".encode() in old_copy)  # not the page's first row
    changed = str(uuid.uuid4())
    old_copy = old_copy.replace(saved[last].id.encode(), changed.encode())
    db = sqlite3.connect(path)
    (outbox_root,) = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'sync_outbox'").fetchone()
    db.close()
    for root in (2, outbox_root):  # two tables lost their roots: saved row by row, every leaf an orphan
        data[(root - 1) * PAGE : root * PAGE] = b"\xff" * PAGE
    data += old_copy
    path.write_bytes(bytes(data))
    runs = refilled_row_by_row(monkeypatch)
    with ObservationStore.open(path) as store:
        assert len(runs) == 1
        recovered = {o.id: o for o in store.list(include_deleted=True)}
        assert len(recovered) == store.salvaged.recovered == COUNT + 1
        assert recovered[changed].note == saved[last].note and recovered[saved[last].id] == saved[last]
        found = {o.id for o in store.page(HistoryQuery(text=f"flower {last} "), size=50)[0]}
        assert found == {changed, saved[last].id}
    assert words_of_rows(path) == indexed_words_of_rows(path)


def test_a_search_index_that_cannot_be_built_beside_is_built_in_the_history(history, monkeypatch) -> None:
    """A folder where the salvage builds the search index beside: it is built in the history instead."""
    path, saved = history
    data = path.read_bytes()[: len(path.read_bytes()) * 2 // 3]
    path.write_bytes(data)
    (path.parent / (path.name + ".refilling.search")).mkdir()
    runs = refilled_row_by_row(monkeypatch)
    with assert_salvaged(path, saved, data) as store:
        assert len(runs) == 1 and 0 < store.salvaged.recovered < COUNT
        kept = store.list(include_deleted=True)[0]
        assert [o.id for o in store.page(HistoryQuery(text=kept.note[:12]), size=50)[0]] == [kept.id]


def test_the_indexes_of_a_history_saved_row_by_row_are_built_once_the_rows_are_in(history, tmp_path) -> None:
    """Each index is there, whole, and answers: by species, by sync state, newest first."""
    path, saved = history
    data = path.read_bytes()[: len(path.read_bytes()) * 2 // 3]
    path.write_bytes(data)
    with assert_salvaged(path, saved, data) as store:
        recovered = store.list(include_deleted=True)
        assert store.count_matching(HistoryQuery(species="setosa")) == len(recovered)
        assert sum(store.counts().values()) == len(recovered)
        newest_first = sorted(recovered, key=lambda o: o.created_at, reverse=True)
        assert [o.id for o in store.list()] == [o.id for o in newest_first]
    with ObservationStore.open(tmp_path / "new.sqlite3") as new:
        expected = {
            tuple(row) for row in new._db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'")
        }
    db = sqlite3.connect(path)
    assert set(db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'")) == expected
    db.close()
