"""The report.json model, schema_version 2: the contract documented in docs/report-format.md (report-design D12).

`shared/analysis/report.schema.json` is this model's JSON schema, committed and served at
GET /api/schemas/report/v2.json; `$schema` names it. A test keeps them equal. Stored reports of any version are
read back through report_reader.py (v1 is upgraded by report_v2.py). Findings are in report_model_findings.py,
the plan and commitments in report_model_plan.py, the analytics in report_model_analytics.py, the narrative in
report_model_narrative.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import ConfigDict, Field

from shared.analysis.changes_model import Changes
from shared.analysis.report_model_analytics import AnomalyOut, CostAnalytics, DailyCost, Signal
from shared.analysis.report_model_findings import FindingOut, Model
from shared.analysis.report_model_narrative import Narrative
from shared.analysis.report_model_plan import ActionPlan, AmountByKey, Commitments

REPORT_SCHEMA_VERSION: Literal[2] = 2
SCHEMA_URL = "https://caleta.io/schemas/report/v2.json"
__all__ = ["REPORT_SCHEMA_VERSION", "SCHEMA_URL", "AmountByKey", "AnomalyOut", "CostAnalytics", "DailyCost",
           "FindingOut", "Narrative", "Report", "Signal"]


class CurrencyAmount(Model):
    """An amount in a currency other than the bill's (shown apart, never added)."""

    currency: str
    amount: float
    findings: int


class Totals(Model):
    """v1's totals, kept: monthly_savings == headline.counted_monthly == the sum of the counted findings."""

    monthly_savings: float
    annual_savings: float
    currency: str
    findings: int
    counted_findings: int
    by_category: list[AmountByKey]
    by_basis: list[AmountByKey]
    by_tier: list[AmountByKey]
    not_added_other_currency: list[CurrencyAmount]


class RunRate(Model):
    """Today's spend rate: the mean day of the last 28 (one-off days replaced by the same weekday a week earlier)."""

    daily: float
    monthly: float
    annual: float
    from_: dt.date | None = Field(alias="from")
    days: int
    excludes: list[dt.date]


class TierTotal(Model):
    """One tier's counted money (D2.2); low and high differ only for rule-of-thumb estimates."""

    tier: Literal["measured", "conditional", "commitment", "estimated"]
    label: str
    needs: str
    monthly: float
    monthly_low: float
    monthly_high: float
    annual: float
    share_of_run_rate: float | None
    findings: int


class SavingsRange(Model):
    """Page 1's range: low = the measured tier alone; high = every tier at its upper bound."""

    low_monthly: float
    high_monthly: float
    low_annual: float
    high_annual: float
    low_share: float | None
    high_share: float | None


class RunRateAfter(Model):
    """The annual run-rate after the measured savings and after every saving at its upper bound."""

    today_annual: float
    measured_annual: float
    all_high_annual: float


class Headline(Model):
    """The headline by certainty (D2)."""

    currency: str
    spend_30d: float
    run_rate: RunRate
    tiers: list[TierTotal]
    counted_monthly: float
    counted_annual: float
    range: SavingsRange
    run_rate_after: RunRateAfter


class SubscriptionOut(Model):
    """A subscription in scope (id lower case), its offer and what could be read from it."""

    subscription_id: str
    display_name: str | None
    offer: str | None
    offer_label: str
    environment: str
    environment_source: str
    sources: dict[str, str]


class DataWindow(Model):
    """The period the cost data covers, and the windows the figures use."""

    cost_from: dt.date | None
    cost_to: dt.date | None
    days: int
    savings_window_days: int
    run_rate_days: int


class CustomerQuery(Model):
    """A query the customer runs where Caleta may not read (D9): KQL, T-SQL or a shell command."""

    id: str
    language: Literal["kql", "tsql", "shell"]
    title: str
    where: str
    text: str
    used_by: list[str]
    reading: str


class Report(Model):
    """The cost review."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, serialize_by_alias=True,
                              json_schema_extra={"$id": SCHEMA_URL,
                                                 "$schema": "https://json-schema.org/draft/2020-12/schema"})

    schema_: str = Field(default=SCHEMA_URL, alias="$schema")
    schema_version: Literal[2] = REPORT_SCHEMA_VERSION
    customer_id: str
    scan_id: str
    company: str
    generated_at: dt.datetime
    currency: str
    previous_scan_id: str | None = Field(default=None, description="the review `changes` compares with")
    data_window: DataWindow
    subscriptions: list[SubscriptionOut]
    headline: Headline
    totals: Totals
    findings: list[FindingOut]
    action_plan: ActionPlan
    commitments: Commitments
    analytics: CostAnalytics
    customer_queries: list[CustomerQuery]
    narrative: Narrative
    changes: Changes | None = Field(default=None, description="since your last review (issue 15): null on a "
                                    "customer's first review")
    limitations: list[str]
    methodology: list[str]
