"""Commitment rules: Advisor's reservation (CMT-1) and savings plan (CMT-2) offers, counted once.

1-year and 3-year terms of the same reservation are alternatives: with under 60 days of lookback only a 1-year
option may count (the 3-year one is upside), else the best counts (commitment_terms.py). A compute savings
plan and compute reservations cover the same usage: whichever counted side saves more counts, the other is listed.
Each offer carries what commitment_sizing.py needs to re-size it on the compute that remains after the
report's own findings (issue 15 section 3); `settle` decides plan against reservations on the final figures.
"""

from __future__ import annotations

from collections import defaultdict

from shared.analysis.advisor import AdvisorRec, currency_note
from shared.analysis.findings import Alternative, Finding
from shared.analysis.rules.base import RuleContext, RuleSpec, subscription_of
from shared.analysis.rules.commitment_sizing import (
    Kept,
    plan_evidence,
    plan_kept,
    reductions,
    reservation_evidence,
    reservation_kept,
)
from shared.analysis.rules.commitment_terms import (
    TERM_NOTE,
    lookback_days,
    plan_title,
    price_check,
    reservation_title,
    term_counts,
)

CMT_1 = RuleSpec("CMT-1", title="Advisor: buy a reservation", kind="counted",
                 narrative="a reservation purchase Advisor recommends")
CMT_2 = RuleSpec("CMT-2", title="Advisor: buy a compute savings plan", kind="counted",
                 narrative="a savings plan Advisor recommends")
SPECS = (CMT_1, CMT_2)
# Reservation types whose usage a compute savings plan also covers.
COMPUTE_RESERVATIONS = ("virtualmachines", "appservice", "functions", "containerinstances", "dedicatedhost")
PLAN_WINS = "covers the same compute usage as the savings plan, which saves more: counted there"
RESERVATIONS_WIN = "covers the same compute usage as the reservations, which save more: listed as an alternative only"


def _option(rec: AdvisorRec, kind: str) -> Alternative:
    term = rec.extended.get("term", "")
    return Alternative(
        rule=CMT_2.id if kind == "plan" else CMT_1.id, title=f"{kind.capitalize()} {term}".strip(),
        monthly_savings=rec.monthly_savings or 0.0, currency=rec.currency, basis="advisor",
        formula="Advisor's annual saving / 12", action=rec.solution or "Review in Azure Advisor",
    )


def _finding(ctx: RuleContext, rule: str, scope: str, variant: str, best: AdvisorRec,
             others: list[AdvisorRec], kind: str) -> Finding:
    what = best.extended.get("displaySKU") or best.extended.get("vmSize") or ""
    term = best.extended.get("term", "")
    quantity = _quantity(best)
    virtual_machines = best.extended.get("reservedResourceType", "").lower() == "virtualmachines"
    if kind == "reservation":
        title = reservation_title(what or best.extended.get("reservedResourceType") or "compute", term, quantity,
                                  False)
    else:
        title = plan_title(float(best.extended.get("commitmentAmount") or 0), term, best.currency)
    note = currency_note(best, ctx.currency) or (None if term_counts(term, lookback_days(
        best.extended.get("lookbackPeriod"))) else TERM_NOTE)
    commands = (price_check(scope, what, best.extended.get("region", ""), term, quantity),) \
        if kind == "reservation" and virtual_machines and what and quantity else ()
    evidence: dict[str, str | float | int | bool] = {
        k: v for k, v in best.extended.items()
        if k in ("term", "lookbackPeriod", "displayQty", "vmSize", "displaySKU", "region", "reservedResourceType",
                 "commitmentAmount", "commitmentGranularity", "scope")}
    evidence |= reservation_evidence(ctx, best) if kind == "reservation" else plan_evidence(ctx, best)
    return Finding(
        rule=rule, family=f"commitment:{variant}", category="commitment", title=title, resource_id=scope,
        subscription_id=subscription_of(scope), monthly_savings=best.monthly_savings or 0.0, currency=best.currency,
        basis="advisor", confidence="medium",
        formula="Advisor's annual saving / 12, for the usage of the last lookback period",
        action="Check the price of the reservation, then ask a billing administrator to buy it" if commands
        else "Ask a billing administrator to buy it in the Azure portal (Reservations or Savings plans)",
        cost_to_date=0.0, evidence=evidence, sources=tuple(f"advisor:{r.rec_id}" for r in [best, *others]),
        alternatives=tuple(_option(r, kind) for r in others), counted=note is None, not_counted_reason=note,
        variant=variant, commands=commands,
    )


def _quantity(rec: AdvisorRec) -> int:
    try:
        return int(float(rec.extended.get("displayQty") or rec.extended.get("qty") or 0))
    except ValueError:
        return 0


def _best(recs: list[AdvisorRec], billing: str) -> tuple[AdvisorRec, list[AdvisorRec]]:
    """The option that counts (in the billing currency, a term the lookback allows, the largest saving)."""
    lookback = max((d for r in recs if (d := lookback_days(r.extended.get("lookbackPeriod"))) is not None),
                   default=None)
    ranked = sorted(recs, key=lambda r: (r.currency == billing, term_counts(r.extended.get("term", ""), lookback),
                                         r.monthly_savings or 0.0, r.rec_id), reverse=True)
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
    for key, group in sorted(reservations.items()):
        best, others = _best(group, ctx.currency)
        variant = "|".join(k for k in key[1:] if k) or "reservation"
        out.append(_finding(ctx, CMT_1.id, best.resource_id, variant, best, others, "reservation"))
    for _scope, group in sorted(plans.items()):
        best, others = _best(group, ctx.currency)
        out.append(_finding(ctx, CMT_2.id, best.resource_id, "savings-plan", best, others, "plan"))
    return settle(out)


def _as_option(finding: Finding) -> Alternative:
    return Alternative(finding.rule, finding.title, finding.monthly_savings, finding.currency, "advisor",
                       finding.formula, finding.action)


def _reset(finding: Finding) -> Finding:
    """Undo an earlier plan-against-reservations decision (the other side's options and the reason)."""
    own = tuple(a for a in finding.alternatives if a.rule == finding.rule)
    if finding.not_counted_reason in (PLAN_WINS, RESERVATIONS_WIN):
        return finding.with_(counted=True, not_counted_reason=None, alternatives=own)
    return finding.with_(alternatives=own)


def settle(findings: list[Finding]) -> list[Finding]:
    """Per scope, a compute savings plan and the compute reservations exclude each other: the side that saves
    more counts, the other is listed with it. Findings of other rules pass through unchanged."""
    out = [_reset(f) if f.rule in (CMT_1.id, CMT_2.id) else f for f in findings]
    for p, plan in enumerate(out):
        if plan.rule != CMT_2.id or not plan.counted:
            continue
        rivals = [i for i, f in enumerate(out) if f.rule == CMT_1.id and f.counted
                  and f.resource_id.lower() == plan.resource_id.lower()
                  and str(f.evidence.get("reservedResourceType", "")).lower() in COMPUTE_RESERVATIONS]
        if not rivals:
            continue
        if plan.monthly_savings > sum(out[i].monthly_savings for i in rivals):
            options = tuple(_as_option(out[i]) for i in rivals)
            for i in rivals:
                out[i] = out[i].with_(counted=False, not_counted_reason=PLAN_WINS)
            out[p] = plan.with_(alternatives=plan.alternatives + options)
        else:
            out[p] = plan.with_(counted=False, not_counted_reason=RESERVATIONS_WIN)
            for i in rivals:
                out[i] = out[i].with_(alternatives=(*out[i].alternatives, _as_option(plan)))
    return out


def _resized(finding: Finding, kept: Kept) -> Finding:
    share = kept.share
    scaled = tuple(a.__class__(a.rule, a.title, round(a.monthly_savings * share, 2), a.currency, a.basis, a.formula,
                               a.action) if a.rule == finding.rule else a for a in finding.alternatives)
    evidence = {**finding.evidence, "advisor_savings": finding.monthly_savings, "kept_share": round(share, 4),
                "resized_by": " ".join(c.finding_id for c in kept.by)}
    title, commands = finding.title, finding.commands
    if kept.quantity is not None:
        evidence |= {"quantity_after": kept.quantity, "leftover_units": round(kept.leftover_units, 2)}
        sku = str(finding.evidence.get("displaySKU") or finding.evidence.get("vmSize") or "")
        title = reservation_title(sku, str(finding.evidence.get("term") or ""), kept.quantity, True)
        commands = (price_check(finding.resource_id, sku, str(finding.evidence.get("region") or ""),
                                str(finding.evidence.get("term") or ""), kept.quantity),) if kept.quantity else ()
    elif finding.rule == CMT_2.id:
        title = plan_title(float(finding.evidence.get("commitmentAmount") or 0) * share,
                           str(finding.evidence.get("term") or ""), finding.currency)
    return finding.with_(
        monthly_savings=round(finding.monthly_savings * share, 2), alternatives=scaled, title=title,
        commands=commands, evidence=evidence,
        formula=finding.formula + f"; re-sized to {share:.0%} of Advisor's figure on the compute left after counted "
                                  f"findings that stop or shrink VMs it covered ({len(kept.by)} finding(s))")


def resize_commitments(findings: list[Finding]) -> list[Finding]:
    """Re-size each commitment on what remains after the counted findings that stop or shrink the VMs it would
    cover (commitment_sizing.py explains the arithmetic), then decide plan against reservations again."""
    cuts = reductions(findings)
    if not cuts:
        return findings
    out = []
    for f in findings:
        kept = (reservation_kept(f, cuts) if f.rule == CMT_1.id else plan_kept(f, cuts) if f.rule == CMT_2.id
                else Kept(1.0, []))
        out.append(_resized(f, kept) if kept.share < 1.0 else f)
    return settle(out)
