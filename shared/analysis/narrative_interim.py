"""Interim: the narrative's tiers and plan rows from v1's findings, until report.json v2's headline and plan
(report-core: tiers.py, headline.py, plan.py) are on this branch. DELETE at that merge: the engine then calls
`narrative_report.inputs_from_report(company, insights, report.headline, report.action_plan, report.findings)`.

The mapping is the design's in outline (D2.1, D4.4, D4.5, D5.1), without its refinements: a licence is
conditional, a commitment is a commitment, a figure from the bill is measured, the rest estimated; every counted
finding is its own row (no batches); rows below the hygiene threshold fold into one hygiene row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from shared.analysis.findings import Finding
from shared.analysis.insights_views import CostInsights
from shared.analysis.narrative_inputs import NarrativeInputs, PlanItem, RowKind, TierFigures
from shared.analysis.wording import resource_type_of, type_label

DECIDE_REVIEWS = ("RV-DDOS", "RV-DOMINANT", "RV-DR")
# (effort, change risk) per row kind (D4.4, D4.5 in outline); a delete in production takes a change window.
_EFFORT_RISK: dict[str, tuple[str, str]] = {"delete": ("minutes", "low"), "licence": ("weeks", "low"),
                                           "commitment": ("weeks", "medium"), "change": ("hours", "medium"),
                                           "review": ("hours", "low")}


def tier_of(f: Finding) -> str:
    """measured, conditional, commitment or estimated, from v1's category and basis."""
    if f.category == "licensing":
        return "conditional"
    if f.category == "commitment":
        return "commitment"
    return "measured" if f.basis == "actual_cost" else "estimated"


def _counted(findings: Sequence[Finding], currency: str) -> list[Finding]:
    return [f for f in findings
            if f.counted and f.kind == "counted" and f.monthly_savings > 0 and f.currency == currency]


def measured_by_subscription(findings: Sequence[Finding], currency: str) -> dict[str, float]:
    """Each subscription's measured monthly savings (GV-B sizes a budget on the run-rate after them)."""
    out: dict[str, float] = defaultdict(float)
    for f in _counted(findings, currency):
        if tier_of(f) == "measured":
            out[f.subscription_id.lower()] += f.monthly_savings
    return dict(out)


def _tiers(counted: list[Finding], run_rate_monthly: float) -> TierFigures:
    by: dict[str, float] = defaultdict(float)
    for f in counted:
        by[tier_of(f)] += f.monthly_savings
    low, high = round(by["measured"], 2), round(sum(by.values()), 2)

    def share(v: float) -> float | None:
        return round(v / run_rate_monthly, 4) if run_rate_monthly > 0 else None

    return TierFigures(low, round(by["conditional"], 2), round(by["commitment"], 2), round(by["estimated"], 2),
                       round(by["estimated"], 2), low, high, round(12 * low, 2), round(12 * high, 2), share(low),
                       share(high), high)


def _kind(f: Finding) -> RowKind:
    if f.kind == "review":
        return "review"
    if f.rule.startswith("LIC-"):
        return "licence"
    if f.rule.startswith("CMT-"):
        return "commitment"
    return "delete" if f.action.startswith("Delete") else "change"


def _item(f: Finding, insights: CostInsights, names: Mapping[str, str], section: str) -> PlanItem:
    kind, rid, sub = _kind(f), f.resource_id.lower(), f.subscription_id.lower()
    spend = next((s for s in insights.by_subscription if s.subscription_id == sub), None)
    effort, risk = _EFFORT_RISK[kind]
    if kind == "delete" and spend is not None and spend.environment == "prod":
        effort, risk = "hours", "medium"
    parts = f.resource_id.split("/")
    edition, vcpus = str(f.evidence.get("edition") or "").capitalize(), f.evidence.get("vcpus")
    licences = ((f"SQL Server {edition}", max(4, int(vcpus))),) if f.rule == "LIC-2" and edition and \
        isinstance(vcpus, int | float) else ()
    ips = f.evidence.get("protected_public_ips")
    low, high = (f.savings_low or 0.0, f.savings_high or 0.0) if kind == "review" else (f.monthly_savings,) * 2
    return PlanItem(
        row_id=f.id, kind=kind, section=section, rule=f.rule if kind != "review" or f.rule.startswith("RV-")
        else "RV-DR" if f.evidence.get("dr_context") else f.rule, type_label=type_label(resource_type_of(rid)),
        environment=spend.environment if spend else None, names=(names.get(rid) or parts[-1].split(";")[-1],),
        subscription_id=sub, subscription=spend.name if spend else None,
        resource_group=parts[4] if len(parts) > 4 else None, resource_ids=(rid,), monthly=f.monthly_savings,
        low=low, high=high, counted=kind != "review", effort=effort, risk=risk, licences=licences,
        review_count=int(ips) if isinstance(ips, int | float) and not isinstance(ips, bool) else None)


def _section(f: Finding, kind: RowKind) -> str:
    if kind == "review":
        return "decide" if f.rule in DECIDE_REVIEWS or f.evidence.get("dr_context") else "investigate"
    if kind in ("licence", "commitment"):
        return "decide"
    return "do_now" if tier_of(f) == "measured" else "investigate"


def inputs_from_findings(company: str, insights: CostInsights, findings: Sequence[Finding],
                         names: Mapping[str, str]) -> NarrativeInputs:
    """The narrative's inputs from v1's findings and the analytics (interim: see the module's docstring)."""
    currency = insights.currency
    run_rate = insights.run_rate.monthly if insights.run_rate else 0.0
    threshold = max(10.0, 0.001 * run_rate)
    counted = _counted(findings, currency)
    rows, folded = [], []
    for f in [*counted, *(f for f in findings if f.kind == "review" and (f.savings_high or 0) > 0)]:
        kind = _kind(f)
        if kind != "review" and f.monthly_savings < threshold:
            folded.append(f)
        else:
            rows.append(_item(f, insights, names, _section(f, kind)))
    if folded:
        total = round(sum(f.monthly_savings for f in folded), 2)
        rows.append(PlanItem("hygiene", "hygiene", "hygiene", "", "Hygiene", None, (), None, None, None, (), total,
                             total, total, False, "minutes", "low", len(folded)))
    rules = {f.resource_id.lower(): f.rule for f in counted}
    return NarrativeInputs(company, currency, insights, _tiers(counted, run_rate) if counted else None, tuple(rows),
                           rules)
