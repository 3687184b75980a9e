"""Upgrade a stored report.json of schema_version 1 to version 2 (report-design D12.1).

The document is first read with the frozen v1 model (report_model_v1.py), so a malformed field is named by its
v1 path. Then: ids lower case; evidence typed through the D12.3 table; `confidence` -> `saving_confidence`;
`cost_to_date` -> `cost_since` "in the last N days"; kind, tier, category and section from the rule (D2.1,
D5.1 without the inventory); COST-1/3/5 move to `analytics.signals`; the headline is recomputed from the
findings and the daily series. What v1 never recorded (environment, owner, commands, the plan's batches,
commitments) is "unknown", empty or null; the narrative's paragraphs are `legacy` slots (narrative_legacy.py).
The stored v1 bytes themselves are never rewritten.
"""

from __future__ import annotations

from typing import Any

from shared.analysis.commands import arm_type
from shared.analysis.evidence import sentence, typed
from shared.analysis.findings import Alternative, Finding
from shared.analysis.headline import build_headline, run_rate_of
from shared.analysis.labels import type_label
from shared.analysis.narrative_legacy import upgrade_legacy
from shared.analysis.offers import offer_label
from shared.analysis.placement import SECTION_LABELS, section_of
from shared.analysis.plan import BOUNDS, hygiene_threshold
from shared.analysis.report_analytics import totals_of
from shared.analysis.report_model import (
    CostAnalytics,
    DataWindow,
    Report,
    Signal,
    SubscriptionOut,
)
from shared.analysis.report_model_findings import AlternativeOut, CostSince, DrContext, FindingOut
from shared.analysis.report_model_plan import ActionPlan, Commitments, Coverage, Hygiene, PlanSection
from shared.analysis.report_model_v1 import FindingOut as FindingV1
from shared.analysis.report_model_v1 import Report as ReportV1
from shared.analysis.rules.registry import CATALOGUE
from shared.analysis.tiers import counts, rule_class, tier_of

_SIGNALS = {"COST-1": "growth", "COST-3": "forecast", "COST-5": "untagged"}
_BASIS = {"actual_cost": "bill", "advisor": "advisor", "estimate": "rule_of_thumb"}
_NOT_RECORDED = "not recorded in a schema_version 1 report"


def _finding(v1: FindingV1) -> Finding:
    """The v1 finding as the analysis's Finding, kind from v1 or its rule."""
    spec = CATALOGUE.get(v1.rule)
    # Written before kinds: what that report counted stays counted (its totals say so); the rest take the
    # rule's kind.
    kind = v1.kind or ("counted" if v1.counted and v1.monthly_savings > 0 else spec.kind if spec else "counted")
    counted = v1.counted and kind == "counted"
    return Finding(
        rule=v1.rule, family=v1.family, category=v1.category, title=v1.title, resource_id=v1.resource_id,
        subscription_id=v1.subscription_id, monthly_savings=v1.monthly_savings if kind == "counted" else 0.0,
        currency=v1.currency, basis=v1.basis, confidence=v1.confidence, formula=v1.formula, action=v1.action,
        cost_to_date=v1.cost_to_date, evidence=dict(v1.evidence), resources=tuple(v1.resources),
        sources=tuple(v1.sources), counted=counted, not_counted_reason=v1.not_counted_reason, kind=kind,
        savings_low=v1.monthly_savings_low if kind == "review" else None,
        savings_high=v1.monthly_savings_high if kind == "review" else None,
        alternatives=tuple(Alternative(a.rule, a.title, a.monthly_savings, a.currency, a.basis, a.formula, a.action)
                           for a in v1.alternatives))


def _published(v1: FindingV1, f: Finding, section: str, cost_since: CostSince | None) -> FindingOut:
    evidence = typed(f.evidence)
    cls = rule_class(f.rule)
    basis = "list_price" if f.rule == "LIC-2" and "list price" in f.formula else _BASIS[f.basis]
    return FindingOut(
        id=v1.id, rule=f.rule, rule_title=CATALOGUE[f.rule].title if f.rule in CATALOGUE else f.title,
        family=f.family, kind=f.kind, tier=tier_of(f), category=cls.category, section=section,  # type: ignore[arg-type]
        batch_id=None, title=f.title, action_text=f.action, resource_id=f.resource_id.lower(),
        resource_name=v1.resource_name, resource_type=v1.resource_type, resource_type_label=type_label(
            v1.resource_type), subscription_id=f.subscription_id.lower(), subscription_name=None, resource_group=None,
        location=None, environment="unknown", environment_source="none", owner=None, owner_source="none",
        cost_centre=None, dr_context=DrContext(value=False, reasons=[]), resources=[r.lower() for r in f.resources],
        evidence=evidence, evidence_text=[sentence(e, f.currency) for e in evidence],
        monthly_savings=f.monthly_savings, savings_low=f.savings_low, savings_high=f.savings_high,
        annual_savings=round(12 * f.monthly_savings, 2), currency=f.currency, basis=basis,  # type: ignore[arg-type]
        saving_confidence=f.confidence, change_risk="low", change_risk_reasons=[_NOT_RECORDED],
        effort="hours" if cls.action not in ("licence", "commitment") else "weeks", formula=f.formula,
        commands=[], warnings=[], cost_since=cost_since, cost_30d=None, counted=counts(f),
        not_counted_reason=f.not_counted_reason, sources=list(f.sources),
        alternatives=[AlternativeOut(rule=a.rule, title=a.title, monthly_savings=a.monthly_savings,
                                     currency=a.currency, basis=_BASIS[a.basis], formula=a.formula,  # type: ignore[arg-type]
                                     action_text=a.action, commands=[]) for a in f.alternatives])


def upgrade_v1(old: ReportV1) -> Report:
    """A v1 report as today's model."""
    window = old.data_window
    days = (window.cost_to - window.cost_from).days + 1 if window.cost_from and window.cost_to else 0
    anomalies = {a.date for a in old.analytics.anomalies}
    run_rate = run_rate_of([(d.date, d.cost) for d in old.analytics.daily], anomalies)
    threshold = hygiene_threshold(run_rate.monthly)
    pairs = [(v1, _finding(v1)) for v1 in old.findings]
    signals = [Signal(type=_SIGNALS[f.rule], date=None, resource_id=f.resource_id.lower(), amount=None,  # type: ignore[arg-type]
                      text=f.title) for _, f in pairs if f.rule in _SIGNALS]
    kept = [(v1, f) for v1, f in pairs if f.rule not in _SIGNALS]
    findings = []
    for v1, f in kept:
        section = section_of(f, "hours", "low", None)
        if section != "decide" and f.kind == "counted" and f.monthly_savings < threshold:
            section = "hygiene"
        since = CostSince(from_=window.cost_from, amount=v1.cost_to_date, label=f"cost in the last {days} days") \
            if window.cost_from and arm_type(f.resource_id) != "subscription" else None
        findings.append(_published(v1, f, section, since))
    totals = totals_of([f for _, f in kept], old.currency).model_copy(update={
        "monthly_savings": old.totals.monthly_savings, "counted_findings": old.totals.counted_findings})
    analytics = old.analytics.model_dump()
    for key in ("by_subscription", "by_resource_group", "top_resources"):
        analytics[key] = [{**a, "key": a["key"].lower()} for a in analytics[key]]
    return Report(
        customer_id=old.customer_id, scan_id=old.scan_id, company=old.company, generated_at=old.generated_at,
        currency=old.currency,
        data_window=DataWindow(cost_from=window.cost_from, cost_to=window.cost_to, days=days,
                               savings_window_days=window.savings_window_days, run_rate_days=run_rate.days),
        subscriptions=[SubscriptionOut(subscription_id=s.subscription_id.lower(), display_name=s.display_name,
                                       offer=s.offer, offer_label=offer_label(s.offer), environment="unknown",
                                       environment_source="none", sources=s.sources) for s in old.subscriptions],
        headline=build_headline([f for _, f in kept], old.currency, old.analytics.total_last_30_days, run_rate),
        totals=totals, findings=findings,
        action_plan=ActionPlan(sections=[PlanSection(section=s, label=SECTION_LABELS[s], monthly_by_tier=[],  # type: ignore[arg-type]
                                                     rows=[], rows_total=0, rows_shown=0, monthly_not_shown=0.0)
                                         for s in ("do_now", "decide", "investigate")],
                               hygiene=Hygiene(threshold=threshold, finding_ids=[f.id for f in findings
                                                                                 if f.section == "hygiene"],
                                               monthly=0.0), bounds=BOUNDS),
        commitments=Commitments(recommendations=[], coverage=Coverage(visible=False, share=None, reason=_NOT_RECORDED),
                                utilisation=Coverage(visible=False, share=None, reason=_NOT_RECORDED)),
        analytics=CostAnalytics.model_validate({**analytics, "signals": [s.model_dump() for s in signals]}),
        customer_queries=[], narrative=upgrade_legacy(old.narrative.model_dump()), limitations=old.limitations,
        methodology=old.methodology)


def upgrade_v1_document(document: dict[str, Any]) -> dict[str, Any]:
    """UPGRADES[1]: a version-1 document as a version-2 document (fields a later v1 release added are ignored)."""
    old = ReportV1.model_validate(document, extra="ignore")
    return upgrade_v1(old).model_dump(mode="json", by_alias=True)
