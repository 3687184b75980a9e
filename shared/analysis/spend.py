"""Where the last 30 days went (D8.7): by subscription, environment, resource group, service, location, resource.

Amounts are as billed over the last 30 days of the window, per cost-row id; every view sums to the same total
(cost without a resource id stays on its subscription's row, so nothing drops out of a bar chart).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from shared.analysis.context import ENV_LABELS, EstateContext, split_id
from shared.analysis.index import EstateIndex
from shared.analysis.insights_model import Amount, money, share
from shared.analysis.insights_views import BudgetStatus, GroupSpend, SubscriptionSpend, TopResource
from shared.analysis.movers import PERIOD, Lookup
from shared.analysis.offers import Offer, offer_label
from shared.analysis.resource_days import ResourceDays, is_resource
from shared.analysis.wording import resource_type_of, type_label

SHOWN = 10
NOT_IN_INVENTORY = "(not in inventory)"


def _amounts(values: Mapping[str, float], total: float, labels: Mapping[str, str] | None = None) -> list[Amount]:
    ordered = sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))
    return [Amount(k, (labels or {}).get(k, k), money(v), share(v / total) if total else 0.0) for k, v in ordered]


@dataclass(frozen=True)
class SpendBasis:
    """The per-row last-30-day amounts every view reads, worked out once."""

    days: ResourceDays
    now30: list[float]
    context: EstateContext

    @property
    def total(self) -> float:
        """The last 30 days' total."""
        return sum(self.now30)

    def by_sub(self) -> dict[str, float]:
        """Last-30-day spend per subscription (lower case)."""
        out: dict[str, float] = defaultdict(float)
        for r, amount in enumerate(self.now30):
            out[self.days.subs[r]] += amount
        return out


def spend_basis(days: ResourceDays, context: EstateContext) -> SpendBasis:
    """Each row's last-30-day cost as billed."""
    n = days.days
    return SpendBasis(days, [days.raw_total(r, n - PERIOD, n) for r in range(len(days.ids))], context)


def by_environment(basis: SpendBasis) -> tuple[tuple[Amount, ...], dict[str, str]]:
    """Spend per environment (D4.1), and each subscription's environment (context.py's: most of its spend)."""
    totals: dict[str, float] = defaultdict(float)
    for r, amount in enumerate(basis.now30):
        totals[basis.context.environment(basis.days.ids[r]).value] += amount
    sub_env = {sub: basis.context.environment(f"/subscriptions/{sub}").value for sub in set(basis.days.subs)}
    return tuple(a for a in _amounts(totals, basis.total, ENV_LABELS) if a.amount), sub_env


def by_subscription(basis: SpendBasis, names: Mapping[str, str], offers: Mapping[str, Offer],
                    environments: Mapping[str, str], untagged: Mapping[str, float],
                    run_rates: Mapping[str, float], budgets: Mapping[str, tuple[BudgetStatus, ...] | None],
                    alerts: Mapping[str, int | None]) -> tuple[SubscriptionSpend, ...]:
    """D8.7's subscription table, largest first."""
    spend, total = basis.by_sub(), basis.total
    out = []
    for sub in sorted(set(spend) | set(names), key=lambda s: (-spend.get(s, 0.0), s)):
        offer = offers.get(sub)
        amount = spend.get(sub, 0.0)
        out.append(SubscriptionSpend(
            sub, names.get(sub, sub), offer.label if offer else offer_label(None),
            offer.outside_main_agreement if offer else False, environments.get(sub, "unknown"), money(amount),
            share(amount / total) if total else 0.0, share(untagged.get(sub, 0.0) / amount) if amount else 0.0,
            money(run_rates.get(sub, 0.0)), budgets.get(sub), alerts.get(sub)))
    return tuple(out)


def by_resource_group(basis: SpendBasis, names: Mapping[str, str]) -> tuple[tuple[GroupSpend, ...], int]:
    """The top 10 resource groups (subscription name + group, inventory casing) and how many there are."""
    totals: dict[tuple[str, str], float] = defaultdict(float)
    for r, amount in enumerate(basis.now30):
        sub, group = split_id(basis.days.ids[r])
        if group:
            totals[(sub, group)] += amount
    ordered = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
    rows = tuple(GroupSpend(sub, names.get(sub, sub), basis.context.group_names.get((sub, group), group),
                            money(amount)) for (sub, group), amount in ordered[:SHOWN])
    return rows, len(totals)


def by_service(index: EstateIndex, days: ResourceDays) -> tuple[tuple[Amount, ...], float, int]:
    """The top 10 meter categories, the rest's amount and how many services the rest holds (bars sum up)."""
    totals: dict[str, float] = defaultdict(float)
    for i in range(max(days.days - PERIOD, 0), days.days):
        for meter, cost in index.cost.daily_service.get(days.date(i), {}).items():
            totals[meter] += cost
    rows = _amounts(totals, sum(totals.values()))
    rest = rows[SHOWN:]
    return tuple(rows[:SHOWN]), money(sum(totals[a.key] for a in rest)), len(rest)


def by_location(basis: SpendBasis) -> tuple[Amount, ...]:
    """Spend per Azure region of the resource (inventory), "(not in inventory)" for resources we cannot see."""
    totals: dict[str, float] = defaultdict(float)
    for r, amount in enumerate(basis.now30):
        row = basis.context.row_of(basis.days.ids[r])
        totals[str(row.get("location") or "unknown").lower() if row else NOT_IN_INVENTORY] += amount
    return tuple(_amounts(totals, basis.total))


def top_resources(basis: SpendBasis, lookup: Lookup, limit: int = SHOWN) -> tuple[TopResource, ...]:
    """The resources with most spend, each with its findings (the has-finding marker)."""
    ranked: Sequence[int] = sorted((r for r, rid in enumerate(basis.days.ids) if is_resource(rid)),
                                   key=lambda r: (-basis.now30[r], basis.days.ids[r]))[:limit]
    out = []
    for r in ranked:
        rid = basis.days.ids[r]
        sub, group = split_id(rid)
        arm_type = resource_type_of(rid)
        out.append(TopResource(rid, lookup.names(rid), arm_type, type_label(arm_type), sub,
                               basis.context.group_names.get((sub, group), group),
                               basis.context.environment(rid).value, money(basis.now30[r]), lookup.finding_ids(rid)))
    return tuple(out)
