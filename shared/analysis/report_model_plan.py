"""report.json v2: the action plan (report-design D5) and the commitments table (D7)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from shared.analysis.report_model_findings import Effort, Model, Risk, Section


class AmountByKey(Model):
    """A labelled amount in the billing currency."""

    key: str
    amount: float


class PlanRow(Model):
    """One row of a plan section: a finding, a batch of findings one script clears, or the hygiene list."""

    row_type: Literal["finding", "batch", "hygiene"]
    id: str = Field(description="the finding id, the batch id (stable across scans) or 'hygiene'")
    title: str = Field(description="one human sentence, no ids")
    detail: str = Field(description="the second, smaller line: evidence or what the batch holds")
    finding_ids: list[str]
    names: list[str] = Field(description="resource names in the row, at most bounds.batch_names")
    names_more: int
    subscription_id: str | None
    subscription_name: str | None
    resource_group: str | None
    owner: str | None
    environment: str | None
    monthly: float = Field(description="counted money of the row (all tiers)")
    monthly_low: float
    monthly_high: float
    counted: bool = Field(description="false for review items: their range is never added")
    tiers: list[str]
    effort: Effort
    change_risk: Risk
    script_anchor: str | None = Field(description="A-n: the row's script in Appendix A (none without commands)")
    script_prefixes: list[str] = Field(description="the script's resource-group prefixes, P1='/subscriptions/…'")


class PlanSection(Model):
    """A plan section and its rows, largest first; rows beyond the bound are counted, not shown."""

    section: Section
    label: str
    monthly_by_tier: list[AmountByKey]
    rows: list[PlanRow]
    rows_total: int
    rows_shown: int
    monthly_not_shown: float


class Hygiene(Model):
    """The folded list: risks without an amount and counted findings below the threshold."""

    threshold: float
    finding_ids: list[str]
    monthly: float


class PlanBounds(Model):
    """The HTML page bounds (D5.4); report.json and the CSV are never truncated."""

    rows_per_section: int
    batch_names: int
    script_commands: int
    hygiene_names: int
    review_items: int


class ActionPlan(Model):
    """Do this week, Decide, Investigate, then Hygiene."""

    sections: list[PlanSection]
    hygiene: Hygiene
    bounds: PlanBounds


class CommitmentOption(Model):
    """One way to commit, priced on the usage left after clean-up and right-sizing."""

    kind: Literal["reservation", "savings_plan"]
    term: Literal["P1Y", "P3Y"]
    term_label: str
    quantity: int | None
    hourly_commitment: float | None
    monthly_saving: float
    monthly_commitment: float
    term_total: float | None
    break_even_month: float | None
    lookback_days: int | None
    status: Literal["counted", "upside", "alternative", "next_step", "not_counted"]
    note: str


class CommitmentRecommendation(Model):
    """One offer (a VM size in a region and scope, or a savings plan) and its options side by side."""

    finding_id: str
    sku: str | None
    region: str | None
    scope: str
    lookback_days: int | None
    source: Literal["consumption", "advisor"]
    advisor_quantity: float | None
    unit_price: float | None
    removed: list[AmountByKey] = Field(description="finding id -> the units it takes out of the offer")
    quantity_after: int | None
    leftover_units: float | None
    options: list[CommitmentOption]
    order: str


class Coverage(Model):
    """Commitment coverage of VM compute (needs the PricingModel split, data-contract C4)."""

    visible: bool
    share: float | None
    reason: str | None


class Commitments(Model):
    """Every commitment offer, and coverage when the bill shows it."""

    recommendations: list[CommitmentRecommendation]
    coverage: Coverage
    utilisation: Coverage
