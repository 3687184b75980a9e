"""Cost-data rules: what the bill itself shows (growth, anomalies, the month-end forecast, untagged spend).

These carry no saving: they point at spend to question, so they are risks (never counted). They read the
analytics, not the inventory.
"""

from __future__ import annotations

from shared.analysis.analytics import Analytics
from shared.analysis.findings import Finding
from shared.analysis.rules.base import DeclaredRule, RuleContext, rule, subscription_of

UNTAGGED_SHARE = 0.10
FORECAST_RISE = 0.10


def _info(ctx: RuleContext, rule: str, title: str, resource_id: str, evidence: dict[str, str | float | int | bool],
          formula: str, action: str, category: str = "anomaly", variant: str = "") -> Finding:
    return Finding(
        rule=rule, family=f"cost:{rule}:{variant}", category="hygiene" if category == "hygiene" else "anomaly",
        title=title, resource_id=resource_id, subscription_id=subscription_of(resource_id), monthly_savings=0.0,
        currency=ctx.currency, basis="actual_cost", confidence="medium", formula=formula, action=action,
        cost_to_date=round(ctx.index.cost_to_date(resource_id), 2), evidence=evidence, resources=(resource_id,),
        sources=(f"rule:{rule}",), variant=variant, counted=False, kind="risk",
        not_counted_reason="a cost signal to question: no saving is claimed",
    )


@rule("COST-1", kind="risk", title="Cost growing week on week")
def growing_costs(ctx: RuleContext, analytics: Analytics) -> list[Finding]:
    """COST-1: a resource whose daily cost grew by more than 20% within the month keeps growing the bill."""
    out = []
    for rid, first, last in analytics.growing:
        row = ctx.index.resources.get(rid)
        resource_id = str(row["id"]) if row else rid
        out.append(_info(ctx, "COST-1", "Cost growing week on week", resource_id,
                         {"first_week_cost": first, "last_week_cost": last,
                          "growth": round(last / first - 1.0, 3)},
                         "last 7 days vs the first 7 days of the last 30 days (growth above 20%)",
                         "Find what drives the growth (ingestion, retention, scale-out) and cap or tier it"))
    return out


@rule("COST-2", kind="risk", title="Daily spend outside the expected band")
def anomalies(ctx: RuleContext, analytics: Analytics) -> list[Finding]:
    """COST-2: a day far outside the usual band is a one-off charge, a runaway job or a mistake to explain."""
    out = []
    for anomaly in analytics.anomalies:
        if not anomaly.drivers:
            continue
        rid, delta = anomaly.drivers[0]
        row = ctx.index.resources.get(rid)
        resource_id = str(row["id"]) if row else rid
        direction = "above" if anomaly.cost > anomaly.expected else "below"
        out.append(_info(ctx, "COST-2", f"Daily spend {direction} the expected band", resource_id,
                         {"day": anomaly.day.isoformat(), "day_cost": anomaly.cost, "expected": anomaly.expected,
                          "driver_change": delta},
                         "the day's total outside median +/- max(4 robust sigmas, 25%) of the previous 28 days; "
                         "the driver is the resource whose cost moved most that day",
                         "Check what ran that day on this resource; a Cost Management anomaly alert catches the "
                         "next one (a budget alert does not fire on a one-day spike inside the budget)",
                         variant=anomaly.day.isoformat()))
    return out


@rule("COST-3", kind="risk", title="Month-end forecast above last month")
def forecast(ctx: RuleContext, analytics: Analytics) -> list[Finding]:
    """COST-3: a month-end forecast well above last month's spend warns before the invoice does."""
    previous = [v for k, v in analytics.months if analytics.window_to and k < analytics.window_to.strftime("%Y-%m")]
    if not previous or not analytics.forecast_month_end or analytics.forecast_month_end <= previous[-1] * (
            1 + FORECAST_RISE):
        return []
    scope = sorted(analytics.by_subscription, key=lambda s: -analytics.by_subscription[s])[0]
    return [_info(ctx, "COST-3", "Month-end forecast above last month", f"/subscriptions/{scope}",
                  {"forecast": round(analytics.forecast_month_end, 2), "last_month": round(previous[-1], 2)},
                  "month to date + average of the last 7 days x days left in the month",
                  "Review the growing and anomalous items above before the month closes")]


@rule("COST-5", kind="risk", title="Spend on untagged resources")
def untagged_spend(ctx: RuleContext, analytics: Analytics) -> list[Finding]:
    """COST-5: spend on untagged resources cannot be allocated to a team, so no one owns reducing it."""
    out = []
    for sub_id, (untagged, total) in sorted(analytics.untagged_by_subscription.items()):
        if not total or untagged / total <= UNTAGGED_SHARE:
            continue
        out.append(_info(ctx, "COST-5", "Spend on untagged resources", f"/subscriptions/{sub_id}",
                         {"untagged_cost_30d": round(untagged, 2), "share": round(untagged / total, 3)},
                         "last-30-day cost of resources without tags / the subscription's last-30-day cost",
                         "Tag resources with an owner and cost centre; enforce it with Azure Policy",
                         category="hygiene"))
    return out


RULES: tuple[DeclaredRule[[RuleContext, Analytics], list[Finding]], ...] = (
    growing_costs, anomalies, forecast, untagged_spend)


def cost_findings(ctx: RuleContext, analytics: Analytics) -> list[Finding]:
    """Every cost-data finding."""
    return [finding for check in RULES for finding in check(ctx, analytics)]
