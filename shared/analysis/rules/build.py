"""Finding builders shared by the rule families, one per kind.

Resource ids, names and tags are untrusted: they enter an `az` command only as a `Command` argument
(shared/analysis/commands.py quotes every value), and never a title, action sentence or formula.
"""

from __future__ import annotations

from typing import Any

from shared.analysis.commands import Command
from shared.analysis.findings import Basis, Category, Confidence, Finding
from shared.analysis.rules.base import RuleContext, subscription_of

Evidence = dict[str, str | float | int | bool]


def delete_finding(
    ctx: RuleContext, row: dict[str, Any], *, rule: str, title: str, action: str, evidence: Evidence,
    category: Category = "waste", family: str = "remove", confidence: Confidence = "high",
    resources: tuple[str, ...] = (), commands: tuple[Command, ...] = (),
) -> Finding:
    """A finding whose saving is the resource's own last-30-day cost (it goes away when the resource does)."""
    rid = str(row["id"])
    cost = round(ctx.index.cost30(rid), 2)
    return Finding(
        rule=rule, family=family, category=category, title=title, resource_id=rid,
        subscription_id=subscription_of(rid), monthly_savings=cost, currency=ctx.currency,
        basis="actual_cost", confidence=confidence if cost > 0 else "medium",
        formula="the resource's own amortized cost over the last 30 days, child resources included",
        action=action, cost_to_date=round(ctx.index.cost_to_date(rid), 2), evidence=evidence,
        priced=(rid.lower(),), resources=(rid, *resources), sources=(f"rule:{rule}",), commands=commands,
    )


def hygiene_finding(ctx: RuleContext, row: dict[str, Any], *, rule: str, title: str, action: str,
                    evidence: Evidence, resource_id: str | None = None,
                    commands: tuple[Command, ...] = ()) -> Finding:
    """A counted finding with no direct cost: tidy-up that lowers risk and noise (counted at 0)."""
    rid = resource_id or str(row["id"])
    return Finding(
        rule=rule, family="hygiene", category="hygiene", title=title, resource_id=rid,
        subscription_id=subscription_of(rid), monthly_savings=0.0, currency=ctx.currency, basis="actual_cost",
        confidence="high", formula="no direct charge: the resource bills nothing by itself", action=action,
        cost_to_date=round(ctx.index.cost_to_date(rid), 2), evidence=evidence, resources=(rid,),
        sources=(f"rule:{rule}",), commands=commands,
    )


def range_reason(high: float | None, currency: str) -> str:
    """Why a review item is not counted, with its range in words."""
    if high is None:
        return ("a review item (a judgement call): the bill as collected cannot price it, so no range is "
                "given; never added to the totals")
    return (f"a review item (a judgement call): it could save 0.00 to {high:.2f} {currency} a month; "
            "never added to the totals")


def review_finding(
    ctx: RuleContext, resource_id: str, *, rule: str, family: str, category: Category, title: str,
    high: float | None, formula: str, action: str, evidence: Evidence, basis: Basis = "estimate",
    resources: tuple[str, ...] = (), confidence: Confidence = "medium", variant: str = "",
    commands: tuple[Command, ...] = (),
) -> Finding:
    """A review item: a range 0 .. `high` a month (None: not priceable from the bill as collected), never counted."""
    top = round(high, 2) if high is not None else None
    return Finding(
        rule=rule, family=family, category=category, title=title, resource_id=resource_id,
        subscription_id=subscription_of(resource_id), monthly_savings=0.0, currency=ctx.currency, basis=basis,
        confidence=confidence, formula=formula, action=action,
        cost_to_date=round(ctx.index.cost_to_date(resource_id), 2), evidence=evidence,
        resources=(resource_id, *(r for r in resources if r.lower() != resource_id.lower())),
        sources=(f"rule:{rule}",), counted=False, not_counted_reason=range_reason(top, ctx.currency),
        variant=variant, kind="review", savings_low=0.0, savings_high=top, commands=commands,
    )


def risk_finding(ctx: RuleContext, resource_id: str, *, rule: str, title: str, formula: str, action: str,
                 evidence: Evidence, resources: tuple[str, ...] = (), family: str = "risk",
                 commands: tuple[Command, ...] = ()) -> Finding:
    """A risk: a retirement or unsupported configuration; no saving (moving off it can cost more)."""
    return Finding(
        rule=rule, family=family, category="hygiene", title=title, resource_id=resource_id,
        subscription_id=subscription_of(resource_id), monthly_savings=0.0, currency=ctx.currency,
        basis="actual_cost", confidence="high", formula=formula, action=action,
        cost_to_date=round(ctx.index.cost_to_date(resource_id), 2), evidence=evidence,
        resources=(resource_id, *(r for r in resources if r.lower() != resource_id.lower())),
        sources=(f"rule:{rule}",), counted=False, kind="risk",
        not_counted_reason="a risk (a retirement or unsupported configuration): no saving is claimed",
        commands=commands,
    )


def as_review(finding: Finding, why: str) -> Finding:
    """A counted finding downgraded to a review item (its saving becomes the top of the range), saying why."""
    high = round(finding.monthly_savings, 2)
    return finding.with_(kind="review", counted=False, monthly_savings=0.0, savings_low=0.0, savings_high=high,
                         priced=(), not_counted_reason=f"{why}; {range_reason(high, finding.currency)}")
