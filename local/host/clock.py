"""The local world's clock: the UTC wall clock moved on by the simulated tenant's calendar (issue 15).

A customer's second review has to happen days after the first, with the bill moved on to match. The simulator
moves its calendar (`POST /_sim/estate/advance-days`, local/simulator/estate_changes.py) and the stack writes
the offset to a small JSON file; the function app in the local host takes its time from this clock, handed to
the composition root (`shared.services.build_services(settings, clock=...)`), so its scans, stores and cost
windows see the same days as the tenant. The product never reads the file: it only gets a clock. Azure has no
such file and the app runs on the wall clock.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path

CLOCK_FILE_ENV = "CALETA_LOCAL_CLOCK_FILE"


def write_offset(path: Path, days: int) -> None:
    """Publish the calendar's offset in days (atomic: a reader never sees half a file)."""
    temp = path.with_suffix(".tmp")
    temp.write_text(json.dumps({"offset_days": int(days)}), encoding="utf-8")
    temp.replace(path)


class CalendarClock:
    """UTC now plus the offset in the file; the file is re-read only when it changed."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._stamp: tuple[int, int] | None = None
        self._offset = dt.timedelta()

    def offset(self) -> dt.timedelta:
        """The current offset (zero while the file is missing)."""
        try:
            status = self._path.stat()
            stamp = (status.st_ino, status.st_mtime_ns)  # each write is a new file (atomic replace)
        except FileNotFoundError:
            return dt.timedelta()
        if stamp != self._stamp:
            days = json.loads(self._path.read_text(encoding="utf-8")).get("offset_days", 0)
            self._offset, self._stamp = dt.timedelta(days=int(days)), stamp
        return self._offset

    def __call__(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self.offset()


@contextlib.contextmanager
def calendar_services(env: Mapping[str, str] = os.environ) -> Iterator[None]:
    """Inside the block the app's services run on the calendar clock named by the environment (else unchanged)."""
    path = env.get(CLOCK_FILE_ENV)
    if not path:
        yield
        return
    # The app is imported only now (from the working directory, like the host's own load).
    from shared.config import get_settings
    from shared.services import build_services, use_services

    with use_services(build_services(get_settings(), clock=CalendarClock(Path(path)))):
        yield
