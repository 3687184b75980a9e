"""The daily spend series: one-off anomalies (D8.4), level shifts (D8.3) and the run-rate window (D8.2).

Pure functions over a list of daily totals, day 0 = the first day with cost data. Anomaly days are found on the
series as billed and replaced (same weekday one week earlier) before the level-shift detector runs, so a one-day
spike is never taken for a step.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

# D8.4: the band is v1's (median of the previous 28 days +/- max(4 robust sigmas, 25% of the median)).
BASELINE_DAYS = 28
SIGMAS = 4.0
MIN_BAND_SHARE = 0.25
ROBUST = 1.4826  # MAD x 1.4826 estimates sigma for normally distributed noise
WEEK = 7
# A run of more than 3 consecutive days outside the band is a change of level (or a steep ramp), not a one-off.
MAX_ONE_OFF_RUN = 3
# D8.3
SHIFT_BEFORE = 14
SHIFT_MIN_AFTER = 7
SHIFT_MIN_SHARE = 0.05
SHARPNESS = 0.7
NOISE_DAYS = 28
# D8.2
RUN_RATE_DAYS = 28


@dataclass(frozen=True, slots=True)
class AnomalyDay:
    """A day outside the band: its index, value and the band it left."""

    index: int
    value: float
    expected: float
    lower: float
    upper: float


@dataclass(frozen=True, slots=True)
class ShiftStat:
    """A level shift on day `index`: the means on each side (whole weeks), the test's threshold and sharpness."""

    index: int
    before: float
    after: float
    after_days: int
    threshold: float
    sigma: float
    sharpness: float

    @property
    def delta(self) -> float:
        """After minus before, a day."""
        return self.after - self.before


@dataclass(frozen=True, slots=True)
class Window:
    """Days [start, start + days) of the series."""

    start: int
    days: int

    @property
    def end(self) -> int:
        """One past the last day."""
        return self.start + self.days


def _band(base: Sequence[float]) -> tuple[float, float]:
    median = statistics.median(base)
    mad = statistics.median(abs(v - median) for v in base) * ROBUST
    return median, max(SIGMAS * mad, MIN_BAND_SHARE * median)


def find_anomalies(values: Sequence[float]) -> list[AnomalyDay]:
    """D8.4: one-off days outside the band that also differ by more than the band from a week earlier.

    Two refinements of v1's band, both so that replacement never hides a real change: a day like the same weekday
    a week earlier is a weekly rhythm (weekends), not an anomaly; and a run of more than 3 consecutive days
    outside the band on the same side is a level change or a ramp, left to the level-shift detector.
    """
    outside: list[tuple[AnomalyDay, int]] = []
    for i in range(BASELINE_DAYS, len(values)):
        median, band = _band(values[i - BASELINE_DAYS:i])
        value = values[i]
        if median <= 0 or abs(value - median) <= band or abs(value - values[i - WEEK]) <= band:
            continue
        side = 1 if value > median else -1
        outside.append((AnomalyDay(i, value, median, max(0.0, median - band), median + band), side))
    found: list[AnomalyDay] = []
    run: list[AnomalyDay] = []
    for n, (day, side) in enumerate(outside):
        run.append(day)
        follows = n + 1 < len(outside) and outside[n + 1][0].index == day.index + 1 and outside[n + 1][1] == side
        if not follows:
            if len(run) <= MAX_ONE_OFF_RUN:
                found += run
            run = []
    return found


def replaced(values: Sequence[float], anomaly_days: Sequence[int]) -> list[float]:
    """The series with each anomaly day replaced by the same weekday one week earlier (itself replaced if need be)."""
    out = list(values)
    for i in sorted(anomaly_days):
        if WEEK <= i < len(out):
            out[i] = out[i - WEEK]
    return out


def find_level_shifts(values: Sequence[float]) -> list[ShiftStat]:
    """D8.3: steps whose size beats max(5% of before, 4 sigma) and that happen within days (sharpness >= 0.7)."""
    n = len(values)
    candidates: list[ShiftStat] = []
    for i in range(SHIFT_BEFORE, n - SHIFT_MIN_AFTER + 1):
        before = statistics.fmean(values[i - SHIFT_BEFORE:i])
        k = SHIFT_BEFORE if n - i >= SHIFT_BEFORE else SHIFT_MIN_AFTER
        after = statistics.fmean(values[i:i + k])
        delta = after - before
        if delta == 0:
            continue
        # Week-on-week differences: a weekly rhythm is not noise.
        diffs = [abs(values[j] - values[j - WEEK]) for j in range(max(WEEK, i - NOISE_DAYS), i)]
        sigma = ROBUST * statistics.median(diffs)
        threshold = max(SHIFT_MIN_SHARE * abs(before), SIGMAS * sigma)
        sharpness = statistics.fmean(values[i + m] - values[i + m - WEEK] for m in range(3)) / delta
        if abs(delta) >= threshold and sharpness >= SHARPNESS:
            candidates.append(ShiftStat(i, before, after, k, threshold, sigma, sharpness))
    kept: list[ShiftStat] = []
    for shift in sorted(candidates, key=lambda s: (-abs(s.delta), s.index)):
        if all(abs(shift.index - other.index) > WEEK for other in kept):
            kept.append(shift)
    return sorted(kept, key=lambda s: s.index)


def run_rate_window(n: int, shifts: Sequence[ShiftStat]) -> Window:
    """D8.2: the last 28 days, or the days since the latest shift when it is 7 to 28 days old."""
    if shifts and SHIFT_MIN_AFTER <= n - shifts[-1].index <= RUN_RATE_DAYS:
        return Window(shifts[-1].index, n - shifts[-1].index)
    days = min(RUN_RATE_DAYS, n)
    return Window(n - days, days)


def base_window(run: Window) -> Window | None:
    """The first 28 days of the window (fewer when the series is short), None when under a week is left."""
    days = min(RUN_RATE_DAYS, run.start)
    return Window(0, days) if days >= WEEK else None


def mean_over(values: Sequence[float], window: Window) -> float:
    """The mean of the values in the window."""
    return statistics.fmean(values[window.start:window.end]) if window.days else 0.0
