"""Typed results of the issue-16 analytics, part two: spend views, tags, cash, signals, guardrails, the whole."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from shared.analysis.commands import Command
from shared.analysis.insights_model import (
    Amount,
    AnomalyRow,
    DayCost,
    LevelShift,
    MonthRow,
    Movers,
    NewCost,
    RunRate,
    jsonable,
)


@dataclass(frozen=True)
class BudgetStatus:
    """A Cost Management budget (B1) and how much of it is spent."""

    name: str
    amount: float
    time_grain: str
    spent_ratio: float | None


@dataclass(frozen=True)
class SubscriptionSpend:
    """D8.7: a subscription's last-30-day spend with its offer, environment, tagging and guardrails."""

    subscription_id: str
    name: str  # customer data
    offer_label: str
    outside_main_agreement: bool
    environment: str
    amount: float
    share: float
    untagged_share: float
    run_rate_monthly: float
    budgets: tuple[BudgetStatus, ...] | None  # None: budgets not read
    anomaly_alerts: int | None  # None: scheduled actions not read


@dataclass(frozen=True)
class GroupSpend:
    """A resource group's last-30-day spend."""

    subscription_id: str
    subscription_name: str
    group: str
    amount: float


@dataclass(frozen=True)
class TopResource:
    """One of the resources with most spend, joined to its findings (ids lower case on both sides)."""

    resource_id: str
    name: str
    resource_type: str
    type_label: str
    subscription_id: str
    resource_group: str
    environment: str
    amount: float
    finding_ids: tuple[str, ...]


@dataclass(frozen=True)
class TagValue:
    """A value of an allocation key and its spend; `via_resource_group` when only the group carries it."""

    value: str  # customer data
    amount: float
    via_resource_group: bool


@dataclass(frozen=True)
class TagKeyView:
    """D8.8: coverage of one allocation key, per subscription, and its top values."""

    key: str  # as spelt on most spend
    role: str  # owner | cost_centre | environment | other
    coverage: float
    coverage_with_rg: float
    by_subscription: tuple[tuple[str, float, float], ...]  # (subscription id, direct, with resource-group tags)
    values: tuple[TagValue, ...]
    other_values: float
    untagged: float

    def to_dict(self) -> dict[str, Any]:
        """D12.2's shape: by_subscription as objects."""
        out = {f.name: jsonable(getattr(self, f.name)) for f in dataclasses.fields(self)}
        out["by_subscription"] = [{"subscription_id": s, "coverage": c, "coverage_with_rg": g}
                                  for s, c, g in self.by_subscription]
        return out


@dataclass(frozen=True)
class BilledTags:
    """C6: coverage of the main allocation key in Cost Management's tags as billed, one subscription."""

    subscription_id: str
    key: str
    coverage: float


@dataclass(frozen=True)
class Tags:
    """D8.8: inventory tags applied to the last 30 days' cost, and the billed reconciliation when collected."""

    source: str
    window_days: int
    keys: tuple[TagKeyView, ...]
    untagged_share_any: float
    untagged_by_subscription: tuple[tuple[str, float, float], ...]  # (subscription, untagged amount, share)
    billed: tuple[BilledTags, ...] | None  # None: C6 not collected
    reconciliation: str


@dataclass(frozen=True)
class ActualVsAmortized:
    """D8.9: cash (ActualCost, C5) against amortised cost over the last 30 days."""

    actual_30d: float | None  # None: C5 not collected
    amortized_30d: float
    difference: float | None
    purchases_30d: float | None
    reason: str
    subscriptions_read: int
    subscriptions_total: int


@dataclass(frozen=True)
class Signal:
    """D8.11: a cost event from the bill (growth, anomaly, level_shift, forecast, untagged)."""

    type: str
    date: dt.date | None
    resource_id: str | None
    amount: float
    text: str  # may name a resource or subscription: customer data inside


@dataclass(frozen=True)
class Guardrail:
    """D10.2: a governance recommendation for one subscription (GV-B, GV-A, GV-P, GV-T, GV-I, GV-E)."""

    id: str
    subscription_id: str
    title: str
    detail: str
    status: str  # missing: read and absent | not_read: the data that would tell was not collected
    not_read: tuple[str, ...]
    amount: float | None  # GV-B: the suggested monthly budget
    keys: tuple[str, ...]  # GV-T, GV-I: tag keys
    commands: tuple[Command, ...]


@dataclass(frozen=True)
class CostInsights:
    """Everything issue 16 adds to the analytics block of report.json v2, beside v1's fields."""

    currency: str
    run_rate: RunRate | None
    daily: tuple[DayCost, ...]  # the whole window (v1's `daily` shape, from the first day with data)
    months: tuple[MonthRow, ...]
    level_shifts: tuple[LevelShift, ...]
    anomalies: tuple[AnomalyRow, ...]
    movers: Movers | None
    new_costs: tuple[NewCost, ...]
    stopped_costs: tuple[NewCost, ...]
    by_subscription: tuple[SubscriptionSpend, ...]
    by_environment: tuple[Amount, ...]
    by_resource_group: tuple[GroupSpend, ...]
    resource_groups_total: int
    by_service: tuple[Amount, ...]
    by_service_other: float
    services_other_count: int
    by_location: tuple[Amount, ...]
    top_resources: tuple[TopResource, ...]
    tags: Tags
    actual_vs_amortized: ActualVsAmortized
    signals: tuple[Signal, ...]
    guardrails: tuple[Guardrail, ...]
    new_cost_threshold: float
    weekend_ratio: float | None
    spend_30d: float = 0.0
    billed_resources: int = 0  # resources with cost in the last 30 days

    def to_dict(self) -> dict[str, Any]:
        """The new fields of D12.2's CostAnalytics (plus the run-rate the headline reads), JSON-ready."""
        out = {f.name: jsonable(getattr(self, f.name)) for f in dataclasses.fields(self)}
        by_sub: dict[str, list[str]] = {}
        for guardrail in self.guardrails:
            by_sub.setdefault(guardrail.subscription_id, []).append(guardrail.id)
        out["governance"] = [{"subscription_id": s, "recommendation_ids": ids} for s, ids in by_sub.items()]
        out["unit_economics"] = None  # reserved (criticisms.md C3.15)
        return out
