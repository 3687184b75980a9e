"""The report's cost analytics, signals and totals (report-design D12.2, D8.11, D2.2).

Analytics keep v1's fields with ids lower case; cost events of the bill (COST-1 growth, COST-2 one-off, COST-3
forecast, COST-5 untagged spend) are `signals`, not findings (COST-2 also stays a risk finding with the one-off
amount to explain). The analytics of report-design D8 (months, level shifts, movers, tags ...) join
`CostAnalytics` here, in `analytics_out`: this is the seam a later helper extends.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from shared.analysis.analytics import Analytics
from shared.analysis.findings import Finding
from shared.analysis.report_model import (
    AnomalyOut,
    CostAnalytics,
    CurrencyAmount,
    DailyCost,
    Signal,
    Totals,
)
from shared.analysis.report_model_plan import AmountByKey
from shared.analysis.tiers import basis_of, counts, rule_class, tier_of

_SIGNAL_TYPES = {"COST-1": "growth", "COST-2": "anomaly", "COST-3": "forecast", "COST-5": "untagged"}


def _amounts(values: dict[str, float], limit: int | None = None, ids: bool = False) -> list[AmountByKey]:
    ordered = sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))
    return [AmountByKey(key=k.lower() if ids else k, amount=round(v, 2)) for k, v in ordered[:limit]]


def analytics_out(analytics: Analytics, signals: list[Signal]) -> CostAnalytics:
    """The cost analytics section."""
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
        signals=signals)


def impact_of(finding: Finding, analytics: Analytics) -> float | None:
    """COST-2's one-off: the day's total minus the same weekday one week earlier (D8.4)."""
    if finding.rule != "COST-2":
        return None
    day = dt.date.fromisoformat(str(finding.evidence.get("day")))
    by_day = dict(analytics.daily)
    before = by_day.get(day - dt.timedelta(days=7))
    return round(float(finding.evidence.get("day_cost") or 0) - before, 2) if before is not None else None


def signals_of(findings: list[Finding], analytics: Analytics) -> list[Signal]:
    """Every cost signal of the bill, in the words of its rule."""
    out = []
    for f in findings:
        kind = _SIGNAL_TYPES.get(f.rule)
        if kind is None:
            continue
        day = f.evidence.get("day")
        amount = impact_of(f, analytics) if f.rule == "COST-2" else None
        out.append(Signal(type=kind, date=dt.date.fromisoformat(str(day)) if day else None,  # type: ignore[arg-type]
                          resource_id=f.resource_id.lower(), amount=amount, text=f.title))
    return out


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
