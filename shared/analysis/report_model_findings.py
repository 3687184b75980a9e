"""report.json v2: one finding as published (report-design D12.2 to D12.4).

Ids are lower case (`resource_id`, `resources`); `resource_name` keeps inventory case and commands use inventory
case. Evidence is typed (evidence.py): every item has a label, a unit and its source. `saving_confidence` (how
sure the number is) and `change_risk` (how safe the change is) are separate fields.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Kind = Literal["counted", "review", "risk"]
TierName = Literal["measured", "conditional", "commitment", "estimated"]
Basis = Literal["bill", "bill_twin", "advisor", "rule_of_thumb", "list_price"]
Section = Literal["do_now", "decide", "investigate", "hygiene"]
Effort = Literal["minutes", "hours", "days", "weeks"]
Risk = Literal["low", "medium", "high"]
Unit = Literal["percent", "money", "gb", "days", "count", "bool", "text", "sku", "date"]


class Model(BaseModel):
    """Every report model: unknown fields refused, immutable, aliases (`$schema`, `from`) used on the wire."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, serialize_by_alias=True)


class EvidenceItem(Model):
    """One fact behind a finding, typed: `MaxCpuP95` "11.6" is 11.6 percent, not a string."""

    key: str
    label: str
    value: float | int | bool | str | dt.date
    unit: Unit
    source: Literal["inventory", "bill", "advisor"]


class CommandOut(Model):
    """An `az` command: standalone (`--ids '<id>'`) and as printed in the appendix script."""

    text: str
    in_script: str
    kind: Literal["change", "check", "purchase"]
    optional: bool
    warnings: list[str]


class CostSince(Model):
    """What the finding's resource cost since it first billed, or over the data window when older."""

    from_: dt.date = Field(alias="from")
    amount: float
    label: str


class DrContext(Model):
    """Whether the resource looks like disaster-recovery standby, and why."""

    value: bool
    reasons: list[str]


class AlternativeOut(Model):
    """A mutually exclusive option listed with a finding but not counted."""

    rule: str
    title: str
    monthly_savings: float
    currency: str
    basis: Basis
    formula: str
    action_text: str
    commands: list[CommandOut]


class FindingOut(Model):
    """One finding as published."""

    id: str
    rule: str
    rule_title: str
    family: str
    kind: Kind
    tier: TierName | None = Field(description="only counted findings above zero have a tier")
    category: str
    section: Section
    batch_id: str | None
    batch_title: str | None = None
    title: str
    action_text: str = Field(description="one plain sentence, no ids; the commands carry it out")
    resource_id: str = Field(description="lower case")
    resource_name: str
    resource_type: str
    resource_type_label: str
    subscription_id: str
    subscription_name: str | None
    resource_group: str | None
    location: str | None
    environment: str
    environment_source: str
    environment_raw: str | None = None
    owner: str | None
    owner_source: str
    cost_centre: str | None
    dr_context: DrContext
    resources: list[str]
    evidence: list[EvidenceItem]
    evidence_text: list[str]
    monthly_savings: float
    savings_low: float | None = Field(description="counted rule-of-thumb estimates and review items")
    savings_high: float | None
    annual_savings: float
    currency: str
    basis: Basis
    saving_confidence: Literal["high", "medium", "low"]
    change_risk: Risk
    change_risk_reasons: list[str]
    effort: Effort
    formula: str
    commands: list[CommandOut]
    warnings: list[str]
    cost_since: CostSince | None
    cost_30d: float | None = Field(description="the resource's last-30-day cost; null in upgraded v1 reports")
    impact_amount: float | None = None
    counted: bool = Field(description="true when monthly_savings is in totals.monthly_savings (never at 0)")
    not_counted_reason: str | None
    sources: list[str]
    alternatives: list[AlternativeOut]
    first_seen: dt.date | None = Field(
        default=None, description="the date of the first review that listed it; null for a one-off (an event)")
    change: Literal["new", "persisting", "resolved"] | None = Field(
        default=None, description="against the previous review (`changes`): new or persisting; null on a first "
        "review and for a one-off; resolved findings are in changes.resolved and report.csv")
