"""Where each finding sits (report-design D5.1), with the context the plan and the outputs share (D4).

One `Placed` per finding: its environment, owner and DR context (finding_context.py), effort and change risk
(change_risk.py), tier, range and section. Section, deterministically:
1. a review item -> Decide when its rule is a decision or it is a counted rule held back by DR context,
   else Investigate;
2. a rule with a decision (licence, commitment) -> Decide;
3. a risk with no impact amount -> Hygiene;
4. the measured tier with change risk up to medium and effort up to hours, or the estimated tier with low
   risk and effort up to hours -> Do this week;
5. otherwise -> Investigate.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.analysis.change_risk import EFFORTS, change_risk_of, effort_of
from shared.analysis.commands import arm_type
from shared.analysis.finding_context import Context, ContextIndex
from shared.analysis.findings import Finding
from shared.analysis.labels import type_label
from shared.analysis.rules.registry import CATALOGUE
from shared.analysis.tiers import range_of, rule_class, tier_of

SECTIONS = ("do_now", "decide", "investigate", "hygiene")
SECTION_LABELS = {"do_now": "Do this week", "decide": "Decide", "investigate": "Investigate", "hygiene": "Hygiene"}


@dataclass(frozen=True)
class Placed:
    """A finding with what the plan, the JSON and the CSV need to show it."""

    finding: Finding
    context: Context
    section: str
    tier: str | None
    effort: str
    change_risk: str
    risk_reasons: tuple[str, ...]
    name: str
    subscription_name: str | None
    resource_group: str | None
    type_label: str
    low: float
    high: float
    impact: float | None
    note: str | None = None  # a one-off's meter and what to check, in the analytics' words (D8.4)

    @property
    def id(self) -> str:
        """The finding id."""
        return self.finding.id


def held_back(finding: Finding) -> bool:
    """A counted rule's finding downgraded to a review item (a disaster-recovery context)."""
    spec = CATALOGUE.get(finding.rule)
    return finding.kind == "review" and spec is not None and spec.kind == "counted"


def section_of(finding: Finding, effort: str, risk: str, impact: float | None) -> str:
    """D5.1, in order."""
    cls = rule_class(finding.rule)
    if finding.kind == "review":
        return "decide" if cls.decision != "none" or held_back(finding) else "investigate"
    if cls.decision != "none":
        return "decide"
    if finding.kind == "risk":
        return "investigate" if impact else "hygiene"
    quick = EFFORTS.index(effort) <= EFFORTS.index("hours")
    if cls.tier == "measured" and risk in ("low", "medium") and quick:
        return "do_now"
    if cls.tier == "estimated" and risk == "low" and quick:
        return "do_now"
    return "investigate"


def _group(resource_id: str) -> str | None:
    parts = resource_id.split("/")
    return parts[4] if len(parts) > 4 and parts[3].lower() == "resourcegroups" else None


def place(finding: Finding, contexts: ContextIndex, impact: float | None = None, note: str | None = None) -> Placed:
    """The finding placed: context, effort, change risk, tier, range and section."""
    context = contexts.of(finding.resource_id)
    effort = effort_of(finding, context)
    risk, reasons = change_risk_of(finding, context, contexts.index)
    row = contexts.index.resources.get(finding.resource_id.lower())
    parts = finding.resource_id.rstrip("/").split("/")
    name = str(row.get("name")) if row else parts[-1]
    if arm_type(finding.resource_id) == "subscription":
        name = contexts.sub_names.get(finding.subscription_id.lower()) or parts[-1]
    low, high = range_of(finding)
    return Placed(finding, context, section_of(finding, effort, risk, impact), tier_of(finding), effort, risk,
                  tuple(reasons), name, contexts.sub_names.get(finding.subscription_id.lower()) or None,
                  _group(finding.resource_id), type_label(arm_type(finding.resource_id)), low, high, impact, note)
