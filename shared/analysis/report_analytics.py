"""The report's cost analytics, signals and totals (report-design D12.2, D8, D8.11, D2.2).

Analytics keep v1's fields with ids lower case; the analytics of D8 and D10 (insights.py) are the `insights`
block beside them, and the bill's cost events (level shifts, one-offs, growth, the month-end forecast, untagged
spend) are `signals`, in D8.11's words, not findings (COST-2 also stays a risk finding with the one-off amount to
explain). The guardrails are findings of their own (governance_items.py); `insights.governance` lists them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from shared.analysis.analytics import Analytics
from shared.analysis.findings import Finding
from shared.analysis.insights_views import CostInsights
from shared.analysis.report_model import (
    AnomalyOut,
    CostAnalytics,
    CurrencyAmount,
    DailyCost,
    Signal,
    Totals,
)
from shared.analysis.report_model_plan import AmountByKey
from shared.analysis.report_model_tags import Insights
from shared.analysis.tiers import basis_of, counts, rule_class, tier_of


def _amounts(values: dict[str, float], limit: int | None = None, ids: bool = False) -> list[AmountByKey]:
    ordered = sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))
    return [AmountByKey(key=k.lower() if ids else k, amount=round(v, 2)) for k, v in ordered[:limit]]


def analytics_out(analytics: Analytics, insights: CostInsights, governance: list[Finding]) -> CostAnalytics:
    """The cost analytics section: v1's fields, the signals and the D8 block."""
    anomaly_days = {a.day for a in analytics.anomalies}
    return CostAnalytics(
        currency=analytics.currency, total_last_30_days=round(analytics.total_30d, 2),
        by_subscription=_amounts(analytics.by_subscription, ids=True), by_service=_amounts(analytics.by_service),
        by_resource_group=_amounts(analytics.by_resource_group, 50, ids=True),
        by_location=_amounts(analytics.by_location),
        daily=[DailyCost(date=d, cost=c, anomaly=d in anomaly_days) for d, c in analytics.daily],
        months=[AmountByKey(key=k, amount=v) for k, v in analytics.months],
        month_to_date=round(analytics.month_to_date, 2),
        previous_month_same_days=round(analytics.previous_month_same_days, 2),
        month_over_month=round(analytics.month_over_month, 4) if analytics.month_over_month is not None else None,
        forecast_month_end=round(analytics.forecast_month_end, 2),
        anomalies=[AnomalyOut(date=a.day, cost=a.cost, expected=a.expected, band_low=a.lower, band_high=a.upper,
                              drivers=[AmountByKey(key=k.lower(), amount=v) for k, v in a.drivers],
                              services=[AmountByKey(key=k, amount=v) for k, v in a.services])
                   for a in analytics.anomalies],
        untagged_share=round(analytics.untagged_share, 4), untagged_last_30_days=round(analytics.untagged_30d, 2),
        top_resources=[AmountByKey(key=k.lower(), amount=round(v, 2)) for k, v in analytics.top_resources],
        signals=[Signal(type=s.type, date=s.date, resource_id=s.resource_id.lower() if s.resource_id else None,  # type: ignore[arg-type]
                        amount=s.amount, text=s.text) for s in insights.signals],
        insights=insights_out(insights, governance))


def insights_out(insights: CostInsights, governance: list[Finding]) -> Insights:
    """D8 and D10 as report.json publishes them (CostInsights.to_dict, checked by the model: extra fields fail)."""
    data = insights.to_dict()
    for key in ("currency", "daily", "signals", "guardrails", "unit_economics"):
        data.pop(key)  # v1's own field (daily, unit_economics), analytics.signals, and the GV-* findings
    data["tags"]["untagged_by_subscription"] = [{"subscription_id": s, "amount": a, "share": f}
                                                for s, a, f in insights.tags.untagged_by_subscription]
    ids: dict[tuple[str, str], str] = {(f.subscription_id.lower(), f.rule): f.id for f in governance}
    data["governance"] = [{**g, "finding_ids": [ids[(g["subscription_id"], r)] for r in g["recommendation_ids"]
                                                if (g["subscription_id"], r) in ids]} for g in data["governance"]]
    return Insights.model_validate(data)


def impact_of(finding: Finding, insights: CostInsights) -> tuple[float | None, str | None]:
    """COST-2's one-off (the day's total above the same weekday one week earlier, D8.4) and the analytics' words
    for it (its meter and what to check), from the analytics' own anomaly row."""
    if finding.rule != "COST-2":
        return None, None
    day = dt.date.fromisoformat(str(finding.evidence.get("day")))
    row = next((a for a in insights.anomalies if a.date == day), None)
    return (row.one_off, row.text) if row else (None, None)


def totals_of(findings: list[Finding], currency: str) -> Totals:
    """v1's totals (monthly_savings = the exact sum of the counted findings) plus the split by tier."""
    counted = [f for f in findings if f.counted and f.currency == currency]
    total = round(sum(f.monthly_savings for f in counted), 2)
    by: dict[str, dict[str, float]] = {"category": defaultdict(float), "basis": defaultdict(float),
                                       "tier": defaultdict(float)}
    for f in counted:
        by["category"][rule_class(f.rule).category] += f.monthly_savings
        by["basis"][basis_of(f)] += f.monthly_savings
        by["tier"][tier_of(f) or "none"] += f.monthly_savings
    other: dict[str, list[float]] = defaultdict(list)
    for f in findings:
        if f.currency != currency and (figure := f.monthly_savings or float(f.evidence.get("advisor_savings") or 0)):
            other[f.currency].append(figure)
    return Totals(
        monthly_savings=total, annual_savings=round(total * 12, 2), currency=currency, findings=len(findings),
        counted_findings=sum(1 for f in findings if counts(f)),
        by_category=[AmountByKey(key=k, amount=round(v, 2)) for k, v in sorted(by["category"].items())],
        by_basis=_amounts(by["basis"]), by_tier=_amounts(by["tier"]),
        not_added_other_currency=[CurrencyAmount(currency=c, amount=round(sum(v), 2), findings=len(v))
                                  for c, v in sorted(other.items())])
