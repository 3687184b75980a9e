"""Sliding-window quotas: Resource Graph queries per principal and Cost Management QPU per tenant."""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome of asking for quota: allowed, what is left, and seconds until there is room again."""

    allowed: bool
    remaining: int
    reset_after: float


class SlidingWindows:
    """Several (limit, window) budgets per key; a charge succeeds only if it fits in every window."""

    def __init__(self, limits: tuple[tuple[int, float], ...], clock: Callable[[], float] = time.monotonic) -> None:
        self._limits = limits
        self._clock = clock
        self._events: dict[str, deque[tuple[float, int]]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _used(self, events: deque[tuple[float, int]], now: float, window: float) -> int:
        return sum(cost for at, cost in events if now - at < window)

    def charge(self, key: str, cost: int) -> Verdict:
        """Consume `cost` units for `key` if every window has room; otherwise consume nothing."""
        with self._lock:
            now = self._clock()
            events = self._events[key]
            longest = max(w for _, w in self._limits)
            while events and now - events[0][0] >= longest:
                events.popleft()
            waits = []
            for limit, window in self._limits:
                if self._used(events, now, window) + cost > limit:
                    waits.append(self._wait(events, now, window, limit, cost))
            if waits:
                return Verdict(False, 0, max(waits))
            events.append((now, cost))
            remaining = min(limit - self._used(events, now, window) for limit, window in self._limits)
            reset = min(window - (now - events[0][0]) for _, window in self._limits[:1])
            return Verdict(True, remaining, max(reset, 0.0))

    def _wait(self, events: deque[tuple[float, int]], now: float, window: float, limit: int, cost: int) -> float:
        """Seconds until enough of the window's events expire for `cost` to fit."""
        inside = [(at, c) for at, c in events if now - at < window]
        used = sum(c for _, c in inside)
        for at, c in inside:
            used -= c
            if used + cost <= limit:
                return max(window - (now - at), 0.001)
        return window

    def remaining(self, key: str) -> list[int]:
        """Units left in each window for `key`, in the order the limits were given."""
        with self._lock:
            now = self._clock()
            events = self._events[key]
            return [max(limit - self._used(events, now, window), 0) for limit, window in self._limits]

    def clear(self) -> None:
        """Forget every charge."""
        with self._lock:
            self._events.clear()


def hhmmss(seconds: float) -> str:
    """Seconds as the hh:mm:ss Resource Graph puts in x-ms-user-quota-resets-after."""
    whole = math.ceil(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
