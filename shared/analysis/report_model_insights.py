"""report.json v2: the analytics of report-design D8 and D10 (`analytics.insights`), as pydantic models.

One optional block under `analytics`, so the fields v2 kept from v1 (`months`, `by_subscription`, `anomalies`,
`top_resources` ...) keep their shapes and D12.2's names stay unambiguous inside it. Built from
`CostInsights.to_dict()` (report_analytics.insights_out); `extra="forbid"` makes any drift between the two fail.
Ids are lower case; names, tag values and texts are customer data (escaped wherever shown).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from shared.analysis.report_model_findings import Model


class Driver(Model):
    """A resource's part in a change: its change a day, its share of the whole, whether it started or stopped."""

    resource_id: str
    name: str
    delta: float
    share: float
    new: bool
    stopped: bool
    first_cost: dt.date | None = Field(description="its first cost day when inside the window")
    cost_since: float = Field(description="as billed from its first cost day (or the window start)")


class RunRateDetail(Model):
    """D8.2: the run-rate (anomaly days replaced), its change since the first weeks and the change's drivers."""

    daily: float
    monthly: float
    annual: float
    from_: dt.date = Field(alias="from")
    days: int
    excludes: list[dt.date]
    base_daily: float | None
    base_from: dt.date | None
    base_days: int
    change_daily: float | None
    change_pct: float | None
    drivers: list[Driver]


class MonthRow(Model):
    """D8.1: a calendar month; a partial one is compared by its daily average."""

    month: str
    days_with_data: int
    days_in_month: int
    partial: bool
    total: float
    daily_average: float
    note: str | None
    forecast: float | None


class LevelShift(Model):
    """D8.3: a step in daily spend and what drove it."""

    date: dt.date
    before: float
    after: float
    delta_daily: float
    delta_pct: float | None
    threshold: float
    sharpness: float
    drivers: list[Driver]


class MeterDelta(Model):
    """A meter category's part in a one-off."""

    meter: str
    amount: float


class OneOff(Model):
    """D8.4: a one-off day, its replacement (same weekday a week earlier), the amount above it and its drivers."""

    date: dt.date
    cost: float
    expected: float
    band_low: float
    band_high: float
    replacement_value: float
    one_off: float
    meters: list[MeterDelta]
    drivers: list[Driver]
    text: str


class Mover(Model):
    """D8.5: a service or resource, last 30 days against the 30 before."""

    key: str
    label: str
    before: float
    now: float
    delta: float
    delta_pct: float | None
    status: Literal["new", "stopped", "changed"]
    finding_ids: list[str]
    first_cost: dt.date | None
    last_cost: dt.date | None
    one_off: float


class Movers(Model):
    """Top movers by service and resource."""

    services: list[Mover]
    resources: list[Mover]
    total_before: float
    total_now: float
    prior_days: int


class NewCost(Model):
    """D8.6: a resource that started (or stopped) billing inside the window."""

    resource_id: str
    name: str
    resource_type: str
    type_label: str
    subscription_id: str
    date: dt.date = Field(description="first cost day (new) or last cost day (stopped)")
    daily: float
    monthly: float
    cost_since: float
    finding_ids: list[str]


class Budget(Model):
    """A Cost Management budget (B1) and how much of it is spent."""

    name: str
    amount: float
    time_grain: str
    spent_ratio: float | None


class SubscriptionSpend(Model):
    """D8.7: a subscription's last-30-day spend with offer, environment, tagging and guardrails."""

    subscription_id: str
    name: str
    offer_label: str
    outside_main_agreement: bool
    environment: str
    amount: float
    share: float
    untagged_share: float
    run_rate_monthly: float
    budgets: list[Budget] | None = Field(description="null: budgets not read")
    anomaly_alerts: int | None = Field(description="null: scheduled actions not read")


class ShareOf(Model):
    """An amount under a key with its label and share of the total."""

    key: str
    label: str
    amount: float
    share: float


class GroupSpend(Model):
    """A resource group's last-30-day spend, with its subscription."""

    subscription_id: str
    subscription_name: str
    group: str
    amount: float


class TopResource(Model):
    """One of the resources with most spend, joined to its findings."""

    resource_id: str
    name: str
    resource_type: str
    type_label: str
    subscription_id: str
    resource_group: str
    environment: str
    amount: float
    finding_ids: list[str]
