"""Cost detail beyond costs.py's index: the optional cost-by-meter section and per-day series for a few resources.

The cost envelope may carry cost by meter (docs/data-contract.md C2): in layout 1 the optional `meters` key, daily
amortized cost over the last 30 days grouped by ResourceId and Meter; in layout 2 the `meters` section (the same
grouping over the same days, granularity None) and the `capacity` section (the "Data Stored" meters day by day, for
the storage accounts a rule reads). Without it, `MeterCosts.collected` is False and rules fall back as
docs/checks.md says.

Per-day series (`daily_costs`) take one extra pass over the cost rows for a given set of resources: layout 1's
rows, or layout 2's `series` section (daily rows of just the resources the rules ask for); rules ask for their few
candidates only, never for the whole estate.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter
from typing import Any

from shared.analysis.cost_sections import columns, daily_rows, is_layout2, section
from shared.analysis.cost_sums import canonical, canonical_nested
from shared.analysis.costs import WINDOW_DAYS, parse_day

_COST_COLUMNS = ("Cost", "PreTaxCost", "CostUSD", "PreTaxCostUSD")
# Meters whose daily series is kept (STO-2 reads capacity growth): AOE's "meters ending 'Data Stored'".
CAPACITY_METER_SUFFIX = "data stored"


def _column(rows: Any, index: int | None, default: Any) -> Iterator[Any]:
    """One column: read in place from columnar rows (shared/analysis/columnar.py), else picked per row."""
    if index is None:
        return repeat(default)
    column = getattr(rows, "column", None)
    return column(index) if column is not None else map(itemgetter(index), rows)


def _positions(data: dict[str, Any], *names: str) -> dict[str, int] | None:
    """Column positions by name, with "cost" for whichever cost column is present; None without cost or date."""
    have = [str(c.get("name")) for c in data.get("columns") or [] if isinstance(c, dict)]
    pos = {name: i for i, name in enumerate(have)}
    cost = next((pos[c] for c in _COST_COLUMNS if c in pos), None)
    if cost is None or "UsageDate" not in pos:
        return None
    return {"cost": cost, "UsageDate": pos["UsageDate"], **{n: pos[n] for n in names if n in pos}}


@dataclass
class SeriesRecorder:
    """In a dry run of the rules (shared/analysis/series_needs.py): every daily series they ask for, unanswered."""

    series: list[tuple[frozenset[str], frozenset[str], dt.date]] = field(default_factory=list)
    capacity: set[str] = field(default_factory=set)


@dataclass
class MeterCosts:
    """Last-30-day cost by resource and meter name, and the daily series of capacity ("Data Stored") meters."""

    collected: bool = False
    last30: dict[str, dict[str, float]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(float)))
    capacity_daily: dict[str, dict[dt.date, float]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(float)))


def read_meter_costs(envelopes: Iterable[dict[str, Any]], currency: str, window_to: dt.date | None) -> MeterCosts:
    """Index every cost envelope's `meters` section in the billing currency (rows of other currencies skipped)."""
    out = MeterCosts()
    cutoff = window_to - dt.timedelta(days=WINDOW_DAYS - 1) if window_to else None
    for data in envelopes:
        if is_layout2(data):
            if str(data.get("currency") or "") == currency and _add_meter_sections(out, data, currency):
                out.collected = True
            continue
        section = data.get("meters")
        if not isinstance(section, dict) or str(data.get("currency") or "") != currency:
            continue
        at = _positions(section, "ResourceId", "Meter", "Currency")
        if at is None or "ResourceId" not in at or "Meter" not in at:
            continue
        out.collected = True
        rows = section.get("rows") or []
        for raw_day, raw_cost, raw_id, raw_meter, raw_currency in zip(
                _column(rows, at["UsageDate"], None), _column(rows, at["cost"], 0.0),
                _column(rows, at["ResourceId"], ""), _column(rows, at["Meter"], ""),
                _column(rows, at.get("Currency"), currency), strict=False):
            day = parse_day(raw_day)
            if day is None or (cutoff is not None and day < cutoff) or (raw_currency or currency) != currency:
                continue
            rid, meter, cost = str(raw_id or "").lower(), str(raw_meter or ""), float(raw_cost or 0.0)
            if not rid:
                continue
            out.last30[rid][meter] += cost
            if meter.lower().endswith(CAPACITY_METER_SUFFIX):
                out.capacity_daily[rid][day] += cost
    out.last30 = canonical_nested(out.last30)
    out.capacity_daily = canonical_nested(out.capacity_daily)  # type: ignore[arg-type,assignment]
    return out


def _add_meter_sections(out: MeterCosts, data: dict[str, Any], currency: str) -> bool:
    """Layout 2: the last-30-day totals by meter, and the capacity meters day by day; False when not collected."""
    rows = columns(section(data, "meters"), "ResourceId", "Meter", "cost", "Currency")
    if rows is None:
        return False
    for raw_id, raw_meter, cost, raw_currency in rows:
        rid = str(raw_id or "").lower()
        if rid and (raw_currency or currency) == currency:
            out.last30[rid][str(raw_meter or "")] += float(cost or 0.0)
    for raw_day, raw_id, raw_meter, cost, raw_currency in columns(
            section(data, "capacity"), "UsageDate", "ResourceId", "Meter", "cost", "Currency") or ():
        day, rid = parse_day(raw_day), str(raw_id or "").lower()
        if day is not None and rid and (raw_currency or currency) == currency \
                and str(raw_meter or "").lower().endswith(CAPACITY_METER_SUFFIX):
            out.capacity_daily[rid][day] += float(cost or 0.0)
    return True


def series_sources(envelopes: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """What `daily_costs` reads: every resource's daily rows (layout 1's whole envelope, layout 2's `resource_days`
    section), else layout 2's `series` section (with the currency)."""
    out = []
    for data in envelopes:
        if (rows := daily_rows(data)) is not None:
            out.append(rows)
        elif (series := section(data, "series")) is not None:
            out.append({**series, "currency": data.get("currency")})
    return out


def daily_costs(envelopes: Iterable[dict[str, Any]], currency: str, wanted: set[str],
                categories: set[str], since: dt.date) -> dict[str, dict[dt.date, float]]:
    """Per-day cost from `since` of the resources in `wanted` (lower-case ids), on the given meter categories."""
    out: dict[str, dict[dt.date, float]] = {rid: defaultdict(float) for rid in wanted}
    if not wanted:
        return out
    days: dict[Any, dt.date | None] = {}
    lowered: dict[Any, str] = {}  # each resource id repeats once per day and category: lower-case it once
    for data in envelopes:
        if str(data.get("currency") or "") != currency:
            continue
        at = _positions(data, "ResourceId", "MeterCategory", "ServiceName")
        if at is None or "ResourceId" not in at:
            continue
        category_at = at.get("MeterCategory", at.get("ServiceName"))
        rows = data.get("rows") or []
        for raw_id, raw_day, raw_cost, raw_category in zip(
                _column(rows, at["ResourceId"], ""), _column(rows, at["UsageDate"], None),
                _column(rows, at["cost"], 0.0), _column(rows, category_at, ""), strict=False):
            rid = lowered.get(raw_id)
            if rid is None:
                rid = lowered[raw_id] = str(raw_id or "").lower()
            if rid not in wanted or (categories and raw_category not in categories):
                continue
            if raw_day not in days:
                days[raw_day] = parse_day(raw_day)
            day = days[raw_day]
            if day is not None and day >= since:
                out[rid][day] += float(raw_cost or 0.0)
    return {rid: canonical(series) for rid, series in out.items()}
