"""Assemble the report model from findings, analytics and the narrative."""

from __future__ import annotations

from collections import defaultdict

from shared.analysis.analytics import Analytics
from shared.analysis.facts import resource_type_of
from shared.analysis.findings import CATEGORIES, Finding
from shared.analysis.index import WINDOW_DAYS, EstateIndex
from shared.analysis.model import ScanInputs
from shared.analysis.report_model import (
    AlternativeOut,
    AmountByKey,
    AnomalyOut,
    CostAnalytics,
    CurrencyAmount,
    DailyCost,
    DataWindow,
    FindingOut,
    Narrative,
    Report,
    SubscriptionOut,
    Totals,
)

METHODOLOGY = [
    "Inventory from Azure Resource Graph, cost from the Cost Management Query API (amortized cost, daily, "
    "by resource and meter category), recommendations from Azure Advisor (Cost category).",
    f"actual_cost: the resource's own amortized cost over the last {WINDOW_DAYS} days of the cost data, child "
    "resources included; it is what removing the waste saves.",
    "advisor: Advisor's own estimate (annual saving / 12, retail prices); added to totals only when quoted in "
    "the billing currency, otherwise shown apart.",
    "estimate: a named heuristic stated in each finding's formula, used where the bill cannot isolate the saving.",
    "One finding per resource and family: Advisor and our own rule on the same resource merge; mutually "
    "exclusive options (1-year vs 3-year vs savings plan, delete vs downsize) count once, the best one; "
    "a resource's cost is never claimed by two counted findings. Advisor suppressions are honoured.",
    "Every number in the narrative comes from a computed fact; the language model (when used) sees aggregates "
    "and aliases only, never resource names, ids or tags.",
]


def _amounts(values: dict[str, float], limit: int | None = None) -> list[AmountByKey]:
    ordered = sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))
    return [AmountByKey(key=k, amount=round(v, 2)) for k, v in ordered[:limit]]


def totals_of(findings: list[Finding], currency: str) -> Totals:
    """Headline totals: exactly the sum of the counted findings in the billing currency."""
    counted = [f for f in findings if f.counted and f.currency == currency]
    total = round(sum(f.monthly_savings for f in counted), 2)
    by_category = {c: round(sum(f.monthly_savings for f in counted if f.category == c), 2) for c in CATEGORIES}
    by_basis: dict[str, float] = defaultdict(float)
    for f in counted:
        by_basis[f.basis] += f.monthly_savings
    other: dict[str, list[float]] = defaultdict(list)
    for f in findings:
        if f.currency != currency and f.monthly_savings > 0:
            other[f.currency].append(f.monthly_savings)
    return Totals(
        monthly_savings=total, annual_savings=round(total * 12, 2), currency=currency, findings=len(findings),
        counted_findings=sum(1 for f in counted if f.monthly_savings > 0),
        by_category=[AmountByKey(key=k, amount=v) for k, v in by_category.items()],
        by_basis=_amounts(by_basis),
        not_added_other_currency=[CurrencyAmount(currency=c, amount=round(sum(v), 2), findings=len(v))
                                  for c, v in sorted(other.items())],
    )


def _action_line(finding: Finding) -> str:
    commands = [c.standalone() for c in finding.commands if c.usable]
    return finding.action + (": " + " && ".join(commands) if commands else "")


def finding_out(finding: Finding, index: EstateIndex) -> FindingOut:
    """A finding as published, with the resource's name for the reader."""
    row = index.resources.get(finding.resource_id.lower())
    name = str(row.get("name")) if row else finding.resource_id.rstrip("/").rsplit("/", 1)[-1]
    return FindingOut(
        id=finding.id, rule=finding.rule, family=finding.family, category=finding.category, title=finding.title,
        resource_id=finding.resource_id, resource_name=name, resource_type=resource_type_of(finding.resource_id),
        subscription_id=finding.subscription_id, resources=list(finding.resources), evidence=dict(finding.evidence),
        monthly_savings=round(finding.monthly_savings, 2), currency=finding.currency, basis=finding.basis,
        confidence=finding.confidence, formula=finding.formula, action=_action_line(finding),
        cost_to_date=round(finding.cost_to_date, 2), counted=finding.counted,
        not_counted_reason=finding.not_counted_reason, sources=list(finding.sources),
        alternatives=[AlternativeOut(rule=a.rule, title=a.title, monthly_savings=round(a.monthly_savings, 2),
                                     currency=a.currency, basis=a.basis, formula=a.formula, action=a.action)
                      for a in finding.alternatives],
        kind=finding.kind, monthly_savings_low=finding.savings_low, monthly_savings_high=finding.savings_high,
    )


def analytics_out(analytics: Analytics) -> CostAnalytics:
    """The cost analytics section."""
    anomaly_days = {a.day for a in analytics.anomalies}
    return CostAnalytics(
        currency=analytics.currency, total_last_30_days=round(analytics.total_30d, 2),
        by_subscription=_amounts(analytics.by_subscription), by_service=_amounts(analytics.by_service),
        by_resource_group=_amounts(analytics.by_resource_group, 50), by_location=_amounts(analytics.by_location),
        daily=[DailyCost(date=d, cost=c, anomaly=d in anomaly_days) for d, c in analytics.daily],
        months=[AmountByKey(key=k, amount=v) for k, v in analytics.months],
        month_to_date=round(analytics.month_to_date, 2),
        previous_month_same_days=round(analytics.previous_month_same_days, 2),
        month_over_month=round(analytics.month_over_month, 4) if analytics.month_over_month is not None else None,
        forecast_month_end=round(analytics.forecast_month_end, 2),
        anomalies=[AnomalyOut(date=a.day, cost=a.cost, expected=a.expected, band_low=a.lower, band_high=a.upper,
                              drivers=[AmountByKey(key=k, amount=v) for k, v in a.drivers],
                              services=[AmountByKey(key=k, amount=v) for k, v in a.services])
                   for a in analytics.anomalies],
        untagged_share=round(analytics.untagged_share, 4), untagged_last_30_days=round(analytics.untagged_30d, 2),
        top_resources=[AmountByKey(key=k, amount=round(v, 2)) for k, v in analytics.top_resources],
    )


def limitations_of(inputs: ScanInputs, index: EstateIndex) -> list[str]:
    """What the granted permissions or the offer did not let us see, in plain words."""
    out = []
    for sub in inputs.subscriptions:
        for source, reason in sorted(sub.missing.items()):
            out.append(f"Subscription {sub.display_name or sub.subscription_id}: no {source} data ({reason}).")
    if index.cost.other_currencies:
        out.append("Cost data in other currencies (" + ", ".join(sorted(index.cost.other_currencies))
                   + ") was left out of the spend figures.")
    out.append("Reader access cannot see licence entitlements: Hybrid Benefit findings assume you hold the licences.")
    out.append("Memory and disk performance metrics are not read: right-sizing relies on Advisor's CPU evidence.")
    return out


def build_report(inputs: ScanInputs, index: EstateIndex, findings: list[Finding], analytics: Analytics,
                 narrative: Narrative) -> Report:
    """The whole report model."""
    currency = index.cost.currency or "GBP"
    return Report(
        customer_id=inputs.customer_id, scan_id=inputs.scan_id, company=inputs.company,
        generated_at=inputs.generated_at, currency=currency,
        data_window=DataWindow(cost_from=index.cost.window_from, cost_to=index.cost.window_to,
                               savings_window_days=WINDOW_DAYS),
        subscriptions=[SubscriptionOut(
            subscription_id=s.subscription_id, display_name=s.display_name, offer=s.quota_id,
            sources={**dict.fromkeys(s.raw, "collected"), **s.missing}) for s in inputs.subscriptions],
        totals=totals_of(findings, currency), findings=[finding_out(f, index) for f in findings],
        analytics=analytics_out(analytics), narrative=narrative, limitations=limitations_of(inputs, index),
        methodology=METHODOLOGY,
    )
