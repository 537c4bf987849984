"""A history file's free list written again by hand, for the pages no tree uses after a repair.

SQLite keeps the pages no table or index uses on a free list (https://www.sqlite.org/fileformat2.html#the_freelist):
trunk pages, each naming the next trunk and up to a page's worth of leaf pages. A repair in a copy can
leave pages no tree reaches (a wiped header loses the list; a page cut out of its tree loses what hung
from it); SQLite's own check names them ("Page N is never used"), and they are listed here again.
"""

from __future__ import annotations

import re
import sqlite3
import struct
from pathlib import Path

_NEVER_USED = re.compile(r"Page (\d+) is never used")


def never_used(db: sqlite3.Connection) -> list[int] | None:
    """Return the pages SQLite's check finds in no tree ([] for a sound file); None if it finds more."""
    pages = int(db.execute("PRAGMA page_count").fetchone()[0])
    rows = db.execute(f"PRAGMA quick_check({pages + 100})").fetchall()
    lines = [line for (text,) in rows for line in str(text).splitlines()]
    if lines == ["ok"]:
        return []
    found = [_NEVER_USED.fullmatch(line) for line in lines if not line.startswith("*** in database")]
    if not all(found):
        return None
    return [int(match.group(1)) for match in found if match]


def add_to_free_list(path: Path, free: list[int], page_size: int) -> None:
    """Put ``free`` at the head of the closed file's free list: trunks naming the next and their leaves."""
    per_trunk = 1 + page_size // 4 - 8  # a trunk and its leaves (the limit every SQLite version reads)
    groups = [free[i : i + per_trunk] for i in range(0, len(free), per_trunk)]
    with path.open("r+b") as out:
        out.seek(32)
        trunk, count = struct.unpack(">II", out.read(8))
        for n, (first, *leaves) in enumerate(groups):
            following = groups[n + 1][0] if n + 1 < len(groups) else trunk
            out.seek((first - 1) * page_size)
            out.write(struct.pack(f">II{len(leaves)}I", following, len(leaves), *leaves))
        if groups:
            out.seek(32)
            out.write(struct.pack(">II", groups[0][0], count + len(free)))
