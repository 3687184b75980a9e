"""Cost analytics from the customer's own bill: breakdowns, the daily trend, anomalies, forecast, tagging.

Single passes over plain dicts: 100k resources x 90 days must stay well inside a minute and a few hundred MB.
"""

from __future__ import annotations

import calendar
import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from shared.analysis.cost_sections import GROWTH_RATIO, columns, daily_rows, section
from shared.analysis.cost_sums import canonical
from shared.analysis.costs import GROWTH_DAYS, DayCache, cost_columns
from shared.analysis.index import EstateIndex
from shared.analysis.model import ScanInputs
from shared.analysis.trends import find_anomalies

TREND_DAYS = 90
UNKNOWN = "(not in inventory)"


@dataclass(frozen=True)
class Anomaly:
    """A day whose spend fell outside the expected band, and what drove it."""

    day: dt.date
    cost: float
    expected: float
    upper: float
    lower: float
    drivers: list[tuple[str, float]]  # (resource id, change vs its usual daily cost)
    services: list[tuple[str, float]]


@dataclass
class Analytics:
    """Everything the report's cost section shows."""

    currency: str
    window_from: dt.date | None
    window_to: dt.date | None
    total_30d: float = 0.0
    by_subscription: dict[str, float] = field(default_factory=dict)
    by_service: dict[str, float] = field(default_factory=dict)
    by_resource_group: dict[str, float] = field(default_factory=dict)
    by_location: dict[str, float] = field(default_factory=dict)
    daily: list[tuple[dt.date, float]] = field(default_factory=list)
    months: list[tuple[str, float]] = field(default_factory=list)
    month_to_date: float = 0.0
    previous_month_same_days: float = 0.0
    forecast_month_end: float = 0.0
    anomalies: list[Anomaly] = field(default_factory=list)
    untagged_30d: float = 0.0
    untagged_by_subscription: dict[str, tuple[float, float]] = field(default_factory=dict)
    top_resources: list[tuple[str, float]] = field(default_factory=list)
    growing: list[tuple[str, float, float]] = field(default_factory=list)  # (resource id, first week, last week)

    @property
    def untagged_share(self) -> float:
        """Untagged share of the last-30-day spend (0..1)."""
        return self.untagged_30d / self.total_30d if self.total_30d else 0.0

    @property
    def month_over_month(self) -> float | None:
        """Month-to-date vs the same days of the previous month, as a fraction (None without history)."""
        if not self.previous_month_same_days:
            return None
        return self.month_to_date / self.previous_month_same_days - 1.0


def _group_of(resource_id: str) -> str:
    parts = resource_id.split("/")
    return parts[4].lower() if len(parts) > 4 and parts[3].lower() == "resourcegroups" else "(none)"


def _breakdowns(index: EstateIndex, out: Analytics) -> None:
    sub: dict[str, float] = defaultdict(float)
    service: dict[str, float] = defaultdict(float)
    group: dict[str, float] = defaultdict(float)
    location: dict[str, float] = defaultdict(float)
    per_resource: dict[str, float] = {}
    untagged: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for rid, meters in index.cost.last30.items():
        cost = sum(meters.values())
        per_resource[rid] = cost
        parts = rid.split("/")
        sub_id = parts[2] if len(parts) > 2 else "(none)"
        sub[sub_id] += cost
        group[f"{sub_id}/{_group_of(rid)}"] += cost
        row = index.resources.get(rid)
        location[str(row.get("location") or "unknown").lower() if row else UNKNOWN] += cost
        for meter, value in meters.items():
            service[meter] += value
        untagged[sub_id][1] += cost
        if row is None or not row.get("tags"):
            untagged[sub_id][0] += cost
    out.total_30d = sum(per_resource.values())
    out.by_subscription = dict(sub)
    out.by_service = dict(service)
    out.by_resource_group = dict(group)
    out.by_location = dict(location)
    out.untagged_30d = sum(v[0] for v in untagged.values())
    out.untagged_by_subscription = {k: (v[0], v[1]) for k, v in untagged.items()}
    out.top_resources = sorted(per_resource.items(), key=lambda kv: (-kv[1], kv[0]))[:20]


def trend(daily: dict[dt.date, float], end: dt.date) -> list[tuple[dt.date, float]]:
    """The last TREND_DAYS days' spend up to `end`, to the penny (what the report charts and scans for anomalies)."""
    days = [end - dt.timedelta(days=n) for n in range(TREND_DAYS - 1, -1, -1)]
    return [(d, round(daily.get(d, 0.0), 2)) for d in days]


def anomaly_days(daily: dict[dt.date, float], end: dt.date) -> list[dt.date]:
    """The days of the trend whose spend fell outside the expected band (the collection asks for their drivers)."""
    return [found[0] for found in _anomaly_days(trend(daily, end))]


def _trend(index: EstateIndex, out: Analytics) -> None:
    end = index.cost.window_to
    if end is None:
        return
    out.daily = trend(index.cost.daily, end)
    months: dict[str, float] = defaultdict(float)
    for day, cost in index.cost.daily.items():
        months[day.strftime("%Y-%m")] += cost
    out.months = sorted((k, round(v, 2)) for k, v in months.items())
    out.month_to_date = sum(c for d, c in index.cost.daily.items() if (d.year, d.month) == (end.year, end.month))
    prev_end = end.replace(day=1) - dt.timedelta(days=1)
    same = min(end.day, prev_end.day)
    out.previous_month_same_days = sum(c for d, c in index.cost.daily.items()
                                       if (d.year, d.month) == (prev_end.year, prev_end.month) and d.day <= same)
    recent = [index.cost.daily.get(end - dt.timedelta(days=n), 0.0) for n in range(7)]
    remaining = calendar.monthrange(end.year, end.month)[1] - end.day
    out.forecast_month_end = out.month_to_date + statistics.fmean(recent) * remaining


def _anomaly_days(daily: list[tuple[dt.date, float]]) -> list[tuple[dt.date, float, float, float, float]]:
    """One-off days of the trend (trends.find_anomalies: v1's band, less weekly rhythm and runs that are steps)."""
    return [(daily[a.index][0], a.value, a.expected, a.upper, a.lower)
            for a in find_anomalies([c for _, c in daily])]


def _second_pass(inputs: ScanInputs, index: EstateIndex, days: set[dt.date]) -> dict[dt.date, dict[str, float]]:
    """Per-resource cost on the anomaly days only (a second pass, skipped when there are none)."""
    on_day: dict[dt.date, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    if not days:
        return on_day
    cache = DayCache()
    for sub in inputs.subscriptions:
        envelope = sub.raw.get("cost")
        if envelope is None or str(envelope.data.get("currency") or "") != index.cost.currency:
            continue
        data = daily_rows(envelope.data)
        if data is None:  # layout 2 without every resource's days: the anomalous days the collection asked about
            for raw_day, raw_id, cost in columns(section(envelope.data, "anomaly_days"), "UsageDate", "ResourceId",
                                                 "cost") or ():
                day = cache[raw_day]
                if day in days:
                    on_day[day][str(raw_id or "").lower()] += float(cost or 0.0)
            continue
        columns_at = cost_columns(data)
        if columns_at is None or columns_at[2] is None:
            continue
        cost_col, date_col, id_col, _ = columns_at
        for row in data.get("rows") or []:
            day = cache[row[date_col]]
            if day in days:
                on_day[day][str(row[id_col] or "").lower()] += float(row[cost_col] or 0.0)
    return {day: canonical(by_resource) for day, by_resource in on_day.items()}


def compute_analytics(inputs: ScanInputs, index: EstateIndex) -> Analytics:
    """All cost analytics for the report."""
    out = Analytics(index.cost.currency, index.cost.window_from, index.cost.window_to)
    _breakdowns(index, out)
    _trend(index, out)
    end = index.cost.window_to
    if end is None:
        return out
    found = _anomaly_days(out.daily)
    on_day = _second_pass(inputs, index, {f[0] for f in found})
    usual = {rid: sum(m.values()) / 30 for rid, m in index.cost.last30.items()}
    for day, cost, expected, upper, lower in found:
        deltas = sorted(((rid, c - usual.get(rid, 0.0)) for rid, c in on_day.get(day, {}).items()),
                        key=lambda kv: -abs(kv[1]))[:3]
        services = index.cost.daily_service.get(day, {})
        svc_usual = {s: statistics.fmean(index.cost.daily_service.get(day - dt.timedelta(days=n), {}).get(s, 0.0)
                                         for n in range(1, 8)) for s in services}
        svc = sorted(((s, c - svc_usual[s]) for s, c in services.items()), key=lambda kv: -abs(kv[1]))[:3]
        out.anomalies.append(Anomaly(day, round(cost, 2), round(expected, 2), round(upper, 2), round(lower, 2),
                                     [(r, round(d, 2)) for r, d in deltas], [(s, round(d, 2)) for s, d in svc]))
    full_week = (1 << GROWTH_DAYS) - 1
    weeks = index.cost
    for rid, start in weeks.first_week.items():
        finish = weeks.last_week.get(rid, 0.0)
        # A resource that did not bill all seven first-week days was created mid-week: not growth.
        if weeks.first_week_days[rid] == full_week and finish > start * GROWTH_RATIO and finish / GROWTH_DAYS >= 1:
            out.growing.append((rid, round(start, 2), round(finish, 2)))
    out.growing.sort(key=lambda g: -(g[2] - g[1]))
    return out
