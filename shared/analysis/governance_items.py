"""Governance recommendations as plan items (report-design D10.2, D5.2): one `risk` finding per guardrail.

guardrails.py decides what each subscription lacks (a budget, an anomaly alert, a deny policy for costly types,
required tags, tag inheritance, the main agreement); here each becomes a finding on the subscription's scope, so
it is placed in the plan's Decide section (decision `governance`, tiers.py), carries its commands into the
appendix scripts and the CSV, and is compared from review to review like any other finding (a budget set since
the last review resolves GV-B). No saving is claimed: guardrails prevent the next surprise.
"""

from __future__ import annotations

from collections.abc import Iterable

from shared.analysis.findings import Finding
from shared.analysis.insights_views import Guardrail
from shared.analysis.rules.base import RuleSpec

GV_B = RuleSpec("GV-B", title="No budget on the subscription", kind="risk")
GV_A = RuleSpec("GV-A", title="No cost anomaly alert on the subscription", kind="risk")
GV_P = RuleSpec("GV-P", title="Costly resource types allowed in a sandbox or development subscription", kind="risk")
GV_T = RuleSpec("GV-T", title="Allocation tags not required", kind="risk")
GV_I = RuleSpec("GV-I", title="Cost Management tag inheritance off", kind="risk")
GV_E = RuleSpec("GV-E", title="Subscription outside the main agreement", kind="risk")
SPECS = (GV_B, GV_A, GV_P, GV_T, GV_I, GV_E)
_TITLES = {spec.id: spec.title for spec in SPECS}
# GV-T and GV-I are one estate-wide decision about tags; the others are decided per subscription (D5.5).
ESTATE_WIDE = frozenset({"GV-T", "GV-I"})
GUARDRAIL_WORDS = {"GV-B": "a budget", "GV-A": "an anomaly alert", "GV-P": "deny costly types",
                   "GV-T": "require tags", "GV-I": "tag inheritance", "GV-E": "move under your agreement"}
FOUND = {"GV-B": "no budget", "GV-A": "no anomaly alert", "GV-P": "costly types allowed", "GV-T": "tags not required",
         "GV-I": "tag inheritance off", "GV-E": "outside the main agreement"}


def guardrail_title(findings: list[Finding], subscription_name: str | None, money_text: str | None) -> str:
    """The plan row of one subscription's guardrails, or of the estate-wide tag decision (D5.5)."""
    rules = {f.rule: f for f in findings}
    if set(rules) <= ESTATE_WIDE:
        keys = list(dict.fromkeys(k.strip() for f in findings for k in str(f.evidence.get("tag_keys") or "").split(",")
                                  if k.strip()))  # the keys in the tag views' order: owner, cost centre, environment
        title = f"Tags: require {', '.join(keys) or 'the allocation tags'} and inherit them from resource groups"
        return title + ("; turn on tag inheritance in Cost Management" if "GV-I" in rules else "")
    parts = {**GUARDRAIL_WORDS, "GV-B": f"a {money_text} budget" if money_text else "a budget",
             "GV-E": "move it under your agreement"}
    shown = [parts[r] for r in ("GV-B", "GV-A", "GV-P", "GV-T", "GV-I", "GV-E") if r in rules]
    return f"Guardrails on {subscription_name or 'the subscription'}: {', '.join(shown)}"


def _action(g: Guardrail) -> str:
    if g.id == "GV-B" and g.amount is not None:
        return g.detail.replace("A monthly budget of", "Set a monthly budget of", 1)
    if g.id == "GV-T":
        return f"Require the tags {', '.join(g.keys)} on new resources and inherit them from resource groups"
    detail = g.detail[:1].lower() + g.detail[1:] if g.detail[:2] in ("A ", "Th") else g.detail
    return f"{g.title}: {detail}"


def governance_findings(guardrails: Iterable[Guardrail], currency: str) -> list[Finding]:
    """Each guardrail as a risk finding on its subscription (no saving claimed)."""
    out = []
    for g in guardrails:
        scope = f"/subscriptions/{g.subscription_id}"
        evidence: dict[str, str | float | int | bool] = {"recommendation": g.detail}
        if g.amount is not None:
            evidence["budget_amount"] = g.amount
        if g.keys:
            evidence["tag_keys"] = ", ".join(g.keys)
        if g.not_read:
            evidence["not_read"] = ", ".join(g.not_read)
        out.append(Finding(
            rule=g.id, family=f"governance:{g.id}", category="hygiene", title=_TITLES[g.id], resource_id=scope,
            subscription_id=g.subscription_id, monthly_savings=0.0, currency=currency, basis="actual_cost",
            confidence="high" if g.status == "missing" else "medium",
            formula="a guardrail (report-design D10.2): no saving is claimed", action=_action(g), cost_to_date=0.0,
            evidence=evidence, sources=(f"rule:{g.id}",), counted=False, kind="risk",
            not_counted_reason="a guardrail against the next surprise: no saving is claimed", commands=g.commands))
    return out
