"""What the cost collection asks of the analysis: which resources' days it reads, and the estate's anomalous days.

Daily rows are asked only for the resources the rules and report sections read day by day (issue 17 §3). The
rules say which by running: a dry run of every inventory rule over one subscription's inventory and the cost
data collected so far, with `EstateIndex.recorder` set, writes down every `daily_costs` and `capacity_daily` call
instead of answering it. A rule's candidates come from the inventory, less exclusions another subscription or
Advisor may add, so the real run asks for a subset of what the dry run recorded. COST-1's growth candidates come
from the first and last week totals (cost_sections.growth_candidates). The anomalous days are found on the whole
estate's daily totals, as the analysis will find them (analytics.anomaly_days).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from typing import Any

from shared.analysis.analytics import anomaly_days
from shared.analysis.cost_detail import SeriesRecorder
from shared.analysis.cost_sections import columns, growth_candidates, week_sums
from shared.analysis.costs import parse_day
from shared.analysis.index import build_index
from shared.analysis.model import ScanInputs, SubscriptionInputs
from shared.analysis.rules.base import RuleContext
from shared.analysis.rules.registry import all_rules
from shared.collectors.cost_plan import DRIVER_SUBSCRIPTIONS, SAVINGS_DAYS
from shared.collectors.cost_state import SeriesNeeds, SeriesRequest
from shared.rawdata import RawEnvelope

logger = logging.getLogger(__name__)



def _envelope(source: str, subscription_id: str, data: dict[str, Any]) -> RawEnvelope:
    return RawEnvelope(source=source, scan_id="dry-run", subscription_id=subscription_id,  # type: ignore[arg-type]
                       collected_at=dt.datetime.now(dt.UTC), api_versions={}, row_count=0, data=data)


def rule_requests(subscription_id: str, graph: dict[str, Any], cost: dict[str, Any]) -> SeriesRecorder:
    """Every daily series the inventory rules ask for on this subscription (a dry run, nothing answered)."""
    raw = {"resource-graph": _envelope("resource-graph", subscription_id, graph),
           "cost": _envelope("cost", subscription_id, cost)}
    inputs = ScanInputs(customer_id="dry-run", scan_id="dry-run", company="", generated_at=dt.datetime.now(dt.UTC),
                        subscriptions=[SubscriptionInputs(subscription_id, None, None, raw)])
    index = build_index(inputs)
    index.recorder = SeriesRecorder()
    ctx = RuleContext(index=index, currency=index.cost.currency or "GBP",
                      today=index.cost.window_to or dt.datetime.now(dt.UTC).date())
    for rule in all_rules():
        try:
            for _ in rule(ctx):
                pass
        except Exception:  # one rule's defect must not stop the collection; the real run will show it
            logger.exception("dry run: a rule failed while listing its daily series")
    return index.recorder


def plan_needs(subscription_id: str, graph: dict[str, Any] | None, cost: dict[str, Any]) -> SeriesNeeds:
    """The daily series, capacity meters and allocation tag one subscription's collection should read."""
    last30 = cost.get("last30") or {}
    first, end = parse_day(last30.get("from", "")), parse_day(last30.get("to", ""))
    if first is None or end is None:
        return SeriesNeeds(missing={"series": "no savings window"})
    requests: list[SeriesRequest] = []
    grow = growth_candidates(week_sums(cost, "first_week"), week_sums(cost, "last_week"))
    if grow:
        requests.append(SeriesRequest(tuple(sorted(grow)), (), first, min(end, first + dt.timedelta(days=6))))
    missing: dict[str, str] = {}
    capacity: tuple[str, ...] = ()
    if graph is None:
        missing["series"] = "the subscription's inventory was not collected: rules reading days were not asked"
    else:
        recorded = rule_requests(subscription_id, graph, cost)
        merged: dict[tuple[frozenset[str], dt.date], set[str]] = defaultdict(set)
        for ids, categories, since in recorded.series:
            merged[(categories, since)] |= set(ids)
        requests += [SeriesRequest(tuple(sorted(ids)), tuple(sorted(cats)), since, end)
                     for (cats, since), ids in sorted(merged.items(), key=lambda kv: (kv[0][1], sorted(kv[0][0])))
                     if ids]
        capacity = tuple(sorted(recorded.capacity))
    return SeriesNeeds(tuple(requests), capacity, missing)


def estate_anomaly_days(summaries: list[dict[str, Any]]) -> list[dt.date]:
    """The estate's anomalous days from every subscription's daily totals (cost_envelope.daily_summary, in the
    scan's subscription order), as the analysis will find them: same currency choice, same sums, same detector."""
    currency = _currency(summaries)
    daily: dict[dt.date, float] = defaultdict(float)
    ends = [d for p in summaries if (d := parse_day((p.get("window") or {}).get("to", ""))) is not None]
    for data in summaries:
        if str(data.get("currency") or "") != currency:
            continue
        for raw_day, cost in columns(data.get("daily"), "UsageDate", "cost") or ():
            day = parse_day(raw_day)
            if day is not None:
                daily[day] += float(cost or 0.0)
    return anomaly_days(daily, max(ends)) if ends and daily else []


def driver_days(summaries: list[dict[str, Any]], subscription_id: str) -> list[dt.date]:
    """The estate's anomalous days on which this subscription reads each resource's cost: those where its spend
    moved from its usual (last-30-day total / 30, as the analysis measures a driver's change) more than all but
    fewer than DRIVER_SUBSCRIPTIONS of the others'. A summary without the ranking fields (a collection of the
    previous version) leaves every day asked, as before."""
    days = estate_anomaly_days(summaries)
    currency, by_subscription = _daily_totals(summaries)
    me = subscription_id.lower()
    mine = next(((data, d) for data, d in by_subscription if str(data.get("subscription") or "") == me), None)
    if not days or mine is None or "last30_total" not in mine[0]:
        return days
    if str(mine[0].get("currency") or "") != currency:
        return []  # the analysis leaves this subscription's cost out of the estate's days and drivers

    def moved(data: dict[str, Any], daily: dict[dt.date, float], day: dt.date) -> float:
        return abs(daily.get(day, 0.0) - float(data["last30_total"]) / SAVINGS_DAYS)

    others = [(data, d) for data, d in by_subscription if data is not mine[0] and "last30_total" in data
              and str(data.get("currency") or "") == currency]
    out = []
    for day in days:
        own = moved(*mine, day)
        ahead = sum(1 for data, d in others
                    if (m := moved(data, d, day)) > own or (m == own and str(data.get("subscription")) < me))
        if ahead < DRIVER_SUBSCRIPTIONS:
            out.append(day)
    return out


def _currency(summaries: list[dict[str, Any]]) -> str:
    """The scan's currency: the one most resource totals are in (costs.pick_currency's choice)."""
    weights: dict[str, int] = defaultdict(int)
    for data in summaries:
        weights[str(data.get("currency") or "")] += int(data.get("weight") or 0)
    return max(weights, key=lambda c: weights[c]) if weights else ""


def _daily_totals(summaries: list[dict[str, Any]]) -> tuple[str, list[tuple[dict[str, Any], dict[dt.date, float]]]]:
    """The scan's currency and each summary's spend per day."""
    out = []
    for data in summaries:
        daily: dict[dt.date, float] = defaultdict(float)
        for raw_day, cost in columns(data.get("daily"), "UsageDate", "cost") or ():
            day = parse_day(raw_day)
            if day is not None:
                daily[day] += float(cost or 0.0)
        out.append((data, daily))
    return _currency(summaries), out
