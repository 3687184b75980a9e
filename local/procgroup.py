"""Child processes in their own process group, stopped as a group so nothing is left behind."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from typing import Any


def terminate_group(proc: subprocess.Popen[Any], timeout: float = 5.0) -> int | None:
    """SIGTERM a process started with start_new_session=True and its group; SIGKILL what is left after `timeout`."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    # Also takes down grandchildren that outlived the leader (node workers, a hung host).
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
