"""Sliding-window arithmetic for the QPU ledger: where a request may be placed, given every grant and booking.

A grant is (timestamp, units). A window of W seconds ending at e holds the grants with e - W < ts <= e (how
Cost Management's limits and the simulator count). Two questions are answered here, without I/O:

- `wait_for`: the earliest moment at or after `now` when `units` more fit every window, when no grant lies
  after `now` (the end of the line, where a new booking always goes);
- `fits_at`: whether `units` placed at `t` keep every window that contains `t` within its cap, when grants
  (other tasks' bookings) may lie after `t` too (a late claim moved to the present).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence

Limits = tuple[tuple[float, int], ...]
Grants = Sequence[tuple[float, int]]


def wait_for(grants: Grants, qpu: int, now: float, limits: Limits) -> float:
    """Seconds until `qpu` more units fit every window, given past grants (timestamp, units); 0 if now."""
    wait = 0.0
    for window, cap in limits:
        if qpu > cap:
            raise ValueError(f"{qpu} QPU can never fit a window of {cap}")
        recent = sorted((ts, q) for ts, q in grants if ts > now - window)
        used = sum(q for _, q in recent)
        for ts, q in recent:  # the oldest grants leave the window first
            if used + qpu <= cap:
                break
            used -= q
            wait = max(wait, ts + window - now)
    return max(0.0, wait)


def earliest_slot(grants: Grants, qpu: int, start: float, limits: Limits) -> float:
    """The first moment at or after `start` (which no grant lies after) where `qpu` fits every window."""
    at = start
    for _ in range(64):  # each step clears at least one grant out of a window: a handful in practice
        wait = wait_for(grants, qpu, at, limits)
        if wait <= 0:
            return at
        # A grant at exactly at - window still counts as inside (ts > now - window): step just past it.
        at += wait + 1e-6
    raise RuntimeError("no slot found in 64 steps")  # pragma: no cover - every window frees up eventually


def fits_at(grants: Grants, qpu: int, t: float, limits: Limits) -> bool:
    """Whether `qpu` units at `t` keep every window containing `t` within its cap (grants after `t` included)."""
    times = sorted(ts for ts, _ in grants)
    units = [q for _, q in sorted(grants)]
    prefix = [0]
    for q in units:
        prefix.append(prefix[-1] + q)

    def held(lo: float, hi: float) -> int:  # units with lo < ts <= hi
        return prefix[bisect_right(times, hi)] - prefix[bisect_right(times, lo)]

    for window, cap in limits:
        # Windows containing t end at e in [t, t + window); the count only rises where a later grant enters.
        ends = [t, *times[bisect_right(times, t):bisect_left(times, t + window)]]
        if any(held(e - window, e) + qpu > cap for e in ends):
            return False
    return True
