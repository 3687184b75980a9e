"""This process's peak memory, as each bench phase reports it."""

from __future__ import annotations

import resource
from pathlib import Path


def peak_rss_mb() -> float:
    """This process's peak resident set so far, in MB.

    VmHWM belongs to the process's own address space. ru_maxrss does not do here: subprocess starts the
    phase with vfork, so it reports the parent's (the simulator's) peak from before exec.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
