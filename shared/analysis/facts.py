"""Facts (F1..) and aliases (R1..): the only things a language model ever sees of the estate.

A fact is an aggregate the analysis computed, labelled in our own words; an alias stands for a resource
by rule, category and Azure type. Names, ids, tags, subscription and tenant ids never enter a fact.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from shared.analysis.analytics import Analytics
from shared.analysis.findings import CATEGORIES, Finding

MAX_FACTS = 40
MAX_ALIASES = 10
_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}
Unit = Literal["money", "percent", "count"]


class FactKey(StrEnum):
    """What a fact measures, independent of its wording; with `Fact.param` it names one fact of a sheet."""

    TOTAL_MONTHLY_SAVINGS = "total_monthly_savings"
    TOTAL_ANNUAL_SAVINGS = "total_annual_savings"
    COUNTED_FINDINGS = "counted_findings"
    FINDINGS = "findings"
    SPEND_30D = "spend_30d"
    SAVINGS_SHARE_OF_SPEND = "savings_share_of_spend"
    FORECAST_MONTH_END = "forecast_month_end"
    UNTAGGED_SHARE = "untagged_share"
    ANOMALY_DAYS = "anomaly_days"
    MONTH_OVER_MONTH = "month_over_month"
    CATEGORY_SAVINGS = "category_savings"  # param: the category
    FINDING_SAVING = "finding_saving"  # param: the alias (R1..)


# The wording the model and the reader see ({param} filled in) and the unit, per key. Changing a label
# changes the prompt and every report's narrative.facts: do it on purpose.
_WORDING: dict[FactKey, tuple[str, Unit]] = {
    FactKey.TOTAL_MONTHLY_SAVINGS: ("total monthly savings counted in the report", "money"),
    FactKey.TOTAL_ANNUAL_SAVINGS: ("total annual savings (monthly x 12)", "money"),
    FactKey.COUNTED_FINDINGS: ("number of findings with a counted saving", "count"),
    FactKey.FINDINGS: ("number of findings in the report", "count"),
    FactKey.SPEND_30D: ("spend over the last 30 days", "money"),
    FactKey.SAVINGS_SHARE_OF_SPEND: ("monthly savings as a share of the last 30 days' spend", "percent"),
    FactKey.FORECAST_MONTH_END: ("forecast spend for the current calendar month", "money"),
    FactKey.UNTAGGED_SHARE: ("share of the last 30 days' spend on untagged resources", "percent"),
    FactKey.ANOMALY_DAYS: ("number of days with spend outside the expected band", "count"),
    FactKey.MONTH_OVER_MONTH: ("change of month-to-date spend vs the same days last month", "percent"),
    FactKey.CATEGORY_SAVINGS: ("monthly savings in category {param}", "money"),
    FactKey.FINDING_SAVING: ("monthly saving of finding {param}", "money"),
}


@dataclass(frozen=True)
class Fact:
    """One computed number, keyed by what it measures; its label is our own words for the key."""

    id: str
    key: FactKey
    value: float
    param: str = ""

    @property
    def label(self) -> str:
        """The fact in words, as the model and the reader see it."""
        return _WORDING[self.key][0].format(param=self.param)

    @property
    def unit(self) -> Unit:
        """money, percent or count."""
        return _WORDING[self.key][1]

    def render(self, currency: str) -> str:
        """The value as the reader sees it."""
        return format_value(self.value, self.unit, currency)


@dataclass(frozen=True)
class Alias:
    """A stand-in for a finding's resource: the model sees rule, category and type only."""

    id: str
    finding_id: str
    rule: str
    category: str
    resource_type: str
    display_name: str  # the customer's name for it: renderer only, never in a prompt
    saving_fact: str


def format_value(value: float, unit: str, currency: str) -> str:
    """Money with its symbol and two decimals, percentages with one, counts as integers."""
    if unit == "money":
        symbol = _SYMBOLS.get(currency)
        return f"{symbol}{value:,.2f}" if symbol else f"{value:,.2f} {currency}"
    if unit == "percent":
        return f"{value:.1f}%"
    return f"{round(value):,}"


def resource_type_of(resource_id: str) -> str:
    """The Azure type of an id (namespace/type[/child]); '' for scopes such as a subscription."""
    parts = resource_id.strip("/").split("/")
    lowered = [p.lower() for p in parts]
    if "providers" not in lowered:
        return "microsoft.resources/resourcegroups" if "resourcegroups" in lowered else "subscription"
    i = len(lowered) - 1 - lowered[::-1].index("providers")
    rest = lowered[i + 1:]
    return "/".join([rest[0], *rest[1::2]]) if rest else ""


@dataclass
class FactSheet:
    """Facts and aliases, in order."""

    currency: str
    facts: list[Fact]
    aliases: list[Alias]

    def fact(self, fact_id: str) -> Fact | None:
        """The fact with this id, if present."""
        return next((f for f in self.facts if f.id == fact_id), None)

    def by_key(self, key: FactKey, param: str = "") -> Fact | None:
        """The fact measuring `key` (for `param`), if present."""
        return next((f for f in self.facts if f.key is key and f.param == param), None)

    def all_of(self, key: FactKey) -> list[Fact]:
        """Every fact measuring `key`, in sheet order (one per param)."""
        return [f for f in self.facts if f.key is key]


def build_facts(findings: list[Finding], analytics: Analytics, currency: str, total: float,
                names: dict[str, str]) -> FactSheet:
    """The fact sheet for a report: headline aggregates, category totals, then the top findings."""
    counted = [f for f in findings if f.counted and f.monthly_savings > 0]
    spend = analytics.total_30d
    rows: list[tuple[FactKey, float, str]] = [
        (FactKey.TOTAL_MONTHLY_SAVINGS, total, ""),
        (FactKey.TOTAL_ANNUAL_SAVINGS, total * 12, ""),
        (FactKey.COUNTED_FINDINGS, len(counted), ""),
        (FactKey.FINDINGS, len(findings), ""),
        (FactKey.SPEND_30D, spend, ""),
        (FactKey.SAVINGS_SHARE_OF_SPEND, 100 * total / spend if spend else 0.0, ""),
        (FactKey.FORECAST_MONTH_END, analytics.forecast_month_end, ""),
        (FactKey.UNTAGGED_SHARE, 100 * analytics.untagged_share, ""),
        (FactKey.ANOMALY_DAYS, len(analytics.anomalies), ""),
    ]
    if analytics.month_over_month is not None:
        rows.append((FactKey.MONTH_OVER_MONTH, 100 * analytics.month_over_month, ""))
    for category in CATEGORIES:
        amount = sum(f.monthly_savings for f in counted if f.category == category)
        if amount > 0:
            rows.append((FactKey.CATEGORY_SAVINGS, amount, category))
    facts = [Fact(f"F{i}", key, round(value, 2), param) for i, (key, value, param) in enumerate(rows, start=1)]
    aliases: list[Alias] = []
    for finding in counted[:MAX_ALIASES]:
        if len(facts) >= MAX_FACTS:
            break
        alias_id = f"R{len(aliases) + 1}"
        fact = Fact(f"F{len(facts) + 1}", FactKey.FINDING_SAVING, finding.monthly_savings, alias_id)
        facts.append(fact)
        aliases.append(Alias(alias_id, finding.id, finding.rule, finding.category,
                             resource_type_of(finding.resource_id), names.get(finding.resource_id.lower(), ""),
                             fact.id))
    return FactSheet(currency, facts[:MAX_FACTS], aliases)
