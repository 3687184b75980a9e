"""Facts (F1..) and aliases (R1..): the only things a language model ever sees of the estate.

A fact is an aggregate the analysis computed, labelled in our own words; an alias stands for a resource
by rule, category and Azure type. Names, ids, tags, subscription and tenant ids never enter a fact.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.analysis.analytics import Analytics
from shared.analysis.findings import CATEGORIES, Finding

MAX_FACTS = 40
MAX_ALIASES = 10
_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}


@dataclass(frozen=True)
class Fact:
    """One computed number with a label in our own words."""

    id: str
    label: str
    value: float
    unit: str  # money | percent | count

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


def build_facts(findings: list[Finding], analytics: Analytics, currency: str, total: float,
                names: dict[str, str]) -> FactSheet:
    """The fact sheet for a report: headline aggregates, category totals, then the top findings."""
    counted = [f for f in findings if f.counted and f.monthly_savings > 0]
    spend = analytics.total_30d
    rows: list[tuple[str, float, str]] = [
        ("total monthly savings counted in the report", total, "money"),
        ("total annual savings (monthly x 12)", total * 12, "money"),
        ("number of findings with a counted saving", len(counted), "count"),
        ("number of findings in the report", len(findings), "count"),
        ("spend over the last 30 days", spend, "money"),
        ("monthly savings as a share of the last 30 days' spend", 100 * total / spend if spend else 0.0, "percent"),
        ("forecast spend for the current calendar month", analytics.forecast_month_end, "money"),
        ("share of the last 30 days' spend on untagged resources", 100 * analytics.untagged_share, "percent"),
        ("number of days with spend outside the expected band", len(analytics.anomalies), "count"),
    ]
    if analytics.month_over_month is not None:
        rows.append(("change of month-to-date spend vs the same days last month",
                     100 * analytics.month_over_month, "percent"))
    for category in CATEGORIES:
        amount = sum(f.monthly_savings for f in counted if f.category == category)
        if amount > 0:
            rows.append((f"monthly savings in category {category}", amount, "money"))
    facts = [Fact(f"F{i}", label, round(value, 2), unit) for i, (label, value, unit) in enumerate(rows, start=1)]
    aliases: list[Alias] = []
    for finding in counted[:MAX_ALIASES]:
        if len(facts) >= MAX_FACTS:
            break
        fact = Fact(f"F{len(facts) + 1}", f"monthly saving of finding R{len(aliases) + 1}",
                    finding.monthly_savings, "money")
        facts.append(fact)
        aliases.append(Alias(f"R{len(aliases) + 1}", finding.id, finding.rule, finding.category,
                             resource_type_of(finding.resource_id), names.get(finding.resource_id.lower(), ""),
                             fact.id))
    return FactSheet(currency, facts[:MAX_FACTS], aliases)
