"""What the narrative is written from: the analytics (`compute_insights`), the headline tiers and the plan rows.

Plain frozen types, filled by `narrative_report.inputs_from_report` from report.json v2's headline, plan and
findings (report-design D2, D5), which the engine builds before the narrative (`engine.narrative_inputs`). The
fact sheet (narrative_facts.py) reads nothing else. Names, subscription and resource-group names are customer
data: they reach the renderer, never a prompt.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from shared.analysis.insights_views import CostInsights, Guardrail

RowKind = Literal["delete", "cleanup", "licence", "commitment", "change", "review", "guardrail", "hygiene"]
# Guardrails that stop a cost from recurring, in the order the sentence names them (D10.2's B, A, P).
RECUR_GUARDRAILS = ("GV-B", "GV-A", "GV-P")


@dataclass(frozen=True)
class TierFigures:
    """The headline by certainty (D2.2): monthly tier totals, the range, its shares and annual ends."""

    measured: float
    conditional: float
    commitment: float
    estimated_low: float
    estimated_high: float
    range_low: float
    range_high: float
    annual_low: float
    annual_high: float
    share_low: float | None  # of the monthly run-rate (fractions)
    share_high: float | None
    counted: float  # the exact counted sum
    commitment_term: str | None = None  # "1-year" | "3-year" when a commitment is counted


@dataclass(frozen=True)
class PlanItem:
    """One row of the action plan as the narrative names it (a finding, a batch, a review item, a guardrail set)."""

    row_id: str
    kind: RowKind
    section: str  # do_now | decide | investigate | hygiene
    rule: str  # the rule of its first finding
    type_label: str
    environment: str | None
    names: tuple[str, ...]  # customer data
    subscription_id: str | None
    subscription: str | None  # the subscription's name: customer data
    resource_group: str | None  # customer data
    resource_ids: tuple[str, ...]  # lower case
    monthly: float  # counted money of the row
    low: float
    high: float
    counted: bool
    effort: str  # minutes | hours | days | weeks
    risk: str  # low | medium | high
    items: int = 1
    licences: tuple[tuple[str, int], ...] = ()  # licence rows: (product, core licences)
    guardrails: tuple[str, ...] = ()  # guardrail rows: GV ids
    budget: float | None = None  # guardrail rows: GV-B's monthly budget
    review_count: int | None = None  # RV-DDOS: the public IPs its plan protects
    note: str = ""  # guardrail rows placed after a new recurring cost: "so it cannot recur"


@dataclass(frozen=True)
class NarrativeInputs:
    """Everything the fact sheet is built from."""

    company: str
    currency: str
    insights: CostInsights
    tiers: TierFigures | None
    rows: tuple[PlanItem, ...]  # sections in plan order; review items included; the hygiene row, if any, last
    rules: Mapping[str, str] = field(default_factory=dict)  # lower-case resource id -> its counted finding's rule


def governance_item(insights: CostInsights, subscription_id: str | None, name: str | None) -> PlanItem | None:
    """The guardrails that would stop a cost recurring on one subscription, as a plan row (D10.2 via D11.3).

    Only recommendations whose data was read and found missing (status `missing`): a budget Caleta could not
    read is not said to be absent. A deny policy can block a deployment someone needs: medium risk.
    """
    if subscription_id is None:
        return None
    mine: dict[str, Guardrail] = {g.id: g for g in insights.guardrails
                                  if g.subscription_id == subscription_id.lower() and g.status == "missing"}
    chosen = tuple(g for g in RECUR_GUARDRAILS if g in mine)
    if not chosen:
        return None
    spend = next((s for s in insights.by_subscription if s.subscription_id == subscription_id.lower()), None)
    budget = mine["GV-B"].amount if "GV-B" in mine else None
    return PlanItem(
        row_id=f"guardrails:{subscription_id.lower()}", kind="guardrail", section="decide", rule="GV",
        type_label="Subscription", environment=spend.environment if spend else None, names=(),
        subscription_id=subscription_id.lower(), subscription=name or (spend.name if spend else None),
        resource_group=None, resource_ids=(), monthly=0.0, low=0.0, high=0.0, counted=False, effort="hours",
        risk="medium" if "GV-P" in chosen else "low", guardrails=chosen, budget=budget)
