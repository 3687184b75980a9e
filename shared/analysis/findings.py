"""The finding: what was found, on which resources, what it costs and what removing it saves.

Ids are stable across scans: sha256 of the rule and the lower-cased resource id. Every finding has a kind:
`counted` (a saving the bill or Advisor supports, added to the totals unless de-duplication says otherwise),
`review` (a judgement call: a monthly range `savings_low` .. `savings_high`, never counted) or `risk` (a
retirement or warning with no saving, never counted).

A counted finding has a tier (report-design D2, shared/analysis/tiers.py) and is priced on a basis
(`price_basis`: from the bill, a similar resource on the bill, Advisor, a rule of thumb or a list price; D3).
A counted estimate priced by a rule of thumb carries its range in `savings_low` .. `savings_high` too.
`action` is one plain sentence (no ids); the `az` commands that carry it out are `commands` (commands.py).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from typing import Literal

from shared.analysis.commands import Command

Category = Literal["waste", "rightsizing", "commitment", "licensing", "hygiene", "anomaly"]
Basis = Literal["actual_cost", "advisor", "estimate"]
Confidence = Literal["high", "medium", "low"]
Kind = Literal["counted", "review", "risk"]
# How sure the money is (D2): only counted findings have a tier.
Tier = Literal["measured", "conditional", "commitment", "estimated"]
TIERS: tuple[Tier, ...] = ("measured", "conditional", "commitment", "estimated")
# How the figure was priced (D3); v1's actual_cost / advisor / estimate map onto it (tiers.basis_of).
PriceBasis = Literal["bill", "bill_twin", "advisor", "rule_of_thumb", "list_price"]
KINDS: tuple[Kind, ...] = ("counted", "review", "risk")
CATEGORIES: tuple[Category, ...] = ("waste", "rightsizing", "commitment", "licensing", "hygiene", "anomaly")


def finding_id(rule: str, resource_id: str, variant: str = "") -> str:
    """The stable id of a finding: sha256 of rule and lower-cased resource id (first 16 hex digits).

    `variant` separates several findings of one rule on one scope (reservation offers, anomaly days).
    """
    key = f"{rule}|{resource_id.lower()}" + (f"|{variant.lower()}" if variant else "")
    return hashlib.sha256(key.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Alternative:
    """A mutually exclusive option that is listed but not counted in the totals."""

    rule: str
    title: str
    monthly_savings: float
    currency: str
    basis: Basis
    formula: str
    action: str
    commands: tuple[Command, ...] = ()


@dataclass(frozen=True)
class Finding:
    """One finding on one resource (or scope) in one family of mutually exclusive actions."""

    rule: str
    family: str
    category: Category
    title: str
    resource_id: str
    subscription_id: str
    monthly_savings: float
    currency: str
    basis: Basis
    confidence: Confidence
    formula: str
    action: str
    cost_to_date: float
    evidence: dict[str, str | float | int | bool] = field(default_factory=dict)
    # Resources whose cost the saving comes from: a pound is claimed by at most one counted finding.
    priced: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    alternatives: tuple[Alternative, ...] = ()
    counted: bool = True
    not_counted_reason: str | None = None
    variant: str = ""
    kind: Kind = "counted"
    # A review item's monthly range; savings_high is None when the bill cannot price it (see formula).
    savings_low: float | None = None
    savings_high: float | None = None
    commands: tuple[Command, ...] = ()
    # Set when the figure was re-priced (pricing.py); otherwise the basis follows `basis`.
    price_basis: PriceBasis | None = None

    def __post_init__(self) -> None:
        if self.kind != "counted" and (self.counted or self.monthly_savings):
            raise ValueError(f"a {self.kind} finding ({self.rule}) carries no counted saving")
        if self.kind == "risk" and (self.savings_low is not None or self.savings_high is not None):
            raise ValueError(f"a risk carries no range ({self.rule})")

    @property
    def id(self) -> str:
        """The stable finding id."""
        return finding_id(self.rule, self.resource_id, self.variant)

    @property
    def key(self) -> tuple[str, str]:
        """One finding per resource and family."""
        return (self.resource_id.lower(), self.family)

    def with_(self, **changes: object) -> Finding:
        """A copy with some fields changed."""
        return replace(self, **changes)  # type: ignore[arg-type]


def as_alternative(finding: Finding) -> Alternative:
    """The finding reduced to an alternative option of another finding."""
    return Alternative(finding.rule, finding.title, finding.monthly_savings, finding.currency, finding.basis,
                       finding.formula, finding.action, finding.commands)
