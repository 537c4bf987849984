"""Only regular files are read or written: folders, devices, pipes and sockets are refused by name.

``predict --csv /dev/zero`` would otherwise read until memory runs out, and a FIFO would block for ever;
an export renamed over a device would replace it. Reads open without blocking and look at what was
opened (never at the name alone, which could change in between).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from desktop.errors import InputError

FILE = "file"


def kind_name(mode: int) -> str:
    """Return what a ``st_mode`` is, as a sentence names it ("a folder"), or ``FILE`` for a regular file."""
    if stat.S_ISREG(mode):
        return FILE
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def kind_of(path: Path) -> str | None:
    """Return what ``path`` is (its link followed), ``FILE`` for a regular file, None if nothing is there."""
    try:
        return kind_name(os.stat(path).st_mode)
    except FileNotFoundError:
        return None
    except OSError:
        return None  # unreadable: whoever opens it says why


def read_regular(path: Path) -> bytes:
    """Return the bytes of a regular file; raise ``InputError`` naming ``path`` for anything else."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise InputError(f"the file {path} does not exist") from None
    except OSError as exc:
        if os.path.isdir(path):  # Linux says IsADirectoryError; Windows refuses a folder as "access denied"
            raise InputError(
                f"{path} is a folder, not a file; only regular files are read (name a CSV file)"
            ) from None
        raise InputError(f"the file {path} cannot be read: {exc.strerror}") from None
    kind = kind_name(os.fstat(fd).st_mode)
    if kind != FILE:
        os.close(fd)
        raise InputError(f"{path} is {kind}, not a file; only regular files are read (name a CSV file)")
    with os.fdopen(fd, "rb") as handle:
        try:
            return handle.read()
        except OSError as exc:
            raise InputError(f"the file {path} cannot be read: {exc.strerror}") from None
