"""The report.json model of schema_version 1, frozen: what releases before report.json v2 wrote.

Never edited: stored v1 reports are served as they are, and report_v2.py upgrades them to today's model.
`shared/analysis/report.v1.schema.json` is this model's JSON schema, committed; a test keeps them equal.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

REPORT_SCHEMA_VERSION: Literal[1] = 1


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AlternativeOut(_Model):
    """An option listed with a finding but not counted in the totals."""

    rule: str
    title: str
    monthly_savings: float
    currency: str
    basis: Literal["actual_cost", "advisor", "estimate"]
    formula: str
    action: str


class FindingOut(_Model):
    """One finding as published."""

    id: str
    rule: str
    family: str
    category: Literal["waste", "rightsizing", "commitment", "licensing", "hygiene", "anomaly"]
    title: str
    resource_id: str
    resource_name: str
    resource_type: str
    subscription_id: str
    resources: list[str]
    evidence: dict[str, str | float | int | bool]
    monthly_savings: float
    currency: str
    basis: Literal["actual_cost", "advisor", "estimate"]
    confidence: Literal["high", "medium", "low"]
    formula: str
    action: str
    cost_to_date: float
    counted: bool = Field(description="true when monthly_savings is included in totals.monthly_savings")
    not_counted_reason: str | None
    sources: list[str]
    alternatives: list[AlternativeOut]
    kind: Literal["counted", "review", "risk"] | None = Field(
        default=None, description="counted: a saving the bill or Advisor supports; review: a judgement call shown "
                                  "as a range, never counted; risk: no saving. None: written before kinds existed")
    monthly_savings_low: float | None = Field(default=None, description="a review item's range, low end")
    monthly_savings_high: float | None = Field(
        default=None, description="a review item's range, high end (None: the bill as collected cannot price it)")


class AmountByKey(_Model):
    """A labelled amount in the billing currency."""

    key: str
    amount: float


class CurrencyAmount(_Model):
    """An amount in a currency other than the bill's (shown apart, never added)."""

    currency: str
    amount: float
    findings: int


class Totals(_Model):
    """Headline numbers: monthly_savings == the sum of monthly_savings of the counted findings."""

    monthly_savings: float
    annual_savings: float
    currency: str
    findings: int
    counted_findings: int
    by_category: list[AmountByKey]
    by_basis: list[AmountByKey]
    not_added_other_currency: list[CurrencyAmount]


class DailyCost(_Model):
    """One day of the trend."""

    date: dt.date
    cost: float
    anomaly: bool


class AnomalyOut(_Model):
    """A day outside the expected band and its drivers."""

    date: dt.date
    cost: float
    expected: float
    band_low: float
    band_high: float
    drivers: list[AmountByKey]
    services: list[AmountByKey]


class CostAnalytics(_Model):
    """Spend from the customer's own bill (amortized, billing currency)."""

    currency: str
    total_last_30_days: float
    by_subscription: list[AmountByKey]
    by_service: list[AmountByKey]
    by_resource_group: list[AmountByKey]
    by_location: list[AmountByKey]
    daily: list[DailyCost]
    months: list[AmountByKey]
    month_to_date: float
    previous_month_same_days: float
    month_over_month: float | None
    forecast_month_end: float
    anomalies: list[AnomalyOut]
    untagged_share: float
    untagged_last_30_days: float
    top_resources: list[AmountByKey]


class Paragraph(_Model):
    """One narrative paragraph, numbers filled in by the renderer from facts."""

    text: str
    facts: list[str]


class Narrative(_Model):
    """The executive summary and which writer produced it."""

    source: Literal["llm", "deterministic"]
    fallback_reason: str | None
    summary: list[Paragraph]
    highlights: list[Paragraph]
    facts: dict[str, str]


class SubscriptionOut(_Model):
    """A subscription in scope and what could be read from it."""

    subscription_id: str
    display_name: str | None
    offer: str | None
    sources: dict[str, str]


class DataWindow(_Model):
    """The period the cost data covers."""

    cost_from: dt.date | None
    cost_to: dt.date | None
    savings_window_days: int


class Report(_Model):
    """The cost review."""

    schema_version: Literal[1] = REPORT_SCHEMA_VERSION
    customer_id: str
    scan_id: str
    company: str
    generated_at: dt.datetime
    currency: str
    data_window: DataWindow
    subscriptions: list[SubscriptionOut]
    totals: Totals
    findings: list[FindingOut]
    analytics: CostAnalytics
    narrative: Narrative
    limitations: list[str]
    methodology: list[str]
