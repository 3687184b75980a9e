"""Commitment rules: Advisor's reservation (CMT-1) and savings plan (CMT-2) offers, counted once.

1-year and 3-year terms of the same reservation are alternatives: the best counts. A compute savings
plan and compute reservations cover the same usage: whichever saves more counts, the other is listed.
"""

from __future__ import annotations

from collections import defaultdict

from shared.analysis.advisor import AdvisorRec, currency_note
from shared.analysis.findings import Alternative, Finding
from shared.analysis.rules.base import RuleContext, RuleSpec, subscription_of

CMT_1 = RuleSpec("CMT-1", title="Advisor: buy a reservation", narrative="a reservation purchase Advisor recommends")
CMT_2 = RuleSpec("CMT-2", title="Advisor: buy a compute savings plan", narrative="a savings plan Advisor recommends")
SPECS = (CMT_1, CMT_2)
# Reservation types whose usage a compute savings plan also covers.
_COMPUTE_RESERVATIONS = ("virtualmachines", "appservice", "functions", "containerinstances", "dedicatedhost")


def _option(rec: AdvisorRec, kind: str) -> Alternative:
    term = rec.extended.get("term", "")
    return Alternative(
        rule=CMT_2.id if kind == "plan" else CMT_1.id, title=f"{kind.capitalize()} {term}".strip(),
        monthly_savings=rec.monthly_savings or 0.0, currency=rec.currency, basis="advisor",
        formula="Advisor's annual saving / 12", action=rec.solution or "Review in Azure Advisor",
    )


def _finding(ctx: RuleContext, rule: str, scope: str, variant: str, best: AdvisorRec,
             others: list[AdvisorRec], kind: str) -> Finding:
    what = best.extended.get("displaySKU") or best.extended.get("reservedResourceType") or "compute"
    title = (f"Advisor: buy a {best.extended.get('term', '')} reservation for {what}" if kind == "reservation"
             else f"Advisor: buy a {best.extended.get('term', '')} compute savings plan")
    note = currency_note(best, ctx.currency)
    evidence: dict[str, str | float | int | bool] = {
        k: v for k, v in best.extended.items()
        if k in ("term", "lookbackPeriod", "displayQty", "vmSize", "displaySKU", "region", "reservedResourceType",
                 "commitmentAmount", "commitmentGranularity")}
    return Finding(
        rule=rule, family=f"commitment:{variant}", category="commitment", title=title, resource_id=scope,
        subscription_id=subscription_of(scope), monthly_savings=best.monthly_savings or 0.0, currency=best.currency,
        basis="advisor", confidence="medium",
        formula="Advisor's annual saving / 12, for the usage of the last lookback period",
        action=(best.solution or "Buy it in the Azure portal (Reservations / Savings plans)")
        + " (a purchase needs billing rights; Caleta never buys anything)",
        cost_to_date=0.0, evidence=evidence, sources=tuple(f"advisor:{r.rec_id}" for r in [best, *others]),
        alternatives=tuple(_option(r, kind) for r in others), counted=note is None, not_counted_reason=note,
        variant=variant,
    )


def _best(recs: list[AdvisorRec], billing: str) -> tuple[AdvisorRec, list[AdvisorRec]]:
    ranked = sorted(recs, key=lambda r: (r.currency == billing, r.monthly_savings or 0.0, r.rec_id), reverse=True)
    return ranked[0], ranked[1:]


def commitment_findings(ctx: RuleContext, recs: list[AdvisorRec]) -> list[Finding]:
    """One CMT-1 finding per reservation offer (terms as alternatives), one CMT-2 per plan; each counted once."""
    reservations: dict[tuple[str, str, str, str], list[AdvisorRec]] = defaultdict(list)
    plans: dict[str, list[AdvisorRec]] = defaultdict(list)
    for rec in recs:
        if not rec.is_commitment:
            continue
        scope = rec.resource_id
        if rec.is_savings_plan:
            plans[scope.lower()].append(rec)
            continue
        ext = rec.extended
        sku = ext.get("displaySKU") or ext.get("vmSize") or ext.get("sku") or ""
        key = (scope.lower(), ext.get("reservedResourceType", "").lower(), sku.lower(), ext.get("region", "").lower())
        reservations[key].append(rec)
    out: list[Finding] = []
    compute_ri: dict[str, list[int]] = defaultdict(list)
    for key, group in sorted(reservations.items()):
        best, others = _best(group, ctx.currency)
        variant = "|".join(k for k in key[1:] if k) or "reservation"
        if key[1] in _COMPUTE_RESERVATIONS:
            compute_ri[key[0]].append(len(out))
        out.append(_finding(ctx, CMT_1.id, best.resource_id, variant, best, others, "reservation"))
    for scope, group in sorted(plans.items()):
        best, others = _best(group, ctx.currency)
        plan = _finding(ctx, CMT_2.id, best.resource_id, "savings-plan", best, others, "plan")
        rivals = [out[i] for i in compute_ri.get(scope, []) if out[i].counted]
        rival_total = sum(f.monthly_savings for f in rivals)
        if plan.counted and rivals and plan.monthly_savings > rival_total:
            for i in compute_ri[scope]:
                out[i] = out[i].with_(counted=False, not_counted_reason="covers the same compute usage as the "
                                      "savings plan, which saves more: counted there")
            plan = plan.with_(alternatives=plan.alternatives + tuple(_option_of(f) for f in rivals))
        elif plan.counted and rivals:
            plan = plan.with_(counted=False, not_counted_reason="covers the same compute usage as the reservations, "
                                                                "which save more: listed as an alternative only")
            for i in compute_ri[scope]:
                out[i] = out[i].with_(alternatives=(*out[i].alternatives, _option(best, "plan")))
        out.append(plan)
    return out


def _option_of(finding: Finding) -> Alternative:
    return Alternative(CMT_1.id, finding.title, finding.monthly_savings, finding.currency, "advisor", finding.formula,
                       finding.action)
