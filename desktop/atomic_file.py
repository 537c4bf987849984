"""Write a file so that readers see either the old or the new content, never half of it."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO


@contextlib.contextmanager
def atomic_text_writer(
    path: Path, *, encoding: str = "utf-8", newline: str | None = None, as_document: bool = False
) -> Iterator[TextIO]:
    """Yield a handle on a temporary file beside ``path``; on success fsync it and rename it over ``path``.

    The file is private to the user (0600), unless ``as_document``: then it gets the mode the user's
    umask gives a new file, or keeps the mode of the file it replaces.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        if as_document and hasattr(os, "fchmod"):
            os.fchmod(fd, _document_mode(path))
        with os.fdopen(fd, "w", encoding=encoding, newline=newline) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def current_umask() -> int:
    """Return the process's umask (from /proc where Linux tells it, else by setting it back at once)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def _document_mode(path: Path) -> int:
    """Return the mode a document written to ``path`` gets: the replaced file's, else 0666 less the umask."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return 0o666 & ~current_umask()
