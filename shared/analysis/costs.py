"""The customer's own cost, read in one pass: per resource (last 30 days and whole window) and per day.

Cost rows are read by column name (Cost or PreTaxCost, UsageDate, ResourceId, MeterCategory, Currency),
never by position; rows in a currency other than the bill's are left out and reported. Envelopes of layout 1
(daily rows per resource, scans before issue 17) are read here, and so is a layout-2 envelope's `resource_days`
section (the same rows); layout 2 without it is read from its other sections by cost_sections.py, into the same
index.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter
from typing import Any

from shared.analysis.cost_sections import GROWTH_DAYS as GROWTH_DAYS
from shared.analysis.cost_sections import add_sections, daily_rows, pick_currency
from shared.analysis.cost_sums import canonical, canonical_nested
from shared.analysis.model import ScanInputs

logger = logging.getLogger(__name__)

# The analysis window for "what it costs a month": the last 30 days of the cost data.
WINDOW_DAYS = 30
_COST_COLUMNS = ("Cost", "PreTaxCost", "CostUSD", "PreTaxCostUSD")


def parse_day(value: Any) -> dt.date | None:
    """UsageDate arrives as a yyyymmdd number (or an ISO string from some API versions)."""
    text = str(value)
    try:
        if len(text) == 8 and text.isdigit():
            return dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def _nested() -> dict[Any, dict[str, float]]:
    return defaultdict(lambda: defaultdict(float))


@dataclass
class CostIndex:
    """Cost per resource and per day, in one billing currency."""

    currency: str = ""
    window_from: dt.date | None = None
    window_to: dt.date | None = None
    has_data: bool = False
    other_currencies: set[str] = field(default_factory=set)
    # lower-cased cost-row resource id -> meter category -> last-30-day cost
    last30: dict[str, dict[str, float]] = field(default_factory=_nested)
    # lower-cased cost-row resource id -> cost over the whole window
    window_total: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    # date -> total, and date -> service -> cost (resource drivers of anomalies take a second pass)
    daily: dict[dt.date, float] = field(default_factory=lambda: defaultdict(float))
    daily_service: dict[dt.date, dict[str, float]] = field(default_factory=_nested)
    by_subscription: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    first_week: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    first_week_days: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    last_week: dict[str, float] = field(default_factory=lambda: defaultdict(float))

    @property
    def last30_from(self) -> dt.date | None:
        """First day of the last-30-day window."""
        return self.window_to - dt.timedelta(days=WINDOW_DAYS - 1) if self.window_to else None


def cost_columns(data: dict[str, Any]) -> tuple[int, int, int | None, int | None] | None:
    """Positions of (cost, date, resource id, meter category) in a cost envelope, found by name."""
    names = [str(c.get("name")) for c in data.get("columns") or []]
    pos = {name: i for i, name in enumerate(names)}
    cost_col = next((pos[c] for c in _COST_COLUMNS if c in pos), None)
    if cost_col is None or "UsageDate" not in pos:
        return None
    return cost_col, pos["UsageDate"], pos.get("ResourceId"), pos.get("MeterCategory", pos.get("ServiceName"))


class DayCache(dict[Any, "dt.date | None"]):
    """UsageDate values repeat once per row: parse each distinct value once."""

    def __missing__(self, key: Any) -> dt.date | None:
        value = parse_day(key)
        self[key] = value
        return value


def _column(rows: Any, index: int | None, default: Any) -> Iterator[Any]:
    """One column of the rows: read in place from columnar rows (analysis/columnar.py), else picked per row."""
    if index is None:
        return repeat(default)
    column = getattr(rows, "column", None)
    return column(index) if column is not None else map(itemgetter(index), rows)


@dataclass(frozen=True, slots=True)
class _DayPlace:
    """Where one day falls in the analysis window, worked out once per distinct UsageDate."""

    day: dt.date
    in_last30: bool
    first_week_bit: int  # 0 when outside the first growth week
    in_last_week: bool


def _add_cost_rows(index: CostIndex, data: dict[str, Any], subscription_id: str, days: DayCache) -> None:
    columns = cost_columns(data)
    if columns is None:
        logger.warning("cost data without a cost or date column; skipped")
        return
    cost_col, date_col, id_col, meter_col = columns
    rows = data.get("rows") or []
    cutoff = index.last30_from
    last_from = index.window_to - dt.timedelta(days=GROWTH_DAYS - 1) if index.window_to else None
    first_to = cutoff + dt.timedelta(days=GROWTH_DAYS - 1) if cutoff else None

    def place(raw: Any) -> _DayPlace | None:
        day = days[raw]
        if day is None:
            return None
        if cutoff is None or day < cutoff:
            return _DayPlace(day, False, 0, False)
        first_bit = 1 << (day - cutoff).days if first_to is not None and day <= first_to else 0
        return _DayPlace(day, True, first_bit, last_from is not None and day >= last_from)

    places: dict[Any, _DayPlace | None] = {}
    daily, daily_service, window_total, last30 = index.daily, index.daily_service, index.window_total, index.last30
    first_week, first_week_days, last_week = index.first_week, index.first_week_days, index.last_week
    sub_total = 0.0
    ids: dict[Any, str] = {}  # each resource id repeats once per day and meter: lower-case it once
    for raw_day, raw_cost, raw_id, raw_meter in zip(
            _column(rows, date_col, None), _column(rows, cost_col, 0.0), _column(rows, id_col, ""),
            _column(rows, meter_col, "Other"), strict=False):
        if raw_day in places:
            at = places[raw_day]
        else:
            at = places[raw_day] = place(raw_day)
        if at is None:
            continue
        day = at.day
        cost = float(raw_cost or 0.0)
        rid = ids.get(raw_id)
        if rid is None:
            rid = ids[raw_id] = str(raw_id or "").lower()
        meter = raw_meter or "Other"
        daily[day] += cost
        daily_service[day][meter] += cost
        sub_total += cost
        if not rid:
            continue
        window_total[rid] += cost
        if not at.in_last30:
            continue
        last30[rid][meter] += cost
        # Growth (COST-1): first and last week of the last 30 days, and which first-week days had cost.
        if at.first_week_bit and cost > 0:
            first_week[rid] += cost
            first_week_days[rid] |= at.first_week_bit
        if at.in_last_week:
            last_week[rid] += cost
    index.by_subscription[subscription_id] += sub_total
    index.has_data = index.has_data or bool(rows)


def _row_days(data: dict[str, Any]) -> list[dt.date]:
    names = [str(c.get("name")) for c in data.get("columns") or []]
    if "UsageDate" not in names:
        return []
    col = names.index("UsageDate")
    return [d for d in (parse_day(r[col]) for r in data.get("rows") or []) if d is not None]


def _canonical_index(index: CostIndex) -> None:
    index.last30, index.daily_service = canonical_nested(index.last30), canonical_nested(index.daily_service)
    index.window_total, index.daily = canonical(index.window_total), canonical(index.daily)
    index.by_subscription, index.first_week = canonical(index.by_subscription), canonical(index.first_week)
    index.last_week = canonical(index.last_week)


def build_cost_index(inputs: ScanInputs) -> CostIndex:
    """Read every subscription's cost envelope into one index in the billing currency."""
    envelopes = [(s.subscription_id, s.raw["cost"].data) for s in inputs.subscriptions if "cost" in s.raw]
    index = CostIndex(currency=pick_currency([d for _, d in envelopes]))
    ends: list[dt.date] = []
    starts: list[dt.date] = []
    for _, data in envelopes:
        window = data.get("window") or {}
        if (end := parse_day(window.get("to", ""))) is not None:
            ends.append(end)
        if (start := parse_day(window.get("from", ""))) is not None:
            starts.append(start)
    index.window_to = max(ends) if ends else None
    index.window_from = min(starts) if starts else None
    if index.window_to is None:
        # No declared window: take it from the data itself.
        index.window_to = max((d for _, data in envelopes for d in _row_days(data)), default=None)
        index.window_from = min((d for _, data in envelopes for d in _row_days(data)), default=None)
    days = DayCache()
    for subscription_id, data in envelopes:
        if str(data.get("currency") or "") != index.currency:
            index.other_currencies.add(str(data.get("currency") or "unknown"))
            continue
        rows = daily_rows(data)
        if rows is None:
            add_sections(index, data, subscription_id, days)
        else:
            _add_cost_rows(index, rows, subscription_id, days)
    _canonical_index(index)
    return index
