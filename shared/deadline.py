"""A deadline on a monotonic clock: work that must end in time (an HTTP answer under the front door's timeout,
a timer run inside the function timeout) checks it before each call and caps its waits to what is left."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

# Time kept in hand: a request started with less than this left is not started.
DEADLINE_MARGIN_SECONDS = 1.0


@dataclass(frozen=True)
class Deadline:
    """A point on a monotonic clock that work must be finished by."""

    at: float
    clock: Callable[[], float] = time.monotonic

    @classmethod
    def within(cls, seconds: float, clock: Callable[[], float] = time.monotonic) -> Deadline:
        """The deadline `seconds` from now."""
        return cls(clock() + seconds, clock)

    def remaining(self) -> float:
        """Seconds left (negative once passed)."""
        return self.at - self.clock()

    @property
    def passed(self) -> bool:
        """True when less than DEADLINE_MARGIN_SECONDS is left: too little to start another request."""
        return self.remaining() < DEADLINE_MARGIN_SECONDS
