"""Issue 16's analytics in one call: `compute_insights` runs beside v1's `compute_analytics` (design D8, D10).

One second pass over the cost rows (resource_days), then pure functions. v1's `Analytics` is left untouched so
today's report stays byte-identical; report.json v2's analytics block is v1's fields plus `CostInsights.to_dict()`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence

from shared.analysis.cash import actual_vs_amortized
from shared.analysis.context import EstateContext
from shared.analysis.extras import anomaly_alerts, budgets, cost_table, policy_assignments
from shared.analysis.guardrail_commands import COSTLY_TYPES
from shared.analysis.guardrails import SubscriptionState, guardrails
from shared.analysis.index import EstateIndex
from shared.analysis.insights_model import DayCost, money
from shared.analysis.insights_views import BudgetStatus, CostInsights, Tags
from shared.analysis.model import ScanInputs
from shared.analysis.movers import Lookup, hygiene_threshold, movers, new_and_stopped, new_cost_threshold
from shared.analysis.offers import Offer, offers
from shared.analysis.resource_days import ResourceDays, build_resource_days, is_resource
from shared.analysis.signals import collect_signals, growth
from shared.analysis.spend import (
    SpendBasis,
    by_environment,
    by_location,
    by_resource_group,
    by_service,
    by_subscription,
    spend_basis,
    top_resources,
)
from shared.analysis.tags import tag_views
from shared.analysis.timeline import anomaly_rows, build_timeline, level_shifts, months, run_rate, weekend_ratio

DEFAULT_LOCATION = "uksouth"  # Caleta's customers are UK companies; it only places a policy's managed identity
ALLOCATION_ROLES = ("owner", "cost_centre", "environment")


def findings_by_resource(findings: Sequence[object]) -> dict[str, tuple[str, ...]]:
    """Lower-case resource id -> ids of the findings on it (each finding's resources, else its resource_id)."""
    out: dict[str, list[str]] = defaultdict(list)
    for f in findings:
        fid = str(getattr(f, "id", ""))
        for rid in getattr(f, "resources", ()) or (getattr(f, "resource_id", ""),):
            if fid not in out[str(rid).lower()]:
                out[str(rid).lower()].append(fid)
    return {k: tuple(v) for k, v in out.items()}


def resource_names(index: EstateIndex, sub_names: Mapping[str, str]) -> dict[str, str]:
    """Lower-case id -> inventory name; subscriptions by display name (customer data: escape when shown)."""
    out = {rid: str(row.get("name") or "") for rid, row in index.resources.items()}
    out.update({f"/subscriptions/{sub}": name for sub, name in sub_names.items()})
    return out


def _budget_status(sub_budgets: tuple[object, ...] | None) -> tuple[BudgetStatus, ...] | None:
    if sub_budgets is None:
        return None
    out = []
    for b in sub_budgets:
        amount, spent = getattr(b, "amount", 0.0), getattr(b, "current_spend", None)
        out.append(BudgetStatus(str(getattr(b, "name", "")), round(amount, 2), str(getattr(b, "time_grain", "")),
                                round(spent / amount, 4) if spent is not None and amount else None))
    return tuple(out)


def _per_sub(days: ResourceDays, basis: SpendBasis, start: int, end: int) -> tuple[dict[str, float], dict[str, str]]:
    """Each subscription's monthly run-rate (anomaly days replaced) and its main region (most spend)."""
    rates: dict[str, float] = defaultdict(float)
    regions: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for r, rid in enumerate(days.ids):
        rates[days.subs[r]] += 30 * days.total(r, start, end) / max(end - start, 1)
        row = basis.context.row_of(rid)
        location = str(row.get("location") or "").lower() if row else ""
        if location and location != "global":
            regions[days.subs[r]][location] += basis.now30[r]
    return dict(rates), {s: max(sorted(by), key=lambda loc: by[loc]) for s, by in regions.items() if by}


def _states(inputs: ScanInputs, index: EstateIndex, found: CostInsights, sub_offers: Mapping[str, Offer],
            regions: Mapping[str, str], measured: Mapping[str, float]) -> list[SubscriptionState]:
    present: dict[str, set[str]] = defaultdict(set)
    for arm_type in (t.lower() for t in COSTLY_TYPES):
        for row in index.of_type(arm_type):
            present[str(row.get("subscriptionId") or "").lower()].add(arm_type)
    billed = {b.subscription_id: b.coverage for b in found.tags.billed or ()}
    main = next((v for v in found.tags.keys if v.role in ("owner", "cost_centre")), None)
    allocation = [v for v in found.tags.keys if v.role in ALLOCATION_ROLES]
    spend = {s.subscription_id: s for s in found.by_subscription}
    out = []
    for sub in inputs.subscriptions:
        sid = sub.subscription_id.lower()
        spent = spend.get(sid)
        has_cost = spent is not None and spent.amount > 0
        coverage = tuple((v.key, v.coverage, direct) for v in allocation for s, direct, _ in v.by_subscription
                         if s == sid)
        mine = next(((d, rg) for s, d, rg in main.by_subscription if s == sid), None) if main and has_cost else None
        out.append(SubscriptionState(
            sid, has_cost, sub_offers[sid], spent.environment if spent else "unknown",
            spent.run_rate_monthly if spent else 0.0, measured.get(sid, 0.0), budgets(sub), anomaly_alerts(sub),
            policy_assignments(sub), tuple(sorted(present.get(sid, ()))), coverage if has_cost else (),
            mine[0] if mine else None, mine[1] if mine else None, billed.get(sid), main.key if main else None,
            regions.get(sid, DEFAULT_LOCATION)))
    return out


def compute_insights(inputs: ScanInputs, index: EstateIndex, *,
                     findings: Mapping[str, Sequence[str]] | None = None,
                     measured_monthly: Mapping[str, float] | None = None,
                     context: EstateContext | None = None, days: ResourceDays | None = None) -> CostInsights:
    """D8 and D10 for one scan; `findings` maps lower-case resource ids to finding ids (the has-finding marker),
    `measured_monthly` each subscription's measured savings (GV-B sizes budgets on the run-rate after them),
    `days` the second pass when the caller already made it (cost_profile.prepare_days)."""
    currency = index.cost.currency or "GBP"
    sub_names = {s.subscription_id.lower(): s.display_name or s.subscription_id for s in inputs.subscriptions}
    ctx = context or EstateContext(index, sub_names)
    names = resource_names(index, sub_names)
    lookup = Lookup(lambda rid: names.get(rid) or rid.rstrip("/").rsplit("/", 1)[-1],
                    {k.lower(): v for k, v in (findings or {}).items()})
    quotas = {s.subscription_id.lower(): s.quota_id for s in inputs.subscriptions}
    today = index.cost.window_to + dt.timedelta(days=1) if index.cost.window_to else inputs.generated_at.date()
    days = days or build_resource_days(inputs, index)
    if days is None:
        empty = _without_cost(currency)
        states = _states(inputs, index, empty, offers(quotas, {}), {}, measured_monthly or {})
        return dataclasses.replace(empty, guardrails=guardrails(states, currency, today))
    tl = build_timeline(index, days)
    rate = run_rate(tl, days, lookup.names)
    basis = spend_basis(days, ctx)
    sub_offers = offers(quotas, basis.by_sub())
    environments, sub_env = by_environment(basis)
    with_cost = [s for s in inputs.subscriptions if "cost" in s.raw]
    tags = tag_views(basis, {s.subscription_id.lower(): cost_table(s, "billed_tags") for s in with_cost})
    rates, regions = _per_sub(days, basis, tl.run.start, tl.run.end)
    untagged = {sub: amount for sub, amount, _ in tags.untagged_by_subscription}
    subs = by_subscription(basis, sub_names, sub_offers, sub_env, untagged, rates,
                           {s.subscription_id.lower(): _budget_status(budgets(s)) for s in inputs.subscriptions},
                           {s.subscription_id.lower(): anomaly_alerts(s) for s in inputs.subscriptions})
    groups, groups_total = by_resource_group(basis, sub_names)
    services, other, other_count = by_service(index, days)
    threshold = new_cost_threshold(rate.monthly)
    new, stopped = new_and_stopped(days, threshold, lookup)
    shifts, anomalies, table = level_shifts(tl, days, lookup.names), anomaly_rows(
        tl, index, days, lookup.names, currency), months(tl, index, currency)
    growing = growth(index, days, lookup, hygiene_threshold(rate.monthly), currency)
    one_offs = {a.index for a in tl.anomalies}
    daily = tuple(DayCost(tl.date(i), money(v), i in one_offs) for i, v in enumerate(tl.values))
    found = CostInsights(
        currency, rate, daily, table, shifts, anomalies, movers(index, days, lookup), new, stopped, subs, environments,
        groups, groups_total, services, other, other_count, by_location(basis), top_resources(basis, lookup), tags,
        actual_vs_amortized({s.subscription_id.lower(): cost_table(s, "actual_cost") for s in with_cost},
                            basis.by_sub(), currency),
        collect_signals(shifts, anomalies, table, growing, tags, sub_names, currency), (), round(threshold, 2),
        weekend_ratio(tl), money(basis.total),
        sum(1 for r, amount in enumerate(basis.now30) if amount and is_resource(days.ids[r])))
    states = _states(inputs, index, found, sub_offers, regions, measured_monthly or {})
    return dataclasses.replace(found, guardrails=guardrails(states, currency, today))


def _without_cost(currency: str) -> CostInsights:
    """The shape when no cost data was read: empty views that say so."""
    cash = actual_vs_amortized({}, {}, currency)
    tags = Tags("inventory", 30, (), 0.0, (), None, "No cost data was read, so no tag view of spend.")
    return CostInsights(currency, None, (), (), (), (), None, (), (), (), (), (), 0, (), 0.0, 0, (), (), tags, cash, (),
                        (), 0.0, None)
