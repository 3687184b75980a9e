"""The simulator's clock for propagation delays: seconds since the estate was loaded, which tests can move."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable


class SimClock:
    """Real elapsed time plus an offset; `advance` jumps ahead and `pin` freezes it, so tests never sleep."""

    def __init__(self, wall: Callable[[], float] = time.monotonic) -> None:
        self._wall = wall
        self._lock = threading.Lock()
        self._started = wall()
        self._started_utc = dt.datetime.now(dt.UTC)
        self._offset = 0.0
        self._pinned: float | None = None

    def utc(self, at: float) -> dt.datetime:
        """The UTC wall time of clock time `at` (0 is when the estate was loaded)."""
        with self._lock:
            return self._started_utc + dt.timedelta(seconds=at)

    def now(self) -> float:
        """Seconds since the estate was loaded (or the simulator reset), as the simulator sees it."""
        with self._lock:
            if self._pinned is not None:
                return self._pinned
            return self._wall() - self._started + self._offset

    def advance(self, seconds: float) -> float:
        """Move the clock forward (never back); returns the new time."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            if self._pinned is not None:
                self._pinned += seconds
                return self._pinned
            self._offset += seconds
            return self._wall() - self._started + self._offset

    def pin(self, at: float | None) -> None:
        """Freeze the clock at `at` seconds; None lets it run again from where it stands."""
        with self._lock:
            if at is None:
                if self._pinned is not None:
                    self._offset = self._pinned - (self._wall() - self._started)
                self._pinned = None
            else:
                self._pinned = float(at)

    def reset(self) -> None:
        """Back to 0, running."""
        with self._lock:
            self._started = self._wall()
            self._started_utc = dt.datetime.now(dt.UTC)
            self._offset = 0.0
            self._pinned = None
