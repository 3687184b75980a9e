"""report.json v2: the tag views, cash against amortised, and the analytics block of D8 as a whole."""

from __future__ import annotations

from pydantic import Field

from shared.analysis.report_model_findings import Model
from shared.analysis.report_model_insights import (
    GroupSpend,
    LevelShift,
    MonthRow,
    Movers,
    NewCost,
    OneOff,
    RunRateDetail,
    ShareOf,
    SubscriptionSpend,
    TopResource,
)


class SubscriptionCoverage(Model):
    """A key's coverage of one subscription's spend: tags on the resources, and with resource-group tags."""

    subscription_id: str
    coverage: float
    coverage_with_rg: float


class TagValue(Model):
    """A value of an allocation key and its spend; `via_resource_group` when only the group carries it."""

    value: str
    amount: float
    via_resource_group: bool


class TagKey(Model):
    """D8.8: coverage of one allocation key, per subscription, and its top values."""

    key: str
    role: str = Field(description="owner, cost_centre, environment or other")
    coverage: float
    coverage_with_rg: float
    by_subscription: list[SubscriptionCoverage]
    values: list[TagValue]
    other_values: float
    untagged: float


class Untagged(Model):
    """A subscription's spend on untagged resources."""

    subscription_id: str
    amount: float
    share: float


class BilledTags(Model):
    """C6: coverage of the main allocation key in Cost Management's tags as billed."""

    subscription_id: str
    key: str
    coverage: float


class Tags(Model):
    """D8.8: inventory tags applied to the last 30 days' cost, and the billed reconciliation when collected."""

    source: str
    window_days: int
    keys: list[TagKey]
    untagged_share_any: float
    untagged_by_subscription: list[Untagged]
    billed: list[BilledTags] | None = Field(description="null: tags as billed not collected")
    reconciliation: str


class ActualVsAmortized(Model):
    """D8.9: cash (ActualCost) against amortised cost over the last 30 days."""

    actual_30d: float | None = Field(description="null: actual cost not collected")
    amortized_30d: float
    difference: float | None
    purchases_30d: float | None
    reason: str
    subscriptions_read: int
    subscriptions_total: int


class Governance(Model):
    """D10: the governance recommendations of one subscription (findings GV-*, in the plan's Decide section)."""

    subscription_id: str
    recommendation_ids: list[str]
    finding_ids: list[str]


class Insights(Model):
    """report-design D8 and D10 from the bill: the story in time, where the money goes, tags, cash, guardrails."""

    run_rate: RunRateDetail | None
    months: list[MonthRow]
    level_shifts: list[LevelShift]
    anomalies: list[OneOff]
    movers: Movers | None
    new_costs: list[NewCost]
    stopped_costs: list[NewCost]
    new_cost_threshold: float
    by_subscription: list[SubscriptionSpend]
    by_environment: list[ShareOf]
    by_resource_group: list[GroupSpend] = Field(description="the top 10; resource_groups_total says how many")
    resource_groups_total: int
    by_service: list[ShareOf] = Field(description="the top 10; by_service_other is the rest")
    by_service_other: float
    services_other_count: int
    by_location: list[ShareOf]
    top_resources: list[TopResource]
    tags: Tags
    actual_vs_amortized: ActualVsAmortized
    governance: list[Governance]
    weekend_ratio: float | None
    spend_30d: float
    billed_resources: int
