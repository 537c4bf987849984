"""Section 12: salvaging a damaged history — time and peak memory, per GB, beside SQLite copying it whole.

A real history is built (``benchmarks.history.build_history``), then damaged six ways (``DAMAGES``):
cut at 60 % of its length; one page overwritten: in its middle, a page of the largest index, of the
search index, the observations' last page; its 100-byte header wiped. A fresh ``iris-field history``
process opens each, which salvages it (row by row, ``desktop.history.row_copy``; or repaired in a copy,
``header_repair`` and ``page_repair``); its wall time and peak memory are read from outside (the
command's listing, a search that finds nothing, is in the time). ``--salvage-observations`` sets the
history's size.
The peer is SQLite's own ``VACUUM INTO`` of the intact file (every row and index copied, in C).
The target (issue 21) is for a 1 GB history: at most 30 s and 300 MB whatever the damage; the rows
say the measured size and the time scaled to 1 GB.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.context import Context
from benchmarks.history import build_history
from benchmarks.process import child_env, peak_rss_kb
from benchmarks.report import Figure, Section
from desktop.history.sqlite_pages import PageFile

SIZES = (100_000, 2_000)  # full, quick
GB = 1024**3
TARGET_SECONDS_PER_GB = 30
TARGET_MB = 300


# How each damage is made, as the figure names it: every page after 60 % of the file gone (the tail of
# every tree); one page overwritten (every other observation still there: the most to keep): the one in
# the middle of the file, a leaf of the ids' index, of the search index, the observations' last leaf
# (their row ids are taken again: the search index is rebuilt too); the 100-byte header wiped; 1,000
# bytes of garbage inside the middle leaf of the observations, its header untouched (SQLite's check names it).
DAMAGES = {
    "truncated": "cut at 60 %",
    "page": "a page overwritten",
    "index page": "an index page overwritten",
    "search page": "a search index page overwritten",
    "last page": "the last page overwritten",
    "inside page": "garbage inside a page",
    "header": "header wiped",
}
# The tree whose leaf a damage overwrites, and which of its leaves (in key order).
_LEAF_OF = {
    "index page": ("sqlite_autoindex_observations_1", 0.5),
    "search page": ("observations_search_data", 0.5),
    "last page": ("observations", 1.0),
    "inside page": ("observations", 0.5),
}


def _damaged(intact: Path, home: Path, damage: str, page_size: int) -> None:
    home.mkdir(parents=True)
    data = bytearray(intact.read_bytes())
    if damage == "truncated":
        del data[len(data) * 6 // 10 :]
    elif damage == "header":
        data[:100] = bytes(100)
    elif damage == "inside page":  # 1,000 bytes from the middle of a leaf on, its header as it was
        start = (_leaf(intact, *_LEAF_OF[damage]) - 1) * page_size + page_size // 2
        data[start : start + 1000] = bytes((i * 151 + 17) % 256 for i in range(1000))
    else:
        number = len(data) // page_size // 2 + 1 if damage == "page" else _leaf(intact, *_LEAF_OF[damage])
        data[(number - 1) * page_size : number * page_size] = b"\xff" * page_size
    (home / "observations.sqlite3").write_bytes(data)


def _leaf(path: Path, tree: str, where: float) -> int:
    """Return the leaf page of ``tree`` found at ``where`` (0 first, 1 last) of its leaves in key order."""
    db = sqlite3.connect(path)
    (root,) = db.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (tree,)).fetchone()
    db.close()
    leaves = []
    with PageFile(path) as pages:
        stack = [root]
        while stack:
            number = stack.pop()
            children = pages.children(number)
            if children:
                stack.extend(reversed(children[1:] + children[:1]))
            else:
                leaves.append(number)
    return leaves[round(where * (len(leaves) - 1))]


def _salvage_run(home: Path) -> tuple[float, float, str]:
    """Salvage in a fresh `iris-field history` (listing nothing); return (seconds, peak kB, its note)."""
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "desktop", "history", "--search", "no note says this"],
        env=child_env(IRIS_FIELD_HOME=str(home)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak = 0
    while child.poll() is None:
        peak = max(peak, peak_rss_kb(child.pid))
        time.sleep(0.05)
    seconds = time.perf_counter() - start
    note = child.stderr.read() if child.stderr else ""
    if child.returncode != 0 or "recovered" not in note:
        raise RuntimeError(f"the salvage did not run: {note[-500:]}")
    return seconds, float(peak), note.strip().splitlines()[0]


def _peer_seconds(intact: Path, work: Path) -> float:
    copy = work / "vacuumed.sqlite3"
    start = time.perf_counter()
    db = sqlite3.connect(intact)
    db.execute("VACUUM INTO ?", (str(copy),))
    db.close()
    seconds = time.perf_counter() - start
    copy.unlink()
    return seconds


def run(ctx: Context) -> Section:
    """Salvage a truncated and a header-wiped history; report time per GB and peak memory."""
    count = ctx.salvage_observations or ctx.count(*SIZES)
    work = ctx.work / "salvage"
    shutil.rmtree(work, ignore_errors=True)
    intact = work / "intact" / "observations.sqlite3"
    build_history(intact, count)
    db = sqlite3.connect(intact)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = int(db.execute("PRAGMA page_size").fetchone()[0])
    db.close()
    size = intact.stat().st_size
    peer = _peer_seconds(intact, work)
    figures = []
    notes = [f"{count:,} observations, {size / 2**20:.0f} MB; VACUUM INTO of the intact file {peer:.2f} s"]
    for damage, named in DAMAGES.items():
        home = work / damage
        _damaged(intact, home, damage, page_size)
        seconds, peak_kb, said = _salvage_run(home)
        per_gb = seconds * GB / size
        figures.append(
            Figure(
                name=f"salvage, {named} ({count:,})",
                unit="s/GB",
                median=per_gb,
                p99=per_gb,
                n=1,
                ratio=seconds / peer,
                ratio_label="x VACUUM INTO",
                target=f"<= {TARGET_SECONDS_PER_GB} s/GB, <= {TARGET_MB} MB",
                met=per_gb <= TARGET_SECONDS_PER_GB and peak_kb / 1024 <= TARGET_MB,
                note=f"{seconds:.1f} s, peak {peak_kb / 1024:.0f} MB",
            )
        )
        notes.append(f"{damage}: {said}")
    shutil.rmtree(work, ignore_errors=True)
    return Section("salvage", "12. Salvaging a damaged history", tuple(figures), tuple(notes))
