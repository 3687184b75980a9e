"""report.json v2: the cost analytics from the bill (report-design D8, D12.2).

Today's analytics with ids lower case, the bill's cost signals (D8.11), and the analytics of report-design D8 and
D10 in one optional block, `insights` (report_model_insights.py, report_model_tags.py): its fields keep D12.2's
names without changing the shape of the fields v2 kept from v1 (`months`, `by_subscription`, `anomalies` ...).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from shared.analysis.report_model_findings import Model
from shared.analysis.report_model_plan import AmountByKey
from shared.analysis.report_model_tags import Insights


class DailyCost(Model):
    """One day of the trend."""

    date: dt.date
    cost: float
    anomaly: bool


class AnomalyOut(Model):
    """A day outside the expected band and its drivers (resource ids lower case)."""

    date: dt.date
    cost: float
    expected: float
    band_low: float
    band_high: float
    drivers: list[AmountByKey]
    services: list[AmountByKey]


class Signal(Model):
    """A cost event from the bill (growth, anomaly, forecast, untagged spend); not a finding (D8.11)."""

    type: Literal["growth", "anomaly", "level_shift", "forecast", "untagged"]
    date: dt.date | None
    resource_id: str | None
    amount: float | None = Field(description="the change a day (level_shift), the one-off, the growth in 30 days, "
                                 "the forecast, or the untagged spend")
    text: str


class CostAnalytics(Model):
    """Spend from the customer's own bill (amortized, billing currency), keys lower case; the analytics of
    report-design D8 and D10 in `insights` (null in reports written before it and in upgraded v1 reports)."""

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
    signals: list[Signal]
    unit_economics: None = Field(default=None, description="reserved: cost per unit of the customer's business")
    insights: Insights | None = Field(default=None, description="report-design D8 and D10: the story in time, "
                                      "where the money goes, tags, cash against amortised, governance")
