"""What the exit status of every command means, laptop and lab alike."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit statuses; scripts and the installers' smoke tests rely on them."""

    OK = 0
    FAILURE = 1  # the command could not do its job (an unreadable file, a server that refused, unsynced rows)
    USAGE = 2  # the command line or an input value is wrong (also: no display for the window)
    REFUSED = 3  # the quality gate refused the candidate (``iris-train``)
    ALERT = 4  # the monitor found something to act on (``iris-monitor``)
