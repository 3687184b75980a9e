"""Daily series from the bill for the few resources pricing needs (report-design D3.2 to D3.4, D3.6).

Two passes over the cost rows, only for the resources asked for: virtual machine and scale-set compute
("Virtual Machines" meters, the last 30 days) for full-day rates, and every meter of the other resources over
the whole window for run-rates, first cost days and "cost since". Anomaly days are replaced by the same weekday
one week earlier before any run-rate is taken, so no finding prices a one-off.
"""

from __future__ import annotations

import datetime as dt
import statistics

from shared.analysis.costs import WINDOW_DAYS
from shared.analysis.index import EstateIndex

COMPUTE_METER = "Virtual Machines"
FULL_DAY_SHARE = 0.95
MIN_FULL_DAYS = 7
Series = dict[dt.date, float]


def full_day_rate(series: Series, instances: int = 1) -> float | None:
    """The maximum daily cost over the series per instance, when at least 7 days billed that full rate."""
    top = max(series.values(), default=0.0)
    if top <= 0 or sum(1 for v in series.values() if v >= top * FULL_DAY_SHARE) < MIN_FULL_DAYS:
        return None
    return top / max(instances, 1)


def median_rate(rates: list[float]) -> float | None:
    """The median of several twins' rates (None without any)."""
    return statistics.median(rates) if rates else None


class BillRates:
    """Per-resource daily series for the resources pricing and "cost since" need, read in two passes."""

    def __init__(self, index: EstateIndex, compute_ids: set[str], other_ids: set[str],
                 anomaly_days: set[dt.date]) -> None:
        self.index = index
        self.window_to = index.cost.window_to
        self.last30_from = index.cost.last30_from
        self.anomaly_days = anomaly_days
        self.compute: dict[str, Series] = {}
        self.all: dict[str, Series] = {}
        # Rates are asked for again and again (every twin lookup of a size reads the same machines): kept.
        self._compute_rates: dict[tuple[str, int], float | None] = {}
        self._own_rates: dict[str, float | None] = {}
        if self.last30_from is not None and compute_ids:
            self.compute = index.daily_costs(compute_ids, {COMPUTE_METER}, self.last30_from)
        if index.cost.window_from is not None and other_ids:
            self.all = index.daily_costs(other_ids, None, index.cost.window_from)

    def _clean(self, series: Series) -> Series:
        """The series with anomaly days replaced by the same weekday one week earlier."""
        out = dict(series)
        for day in self.anomaly_days:
            if day in out:
                out[day] = series.get(day - dt.timedelta(days=7), 0.0)
        return out

    def compute_rate(self, resource_id: str, instances: int = 1) -> float | None:
        """A VM's or scale set's full-day compute rate per instance (None when it did not bill 7 full days)."""
        key = (resource_id.lower(), instances)
        if key not in self._compute_rates:
            self._compute_rates[key] = full_day_rate(self._clean(self.compute.get(key[0], {})), instances)
        return self._compute_rates[key]

    def own_rate(self, resource_id: str) -> float | None:
        """A disk's or snapshot's full-day rate over the last 30 days (all its meters)."""
        rid = resource_id.lower()
        if rid not in self._own_rates:
            series = self._clean(self.all.get(rid, {}))
            recent = {d: v for d, v in series.items() if self.last30_from is not None and d >= self.last30_from}
            self._own_rates[rid] = full_day_rate(recent)
        return self._own_rates[rid]

    def first_cost_day(self, resource_id: str) -> dt.date | None:
        """The first day the resource itself billed in the window (None when it never did)."""
        days = [d for d, v in self.all.get(resource_id.lower(), {}).items() if v > 0]
        return min(days) if days else None

    def run_rate(self, resource_id: str) -> tuple[float, float] | None:
        """(the resource's own last-30-day cost, its monthly run-rate): the last 30 days' cost with one-off days
        replaced, or 30 x the mean daily cost since it started when that is inside the last 30 days (D3.4)."""
        if resource_id.lower() not in self.all or self.window_to is None or self.last30_from is None:
            return None
        raw = self.all[resource_id.lower()]
        series = self._clean(raw)
        last30 = sum(v for d, v in raw.items() if d >= self.last30_from)
        first = self.first_cost_day(resource_id)
        if first is None:
            return last30, 0.0
        if first > self.last30_from:
            days = (self.window_to - first).days + 1
            return last30, WINDOW_DAYS * sum(v for d, v in series.items() if d >= first) / days
        return last30, sum(v for d, v in series.items() if d >= self.last30_from)
