"""Reading a cost envelope of layout 2 (shared/collectors/cost_envelope.py) into the same CostIndex as layout 1.

Layout 1 held every day of every resource; layout 2 holds what the analysis reads of it (docs/data-contract.md):
totals per resource and meter category over the last 30 days, per resource before them, daily totals per meter
category, the first and last week per resource, and daily rows only for the resources whose days are read (the
growth candidates among them). Both layouts give the same index: the same sums, to rounding in the sixth decimal.
Since issue 16's analytics landed, layout 2 carries C1's daily rows of every resource as well (its
`resource_days` section): an envelope that has them is read from them, as layout 1 is (`daily_rows`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Mapping
from itertools import repeat
from operator import itemgetter
from typing import Any, Protocol

from shared.collectors.cost_plan import RESOURCE_DAYS

_COST_COLUMNS = ("Cost", "PreTaxCost", "CostUSD", "PreTaxCostUSD")
GROWTH_DAYS = 7
GROWTH_RATIO = 1.2


class CostIndexLike(Protocol):
    """The parts of costs.CostIndex this module fills (a protocol: costs.py imports this module)."""

    has_data: bool
    last30: dict[str, dict[str, float]]
    window_total: dict[str, float]
    daily: dict[dt.date, float]
    daily_service: dict[dt.date, dict[str, float]]
    by_subscription: dict[str, float]
    first_week: dict[str, float]
    first_week_days: dict[str, int]
    last_week: dict[str, float]

    @property
    def last30_from(self) -> dt.date | None: ...


Days = Mapping[Any, "dt.date | None"]


def is_layout2(data: dict[str, Any]) -> bool:
    """Whether a cost envelope's data is layout 2 (sections) rather than layout 1 (daily rows)."""
    return data.get("layout") == 2 and isinstance(data.get("sections"), dict)


def section(data: dict[str, Any], name: str) -> dict[str, Any] | None:
    """One section of a layout-2 envelope, None when it was not collected."""
    found = (data.get("sections") or {}).get(name)
    return found if isinstance(found, dict) else None


def daily_rows(data: dict[str, Any]) -> dict[str, Any] | None:
    """Every resource's daily cost rows as a layout-1 envelope: layout 1 itself, layout 2's `resource_days` section
    (with the envelope's currency and window); None for a layout-2 envelope without that section."""
    if not is_layout2(data):
        return data
    part = section(data, RESOURCE_DAYS)
    if part is None:
        return None
    return {**part, "currency": data.get("currency"), "window": data.get("window")}


def columns(part: dict[str, Any] | None, *names: str) -> Iterator[tuple[Any, ...]] | None:
    """The named columns of a section row by row ("cost" for whichever cost column is present; a column the
    answer lacks reads as None); None when the section is absent or has no cost column."""
    if part is None:
        return None
    have = {str(c.get("name")): i for i, c in enumerate(part.get("columns") or []) if isinstance(c, dict)}
    cost = next((have[c] for c in _COST_COLUMNS if c in have), None)
    if cost is None:
        return None
    rows = part.get("rows") or []
    picks = [cost if n == "cost" else have.get(n) for n in names]
    return zip(*(_column(rows, at) for at in picks), strict=False)


def _column(rows: Any, at: int | None) -> Iterator[Any]:
    """One column of the rows (columnar rows are read in place; a missing column is all None)."""
    if at is None:
        return repeat(None)
    column = getattr(rows, "column", None)
    return column(at) if column is not None else map(itemgetter(at), rows)


def growth_candidates(first: dict[str, float], last: dict[str, float]) -> set[str]:
    """Resources whose last week could beat their first by GROWTH_RATIO: a superset of COST-1's (the first week
    summed with any negative rows is never above the positive rows alone, which COST-1 compares)."""
    return {rid for rid, start in first.items()
            if last.get(rid, 0.0) > start * GROWTH_RATIO and last.get(rid, 0.0) / GROWTH_DAYS >= 1}


def week_sums(data: dict[str, Any], name: str) -> dict[str, float]:
    """Cost per resource (lower-case id) of the first_week or last_week section."""
    out: dict[str, float] = {}
    for raw_id, cost in columns(section(data, name), "ResourceId", "cost") or ():
        rid = str(raw_id or "").lower()
        if rid:
            out[rid] = out.get(rid, 0.0) + float(cost or 0.0)
    return out


def add_sections(index: CostIndexLike, data: dict[str, Any], subscription_id: str, days: Days) -> None:
    """Add one layout-2 envelope to the index (the layout-1 reader is costs._add_cost_rows)."""
    sub_total, seen = 0.0, False
    for raw_day, cost, meter in columns(section(data, "daily"), "UsageDate", "cost", "MeterCategory") or ():
        day = days[raw_day]
        if day is None:
            continue
        value, seen = float(cost or 0.0), True
        index.daily[day] += value
        index.daily_service[day][meter or "Other"] += value
        sub_total += value
    for raw_id, cost, meter in columns(section(data, "totals"), "ResourceId", "cost", "MeterCategory") or ():
        seen = True
        rid = str(raw_id or "").lower()
        if rid:
            index.last30[rid][meter or "Other"] += float(cost or 0.0)
            index.window_total[rid] += float(cost or 0.0)
    for raw_id, cost in columns(section(data, "earlier"), "ResourceId", "cost") or ():
        rid = str(raw_id or "").lower()
        if rid:
            index.window_total[rid] += float(cost or 0.0)
    last = week_sums(data, "last_week")
    for rid, cost in last.items():
        index.last_week[rid] += cost
    _first_week(index, data, growth_candidates(week_sums(data, "first_week"), last), days)
    index.by_subscription[subscription_id] += sub_total
    index.has_data = index.has_data or seen


def _first_week(index: CostIndexLike, data: dict[str, Any], wanted: set[str], days: Days) -> None:
    """COST-1's first-week sums and billed days, from the daily rows of the growth candidates."""
    cutoff = index.last30_from
    if cutoff is None or not wanted:
        return
    first_to = cutoff + dt.timedelta(days=GROWTH_DAYS - 1)
    for raw_day, cost, raw_id in columns(section(data, "series"), "UsageDate", "cost", "ResourceId") or ():
        rid, day, value = str(raw_id or "").lower(), days[raw_day], float(cost or 0.0)
        if rid in wanted and day is not None and cutoff <= day <= first_to and value > 0:
            index.first_week[rid] += value
            index.first_week_days[rid] |= 1 << (day - cutoff).days


def row_weight(data: dict[str, Any]) -> int:
    """How much a subscription's envelope weighs when the scan's billing currency is chosen: its rows (layout 1)
    or its resource totals (layout 2 without daily rows). Only a scan mixing currencies can tell the two apart."""
    rows = daily_rows(data)
    if rows is None:
        return len((section(data, "totals") or {}).get("rows") or [])
    return len(rows.get("rows") or [])


def pick_currency(envelopes: list[dict[str, Any]]) -> str:
    """The currency most of the scan's cost rows are in (the bill's)."""
    counts: dict[str, int] = defaultdict(int)
    for data in envelopes:
        counts[str(data.get("currency") or "")] += row_weight(data)
    return max(counts, key=lambda c: counts[c]) if counts else ""
