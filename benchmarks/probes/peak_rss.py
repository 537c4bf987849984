"""Child-side helper: this process's own peak resident memory in kB."""

import sys


def peak_rss_kb() -> int:
    """Return VmHWM on Linux (ru_maxrss there keeps the forking parent's peak across exec), else ru_maxrss."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak  # macOS reports bytes
