"""What the cost collection asks Cost Management, step by step (docs/data-contract.md, "Cost Management").

Every step is one query at subscription scope, read to its last page. Every subscription reads C2 and T first
(`common_steps`); T's rows then decide how its days are read (`reads_every_day`): C1, every resource's days a
month per query, which issue 16's analytics read, or the summary steps that stand in for it on a large scan
(`summary_steps`). Added once their inputs exist: per-resource daily `series` (summary only: the resources a
rule or a report section reads day by day), `capacity` (the daily "Data Stored" meters of the storage accounts
a rule reads) and `drivers` (summary only: each resource's cost on a day the estate's spend was anomalous).
Bodies are built, never stored.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from shared.collectors.cost_state import SeriesRequest

AMORTIZED, ACTUAL = "AmortizedCost", "ActualCost"
SAVINGS_DAYS = 30  # the analysis's "last 30 days" (shared.analysis.costs.WINDOW_DAYS; a test keeps them equal)
# Meter categories whose rules price by meter (the rules' `meters` key) including C2's Storage: one query serves both.
METER_CATEGORIES = ("Storage", "Load Balancer", "Application Gateway", "Azure DDOS Protection", "Backup",
                    "Azure Cosmos DB", "SQL Database", "SQL Managed Instance", "Azure Firewall")
VM_CATEGORIES = ("Virtual Machines", "Virtual Machines Licenses")
MAX_FILTER_VALUES = 200  # ids per `In` comparison; longer lists become several comparisons joined by `or`
RESOURCE_DAYS = "resource_days"  # the section of every resource's days (C1's rows)
PAGE_ROWS = 5000  # rows per Query_Usage page (docs/estate-format.md)
# C1 (every resource's days) is read when it costs at most 12 pages, or when the whole scan read that way fits
# 125 pages: the 500 QPU an hour Caleta books per tenant (quota.LIMITS) spread over the 15 minutes a first review
# should take. Otherwise the summary steps (D 4 and E 2 over 90 days: about 6 QPU, and the drivers), which lose
# per-resource days. 12 was the summary steps' price while they also read the two weeks and their series; C1 is
# still worth up to 12 to a subscription that small (the per-resource analytics), so the bound stays.
SUMMARY_PAGES = 12
EVERY_DAY_MAX_PAGES = 125
# A subscription read by the summary steps reads an anomalous day's resource costs (a QPU a day) only when its own
# spend that day moved among the most in the scan: the analysis names at most three drivers a day
# (analytics.compute_analytics), and asking all 50 subscriptions of a large scan would cost 50 QPU a day.
DRIVER_SUBSCRIPTIONS = 3


@dataclass(frozen=True)
class Windows:
    """The scan's dates: the history window and the savings window (last 30 days)."""

    start: dt.date
    end: dt.date

    @property
    def last30(self) -> tuple[dt.date, dt.date]:
        """The savings window (clipped to the history)."""
        return max(self.start, self.end - dt.timedelta(days=SAVINGS_DAYS - 1)), self.end

    @property
    def earlier(self) -> tuple[dt.date, dt.date] | None:
        """History before the savings window, when there is any."""
        first = self.last30[0]
        return (self.start, first - dt.timedelta(days=1)) if first > self.start else None

    def months(self) -> list[tuple[dt.date, dt.date]]:
        """Calendar-month pieces of the history window, oldest first (Daily data is asked a month at a time)."""
        return split_months(self.start, self.end)


def windows_for(day: dt.date, history_days: int) -> Windows:
    """The windows of a scan made on `day`: `history_days` days ending yesterday."""
    end = day - dt.timedelta(days=1)
    return Windows(end - dt.timedelta(days=max(1, history_days) - 1), end)


def split_months(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """[start, end] cut at calendar-month boundaries."""
    out = []
    while start <= end:
        next_month = (start.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        last = min(end, next_month - dt.timedelta(days=1))
        out.append((start, last))
        start = last + dt.timedelta(days=1)
    return out


@dataclass(frozen=True)
class Step:
    """One query: where its rows go, its cost type, window, granularity, groupings and filter."""

    name: str
    section: str
    start: dt.date
    end: dt.date
    granularity: str = "None"
    grouping: tuple[tuple[str, str], ...] = ()
    filter: dict[str, Any] | None = None
    cost_type: str = AMORTIZED
    note: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def days(self) -> int:
        """Days of data the query covers."""
        return (self.end - self.start).days + 1

    @property
    def qpu(self) -> int:
        """What Caleta books per request: a QPU per 31 days of data (Microsoft: 1 QPU per month queried)."""
        return max(1, math.ceil(self.days / 31))

    def body(self, cost_column: str) -> dict[str, Any]:
        """The Query_Usage definition (the same body is POSTed again for every next page)."""
        dataset: dict[str, Any] = {
            "granularity": self.granularity,
            "aggregation": {"totalCost": {"name": cost_column, "function": "Sum"}},
            "grouping": [{"type": kind, "name": name} for kind, name in self.grouping]}
        if self.filter is not None:
            dataset["filter"] = self.filter
        period = {"from": f"{self.start.isoformat()}T00:00:00Z", "to": f"{self.end.isoformat()}T23:59:59Z"}
        return {"type": self.cost_type, "timeframe": "Custom", "timePeriod": period, "dataset": dataset}


def dimension_in(name: str, values: Sequence[str]) -> dict[str, Any]:
    """A filter: dimension `name` is one of `values` (long lists split and joined by `or`)."""
    chunks = [list(values[i:i + MAX_FILTER_VALUES]) for i in range(0, len(values), MAX_FILTER_VALUES)]
    parts = [{"dimensions": {"name": name, "operator": "In", "values": chunk}} for chunk in chunks]
    return parts[0] if len(parts) == 1 else {"or": parts}


def all_of(*parts: dict[str, Any] | None) -> dict[str, Any] | None:
    """`and` of the given filters (None parts left out; one part stays itself)."""
    present = [p for p in parts if p is not None]
    if not present:
        return None
    return present[0] if len(present) == 1 else {"and": present}


def any_of(parts: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """`or` of the given filters (one stays itself)."""
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else {"or": list(parts)}


_RID, _CAT, _METER = ("Dimension", "ResourceId"), ("Dimension", "MeterCategory"), ("Dimension", "Meter")


def common_steps(w: Windows) -> list[Step]:
    """What every subscription reads first, whichever way its days are read: C2 (the last 30 days by meter) and T
    (by resource and meter category), whose rows size C1 (`resource_day_pages`)."""
    first, last = w.last30
    return [Step("meters", "meters", first, last, grouping=(_RID, _METER),
                 filter=dimension_in("MeterCategory", METER_CATEGORIES)),
            Step("totals", "totals", first, last, grouping=(_RID, _CAT))]


def summary_steps(w: Windows) -> list[Step]:
    """The steps that stand in for every resource's days on a large subscription, after T: daily totals by
    category (other tasks wait for them, see `drivers`) and resource totals before the savings window. The first
    and last weeks' resource totals (COST-1's growth) are not asked: at a QPU each they would put a
    50-subscription scan past the hour's budget (docs/data-contract.md, "Which way the days are read")."""
    steps = [Step(f"daily:{a:%Y-%m}", "daily", a, b, "Daily", (_CAT,)) for a, b in w.months()]
    if w.earlier is not None:
        steps.append(Step("earlier", "earlier", *w.earlier, grouping=(_RID,)))
    return steps


def sized_steps(pairs: int, w: Windows, scan_subscriptions: int = 1,
                max_pages: int = EVERY_DAY_MAX_PAGES) -> list[Step]:
    """The steps a subscription whose T has `pairs` rows reads before the series, capacity and drivers."""
    every_day = reads_every_day(pairs, w, scan_subscriptions, max_pages)
    chosen = resource_day_steps(w) if every_day else summary_steps(w)
    return common_steps(w) + chosen


def resource_day_steps(w: Windows) -> list[Step]:
    """C1 as before issue 17: every resource's daily cost by MeterCategory over the history window, a month per
    query. Issue 16's analytics (shared/analysis/resource_days.py: movers, new and stopped costs, level-shift and
    run-rate drivers, bill rates) read each resource's days; the rest of the analysis reads them as layout 1."""
    return [Step(f"resource_days:{a:%Y-%m}", RESOURCE_DAYS, a, b, "Daily", (_RID, _CAT)) for a, b in w.months()]


def resource_day_pages(pairs: int, w: Windows) -> int:
    """Pages C1 would take when each of T's rows (a resource and meter category billed in the savings window) has
    a row every day: the upper estimate (a resource billed on some days only has fewer)."""
    return sum(math.ceil(max(1, pairs) * ((b - a).days + 1) / PAGE_ROWS) for a, b in w.months())


def reads_every_day(pairs: int, w: Windows, scan_subscriptions: int = 1,
                    max_pages: int = EVERY_DAY_MAX_PAGES) -> bool:
    """Whether to read C1 rather than the summary steps: when C1 (sized by T's `pairs` rows) costs no more than the
    summary steps, or fits this subscription's share of `max_pages` among the scan's subscriptions (each taken to
    be this size; docs/data-contract.md, "Which way the days are read"). `max_pages` 0: never."""
    share = max_pages // max(1, scan_subscriptions)
    return resource_day_pages(pairs, w) <= max(min(SUMMARY_PAGES, max_pages), share)


def series_steps(requests: Iterable[SeriesRequest], w: Windows) -> list[Step]:
    """One Daily query per calendar month the requests touch, filtered to their resources (and categories)."""
    wanted = [r for r in requests if r.ids and r.since <= r.until]
    if not wanted:
        return []
    lo = max(w.start, min(r.since for r in wanted))
    hi = min(w.end, max(r.until for r in wanted))
    steps = []
    for a, b in split_months(lo, hi):
        inside = [r for r in wanted if r.since <= b and r.until >= a]
        if not inside:
            continue
        clauses = [all_of(dimension_in("ResourceId", r.ids),
                          dimension_in("MeterCategory", r.categories) if r.categories else None) for r in inside]
        start, end = max(a, min(r.since for r in inside)), min(b, max(r.until for r in inside))
        steps.append(Step(f"series:{a:%Y-%m}", "series", start, end, "Daily", (_RID, _CAT),
                          any_of([c for c in clauses if c is not None])))
    return steps


def capacity_step(accounts: Sequence[str], meters: Sequence[str], w: Windows) -> list[Step]:
    """The daily "Data Stored" meters of the given storage accounts over the savings window (none: no step)."""
    if not accounts or not meters:
        return []
    return [Step("capacity", "capacity", *w.last30, "Daily", (_RID, _METER),
                 all_of(dimension_in("ResourceId", accounts), dimension_in("Meter", meters)))]


def driver_steps(days: Iterable[dt.date], w: Windows) -> list[Step]:
    """Each resource's cost on each anomalous day of the history window."""
    return [Step(f"drivers:{d:%Y%m%d}", "anomaly_days", d, d, grouping=(_RID,), note={"day": d.isoformat()})
            for d in sorted(set(days)) if w.start <= d <= w.end]
