"""What one scan's analysis produced before the report is built: findings, analytics, prices, context."""

from __future__ import annotations

from dataclasses import dataclass

from shared.analysis.analytics import Analytics
from shared.analysis.bill_rates import BillRates
from shared.analysis.context import EstateContext
from shared.analysis.findings import Finding
from shared.analysis.index import EstateIndex
from shared.analysis.insights_views import CostInsights
from shared.analysis.rules.base import RuleContext
from shared.analysis.twins import Twins


@dataclass
class Analysed:
    """The final findings of a scan and what the report is built from; `governance` holds the guardrails as
    findings (report-design D10), apart from the rules' findings."""

    index: EstateIndex
    ctx: RuleContext
    findings: list[Finding]
    analytics: Analytics
    rates: BillRates
    twins: Twins
    insights: CostInsights
    governance: list[Finding]
    context: EstateContext
