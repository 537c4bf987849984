"""Leaf pages copied out of a file under a fresh root form a database SQLite reads as it reads the file."""

import sqlite3
from pathlib import Path

import pytest

from desktop.sqlite_image import TABLE, leaf_image, leaves_per_image
from desktop.sqlite_pages import PageFile, PageWalker, Walk, is_plain_leaf


def a_file(tmp_path: Path, rows: list[tuple[object, ...]], page_size: int = 4096) -> Path:
    path = tmp_path / "source.sqlite3"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA page_size = {page_size}")
    db.execute("CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT, c REAL, d BLOB)")
    db.executemany("INSERT INTO t VALUES (?, ?, ?, ?)", rows)
    db.commit()
    db.close()
    return path


def leaves(path: Path) -> tuple[PageFile, list[bytes]]:
    pages = PageFile(path)
    root = sqlite3.connect(path).execute("SELECT rootpage FROM sqlite_master WHERE name = 't'").fetchone()[0]
    return pages, [data for _, data in PageWalker(pages).leaves(root, Walk())]


@pytest.mark.parametrize("page_size", [512, 4096])
def test_an_image_of_a_tables_leaves_gives_back_its_rows_exactly(tmp_path: Path, page_size: int) -> None:
    rows = [(i, f"Kyffhäuser {i} " + "x" * (i % 90), i / 7, bytes([i % 256]) * 5) for i in range(1, 400)]
    pages, found = leaves(a_file(tmp_path, rows, page_size))
    assert len(found) > 1 and all(is_plain_leaf(d, pages.shape.usable) for d in found)
    read: list[tuple[object, ...]] = []
    per_image = leaves_per_image(pages.shape.usable)
    for start in range(0, len(found), per_image):
        create = f"CREATE TABLE {TABLE} (a INTEGER PRIMARY KEY, b, c, d)"
        image = leaf_image(found[start : start + per_image], create, page_size, pages.shape.reserved)
        assert image is not None
        db = sqlite3.connect(":memory:")
        db.deserialize(image)
        read += db.execute(f"SELECT a, b, c, d FROM {TABLE}").fetchall()
    pages.close()
    assert read == rows


def test_a_leaf_whose_record_spills_onto_overflow_pages_is_not_plain(tmp_path: Path) -> None:
    pages, found = leaves(a_file(tmp_path, [(1, "short", 1.0, b""), (2, "long " * 2000, 2.0, b"")]))
    assert [is_plain_leaf(d, pages.shape.usable) for d in found] == [False]
    pages.close()


def test_a_schema_too_long_for_the_first_page_gives_no_image(tmp_path: Path) -> None:
    _, found = leaves(a_file(tmp_path, [(1, "a", 1.0, b"")], 512))
    columns = ", ".join(f"column_{i}" for i in range(100))
    assert leaf_image(found, f"CREATE TABLE {TABLE} ({columns})", 512, 0) is None
