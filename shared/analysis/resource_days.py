"""Each resource's daily cost over the window, held densely: one second pass over the cost rows (design D8).

The first pass (costs.py) keeps totals; movers, new and stopped costs, level-shift and run-rate drivers and the
run-rate of a young resource need each resource's days. They live in one flat array of doubles, `days` values
per resource (100,000 resources x 120 days is 96 MB, no per-row Python objects). Anomaly days are replaced in
place by the same weekday a week earlier (D8.4); the raw values of those days are kept to put them back.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import repeat
from operator import itemgetter
from typing import Any

from shared.analysis.cost_sections import daily_rows
from shared.analysis.costs import DayCache, cost_columns
from shared.analysis.index import EstateIndex
from shared.analysis.model import ScanInputs

WEEK = 7


def _column(rows: Any, index: int | None, default: Any) -> Iterator[Any]:
    """One column of the rows: in place from columnar rows (pipeline/compact.py), else picked per row."""
    if index is None:
        return repeat(default)
    column = getattr(rows, "column", None)
    return column(index) if column is not None else map(itemgetter(index), rows)


def is_resource(resource_id: str) -> bool:
    """Whether a cost row's id names a resource (not a subscription-level charge without a resource id)."""
    return "/providers/" in resource_id


@dataclass(frozen=True, slots=True)
class Billing:
    """Day indexes of a resource's first and last cost day (-1 when it never billed) and how many days billed."""

    first: int
    last: int
    days: int


class ResourceDays:
    """Cost per resource per day from `start`, `days` long; row r holds matrix[r * days : (r + 1) * days]."""

    def __init__(self, start: dt.date, days: int, ids: list[str], subs: list[str]) -> None:
        self.start, self.days, self.ids, self.subs = start, days, ids, subs
        self.row = {rid: r for r, rid in enumerate(ids)}
        self.matrix: array[float] = array("d", [0.0]) * (len(ids) * days)
        self.raw_columns: dict[int, array[float]] = {}  # anomaly day -> raw values per row, before replacement
        self._one_offs: dict[int, list[float]] = {}
        self._billing: list[Billing] | None = None

    def add_row(self, rid: str, sub: str) -> int:
        """The row of a resource id, appended when the first pass did not see it."""
        r = self.row.get(rid)
        if r is None:
            r = self.row[rid] = len(self.ids)
            self.ids.append(rid)
            self.subs.append(sub)
            self.matrix.extend(array("d", [0.0]) * self.days)
        return r

    def date(self, i: int) -> dt.date:
        """The date of day index i."""
        return self.start + dt.timedelta(days=i)

    def index_of(self, day: dt.date) -> int:
        """The day index of a date (may fall outside 0..days-1)."""
        return (day - self.start).days

    def series(self, r: int) -> array[float]:
        """Row r's days (anomaly days replaced), a copy."""
        return self.matrix[r * self.days:(r + 1) * self.days]

    def total(self, r: int, a: int, b: int) -> float:
        """Row r's cost over days [a, b) with anomaly days replaced (a and b clamped to the window)."""
        a, b = max(a, 0), min(b, self.days)
        return sum(self.matrix[r * self.days + a:r * self.days + b]) if b > a else 0.0

    def raw_total(self, r: int, a: int, b: int) -> float:
        """Row r's cost over days [a, b) as billed (anomaly days as they were)."""
        out = self.total(r, a, b)
        for i, column in self.raw_columns.items():
            if a <= i < b:
                out += column[r] - self.matrix[r * self.days + i]
        return out

    def billing(self) -> list[Billing]:
        """First and last cost day and days billed of every row, as billed (worked out before any replacement)."""
        if self._billing is None:
            n, out = self.days, []
            positive = (0.0).__lt__
            for r in range(len(self.ids)):
                row = self.matrix[r * n:(r + 1) * n]
                first = next((i for i, v in enumerate(row) if v > 0), -1)
                last = next((n - 1 - i for i, v in enumerate(reversed(row)) if v > 0), -1)
                out.append(Billing(first, last, sum(map(positive, row)) if first >= 0 else 0))
            self._billing = out
        return self._billing

    def replace_days(self, days: list[int]) -> None:
        """D8.4: each anomaly day takes the same weekday one week earlier, per resource (so totals agree)."""
        self.billing()
        n = self.days
        for i in sorted(days):
            if WEEK <= i < n and i not in self.raw_columns:
                self.raw_columns[i] = self.matrix[i::n]
                self.matrix[i::n] = self.matrix[i - WEEK::n]

    def one_off(self, r: int, i: int) -> float:
        """Row r's cost on anomaly day i above its replacement (0 on days that were not replaced)."""
        column = self.raw_columns.get(i)
        if column is None:
            return 0.0
        diffs = self._one_offs.get(i)
        if diffs is None:
            diffs = self._one_offs[i] = [raw - now for raw, now in zip(column, self.matrix[i::self.days], strict=True)]
        return diffs[r]

    def monthly(self, r: int) -> float:
        """D3.4: last 30 days' cost, or 30 x the mean daily cost since the first cost day when that is younger."""
        first = self.billing()[r].first
        if first < 0:
            return 0.0
        if first >= self.days - 30:
            return 30 * self.total(r, first, self.days) / (self.days - first)
        return self.total(r, self.days - 30, self.days)


def _subscription_of(resource_id: str) -> str:
    return resource_id.split("/")[2] if resource_id.count("/") >= 2 else ""


def build_resource_days(inputs: ScanInputs, index: EstateIndex) -> ResourceDays | None:
    """The second pass: every cost row of the billing currency into its resource's day (None without cost data)."""
    cost, end = index.cost, index.cost.window_to
    if not cost.daily or end is None:
        return None
    start = min(cost.daily)
    n = (end - start).days + 1
    # Layout 1, or layout 2's `resource_days` section (a layout-2 envelope without it has no resource's days, so
    # its resources are left out here rather than read as never billed).
    readable: dict[str, tuple[dict[str, Any], tuple[int, int, int | None, int | None]]] = {}
    summary_only = set()
    for sub in inputs.subscriptions:
        envelope = sub.raw.get("cost")
        data = daily_rows(envelope.data) if envelope is not None else None
        if envelope is not None and data is None:
            summary_only.add(sub.subscription_id.lower())
        columns = cost_columns(data) if data is not None else None
        if data is not None and columns is not None and str(data.get("currency") or "") == cost.currency:
            readable[sub.subscription_id.lower()] = (data, columns)
    ids = [rid for rid in cost.window_total if _subscription_of(rid) not in summary_only]
    out = ResourceDays(start, n, ids, [_subscription_of(rid) for rid in ids])
    days = DayCache()
    for sub_id, (data, columns) in readable.items():
        # Cost without a resource id (some charges have none) is kept on the subscription's own row.
        _add_rows(out, data.get("rows") or [], columns, out.add_row(f"/subscriptions/{sub_id}", sub_id),
                  sub_id, days)
    return out


def _add_rows(out: ResourceDays, rows: Any, columns: tuple[int, int, int | None, int | None], pseudo: int,
              sub_id: str, days: DayCache) -> None:
    cost_col, date_col, id_col, _ = columns
    n, start, matrix = out.days, out.start, out.matrix
    offsets: dict[Any, int] = {}
    bases: dict[Any, int] = {}
    for raw_day, raw_cost, raw_id in zip(_column(rows, date_col, None), _column(rows, cost_col, 0.0),
                                         _column(rows, id_col, ""), strict=False):
        offset = offsets.get(raw_day)
        if offset is None:
            day = days[raw_day]
            offset = offsets[raw_day] = (day - start).days if day is not None and 0 <= (day - start).days < n else -1
        if offset < 0:
            continue
        base = bases.get(raw_id)
        if base is None:
            rid = str(raw_id or "").lower()
            base = bases[raw_id] = n * (out.add_row(rid, sub_id) if rid else pseudo)
        matrix[base + offset] += float(raw_cost or 0.0)
