"""Only regular files are read or written, links only with --force; exports are the user's documents.

Exports respect the umask and keep spreadsheets from running a note as a formula.
"""

import csv
import os
import stat
import sys
from pathlib import Path

import pytest

from desktop.cli import main as cli
from desktop.store import ObservationStore
from desktop.tables.observation_csv import import_history
from desktop.tables.spreadsheet_text import guarded, unguarded

HEADER = "sepal_length,sepal_width,petal_length,petal_width"
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="devices, FIFOs and umask are POSIX")


def save_one(note: str = "by the stream") -> None:
    args = ["predict", "--save", "--allow-duplicate", f"--note={note}", "5.1", "3.5", "1.4", "0.2"]
    assert cli.run(args) == 0


@posix_only
@pytest.mark.parametrize("command", [["predict", "--csv"], ["history", "import"]])
def test_a_device_is_refused_by_name_without_reading_it(command: list[str], capsys) -> None:
    assert cli.run([*command, "/dev/zero"]) == 2
    assert "/dev/zero is a device, not a file; only regular files are read" in capsys.readouterr().err


@posix_only
@pytest.mark.parametrize("command", [["predict", "--csv"], ["history", "import"]])
def test_a_fifo_is_refused_by_name_without_waiting_for_a_writer(tmp_path: Path, command, capsys) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    assert cli.run([*command, str(fifo)]) == 2
    assert f"{fifo} is a pipe (FIFO), not a file" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["predict", "--csv"], ["history", "import"]])
def test_a_folder_is_refused_by_name(tmp_path: Path, command, capsys) -> None:
    assert cli.run([*command, str(tmp_path)]) == 2
    assert f"{tmp_path} is a folder, not a file" in capsys.readouterr().err


def test_excel_unicode_text_utf16_with_a_bom_and_tabs_is_read_with_a_note(tmp_path: Path, capsys) -> None:
    path = tmp_path / "unicode.txt"
    text = HEADER.replace(",", "\t") + "\tnote\n5.1\t3.5\t1.4\t0.2\tKäfer am Ufer\n"
    path.write_bytes(text.encode("utf-16"))  # BOM first, as Excel writes it
    assert path.read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")
    assert cli.run(["predict", "--csv", str(path), "--save"]) == 0
    captured = capsys.readouterr()
    assert 'is UTF-16 ("Unicode text" of Excel); it was read as such' in captured.err
    assert "setosa" in captured.out
    with ObservationStore.open() as store:
        assert [o.note for o in store.list()] == ["Käfer am Ufer"]


def test_utf16_big_endian_reads_the_same(tmp_path: Path, capsys) -> None:
    path = tmp_path / "unicode-be.txt"
    path.write_bytes(b"\xfe\xff" + (HEADER.replace(",", "\t") + "\n5.1\t3.5\t1.4\t0.2\n").encode("utf-16-be"))
    assert cli.run(["predict", "--csv", str(path)]) == 0
    assert "setosa" in capsys.readouterr().out


# ------------------------------------------------------------------ links
@posix_only
def test_a_link_is_neither_followed_nor_replaced_without_force(tmp_path: Path, capsys) -> None:
    save_one()
    target = tmp_path / "kept.csv"
    target.write_text("someone's spreadsheet\n", encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    assert cli.run(["history", "--csv", str(link)]) == 2
    assert f"{link} is a symbolic link to {target}; add --force" in capsys.readouterr().err
    assert link.is_symlink() and target.read_text(encoding="utf-8") == "someone's spreadsheet\n"


@posix_only
def test_with_force_the_file_a_link_points_to_is_written_and_the_link_stays(tmp_path: Path) -> None:
    save_one()
    target = tmp_path / "kept.csv"
    target.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    assert cli.run(["history", "--csv", str(link), "--force"]) == 0
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text(encoding="utf-8-sig").startswith("id,created_at,")


@posix_only
def test_a_dangling_link_is_not_written_through_without_force(tmp_path: Path, capsys) -> None:
    save_one()
    link = tmp_path / "dangling.csv"
    nowhere = tmp_path / "nowhere.csv"
    link.symlink_to(nowhere)
    assert cli.run(["history", "--csv", str(link)]) == 2
    assert f"{link} is a symbolic link to {nowhere}, which does not exist; add --force" in (
        capsys.readouterr().err
    )
    assert link.is_symlink() and not nowhere.exists()
    assert cli.run(["history", "--csv", str(link), "--force"]) == 0
    assert link.is_symlink() and nowhere.read_text(encoding="utf-8-sig").startswith("id,")


@posix_only
def test_a_link_to_a_device_is_refused_even_with_force(tmp_path: Path, capsys) -> None:
    save_one()
    link = tmp_path / "null.csv"
    link.symlink_to("/dev/null")
    assert cli.run(["history", "--csv", str(link), "--force"]) == 2
    assert "cannot write /dev/null: it is a device, not a regular file" in capsys.readouterr().err
    assert link.is_symlink()


# ------------------------------------------------------------------ modes
@posix_only
@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_an_export_is_created_as_the_umask_says(tmp_path: Path, umask: int, mode: int) -> None:
    save_one()
    out = tmp_path / "export.csv"
    old = os.umask(umask)
    try:
        assert cli.run(["history", "--csv", str(out)]) == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == mode


@posix_only
def test_an_export_over_a_file_keeps_that_files_mode(tmp_path: Path) -> None:
    save_one()
    out = tmp_path / "export.csv"
    out.write_text("old\n", encoding="utf-8")
    out.chmod(0o640)
    assert cli.run(["history", "--csv", str(out), "--force"]) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o640


# ------------------------------------------------------------------ formulas
# The first five are saved as notes (a note is stored stripped: a leading tab would not stay).
FORMULAS = [
    '=HYPERLINK("http://evil","click")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "'=quoted already",
    "\tTAB",
    "''+x",
]


@pytest.mark.parametrize("text", [*FORMULAS, "plain", "'not a formula", "", "5 - 3"])
def test_guarding_a_cell_round_trips_it(text: str) -> None:
    assert unguarded(guarded(text)) == text
    cell = guarded(text)
    assert cell == "" or cell[0] not in "=+-@\t\r"


def test_notes_that_start_like_formulas_are_exported_as_text_and_imported_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for note in FORMULAS[:5]:
        save_one(note)
    assert cli.run(["predict", "--save", "--note=x", "6.3", "2.9", "5.6", "1.8"]) == 0
    with ObservationStore.open() as store:
        ids = [o.id for o in store.list() if o.note != "x"]
        assert len(ids) == 5
        store.set_note(ids[0], "-minus first")
        original = store.list()
    out = tmp_path / "export.csv"
    assert cli.run(["history", "--csv", str(out)]) == 0
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert all(row["note"][0] not in "=+-@\t" for row in rows if row["note"])
    by_id = {o.id: o.note for o in original}
    assert {row["id"]: row["note"] for row in rows} == {i: guarded(n) for i, n in by_id.items()}
    assert rows[1]["note"] == "'-minus first" and any(
        row["note"] == "'=HYPERLINK(" + '"http://evil","click")' for row in rows
    )
    assert all(row["longitude"] == "" for row in rows)
    assert import_history(out) == original
    monkeypatch.setenv("IRIS_FIELD_HOME", str(tmp_path / "other-laptop"))
    assert cli.run(["history", "import", str(out)]) == 0
    with ObservationStore.open() as store:
        assert sorted(o.note for o in store.list()) == sorted(o.note for o in original)


def test_stdout_export_guards_the_same_cells(capsys) -> None:
    save_one("=1+1")
    capsys.readouterr()
    assert cli.run(["history", "--csv", "-"]) == 0
    assert ",'=1+1," in capsys.readouterr().out
