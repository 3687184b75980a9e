"""Facts (F1..) and aliases (D#, P#, V#, S#): the only things a language model ever sees of the estate (D11.1).

A fact is a typed aggregate the analysis computed: a key (what it measures), a value, a unit and, for facts about
one driver, plan row, review item or subscription, the alias it is `about`. An alias stands for such a thing by
its kind, Caleta's plain type label, rule and environment; the customer's names live beside it for the renderer
only and never enter a prompt (`Alias.visible`). Label facts hold Caleta's own enums (effort, risk, offer labels)
or Microsoft's meter categories, never customer strings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from shared.analysis.claim_format import date_text, money_text, percent_text
from shared.analysis.wording import money_text as table_money

Unit = Literal["money", "annual", "percent", "count", "date", "label"]
AliasKind = Literal["driver", "action", "review", "subscription"]
Value = float | dt.date | str
NOT_READ = "not read"


class FactKey(StrEnum):
    """What a fact measures; its wording and unit are in `_SPEC` (changing one changes every prompt)."""

    RUN_RATE_MONTHLY = "run_rate_monthly"
    RUN_RATE_DAILY = "run_rate_daily"
    SPEND_30D = "spend_30d"
    BASE_DAILY = "base_daily"
    BASE_FROM = "base_from"
    CHANGE_PCT = "change_pct"
    SHIFT_DATE = "shift_date"
    SHIFT_DELTA = "shift_delta"
    SHIFT_PCT = "shift_pct"
    ANOMALY_COUNT = "anomaly_count"
    ANOMALY_DATE = "anomaly_date"
    ONE_OFF_AMOUNT = "one_off_amount"
    ANOMALY_SERVICE = "anomaly_service"
    UNTAGGED_SHARE = "untagged_share"
    WEEKEND_DROP = "weekend_drop"
    BILLED_RESOURCES = "billed_resources"
    TOP_RESOURCE_SHARE = "top_resource_share"
    TOP_RESOURCE_MONTHLY = "top_resource_monthly"
    TIER_MEASURED = "tier_measured"
    TIER_CONDITIONAL = "tier_conditional"
    TIER_COMMITMENT = "tier_commitment"
    TIER_EST_LOW = "tier_est_low"
    TIER_EST_HIGH = "tier_est_high"
    RANGE_LOW = "range_low"
    RANGE_HIGH = "range_high"
    SHARE_LOW = "share_low"
    SHARE_HIGH = "share_high"
    ANNUAL_LOW = "annual_low"
    ANNUAL_HIGH = "annual_high"
    COUNTED_TOTAL = "counted_total"
    COMMITMENT_TERM = "commitment_term"
    MAIN_AGREEMENT = "main_agreement"
    CHANGE_DRIVER_SHARE = "change_driver_share"
    SHIFT_DRIVER_SHARE = "shift_driver_share"
    DRIVER_FIRST_COST = "driver_first_cost"
    DRIVER_COST_SINCE = "driver_cost_since"
    ACTION_SAVING = "action_saving"
    ACTION_LOW = "action_low"
    ACTION_HIGH = "action_high"
    ACTION_EFFORT = "action_effort"
    ACTION_RISK = "action_risk"
    ITEM_COUNT = "item_count"
    LICENCE_CORES = "licence_cores"
    GUARDRAIL_BUDGET = "guardrail_budget"
    REVIEW_LOW = "review_low"
    REVIEW_HIGH = "review_high"
    REVIEW_COUNT = "review_count"
    OFFER = "offer"
    OUTSIDE_AGREEMENT = "outside_agreement"
    BUDGET_COUNT = "budget_count"
    ALERT_COUNT = "alert_count"
    SUB_UNTAGGED_SHARE = "sub_untagged_share"
    SUB_UNTAGGED_AMOUNT = "sub_untagged_amount"


K = FactKey
_SPEC: dict[FactKey, tuple[str, Unit]] = {
    K.RUN_RATE_MONTHLY: ("monthly run-rate: 30 days at today's daily rate", "money"),
    K.RUN_RATE_DAILY: ("daily run-rate: mean of the last 28 days, one-off days replaced", "money"),
    K.SPEND_30D: ("spend over the last 30 days", "money"),
    K.BASE_DAILY: ("daily spend over the first 28 days of the window", "money"),
    K.BASE_FROM: ("first day of the cost window", "date"),
    K.CHANGE_PCT: ("change of the daily run-rate since the start of the window", "percent"),
    K.SHIFT_DATE: ("day of the largest step in daily spend", "date"),
    K.SHIFT_DELTA: ("size of that step per day", "money"),
    K.SHIFT_PCT: ("size of that step against the spend before it", "percent"),
    K.ANOMALY_COUNT: ("days outside the usual range in the window", "count"),
    K.ANOMALY_DATE: ("day of the largest one-off in the last 30 days", "date"),
    K.ONE_OFF_AMOUNT: ("that day's cost above its usual level", "money"),
    K.ANOMALY_SERVICE: ("meter category with most of that one-off", "label"),
    K.UNTAGGED_SHARE: ("share of the last 30 days' spend on resources without tags", "percent"),
    K.WEEKEND_DROP: ("how much lower daily spend is at weekends than on weekdays", "percent"),
    K.BILLED_RESOURCES: ("resources billed in the last 30 days", "count"),
    K.TOP_RESOURCE_SHARE: ("share of the last 30 days' spend on the largest resource", "percent"),
    K.TOP_RESOURCE_MONTHLY: ("last-30-day cost of the largest resource", "money"),
    K.TIER_MEASURED: ("monthly savings measured on the bill", "money"),
    K.TIER_CONDITIONAL: ("monthly savings if the licences are held", "money"),
    K.TIER_COMMITMENT: ("monthly savings with a commitment purchase", "money"),
    K.TIER_EST_LOW: ("estimated monthly savings, low end", "money"),
    K.TIER_EST_HIGH: ("estimated monthly savings, high end", "money"),
    K.RANGE_LOW: ("monthly savings range, low end (measured only)", "money"),
    K.RANGE_HIGH: ("monthly savings range, high end (every tier at its upper bound)", "money"),
    K.SHARE_LOW: ("low end as a share of the monthly run-rate", "percent"),
    K.SHARE_HIGH: ("high end as a share of the monthly run-rate", "percent"),
    K.ANNUAL_LOW: ("annual savings, low end", "annual"),
    K.ANNUAL_HIGH: ("annual savings, high end", "annual"),
    K.COUNTED_TOTAL: ("monthly savings counted, all tiers", "money"),
    K.COMMITMENT_TERM: ("term of the counted commitment", "label"),
    K.MAIN_AGREEMENT: ("the agreement most spend is under", "label"),
    K.CHANGE_DRIVER_SHARE: ("driver's share of the change since the start of the window", "percent"),
    K.SHIFT_DRIVER_SHARE: ("driver's share of the step", "percent"),
    K.DRIVER_FIRST_COST: ("driver's first cost day inside the window", "date"),
    K.DRIVER_COST_SINCE: ("driver's cost since its first cost day (or the window start)", "money"),
    K.ACTION_SAVING: ("plan row's counted monthly saving", "money"),
    K.ACTION_LOW: ("plan row's monthly range, low end (not counted)", "money"),
    K.ACTION_HIGH: ("plan row's monthly range, high end (not counted)", "money"),
    K.ACTION_EFFORT: ("plan row's effort", "label"),
    K.ACTION_RISK: ("plan row's change risk", "label"),
    K.ITEM_COUNT: ("findings in the plan row", "count"),
    K.LICENCE_CORES: ("core licences the plan row needs: {param}", "count"),
    K.GUARDRAIL_BUDGET: ("suggested monthly budget", "money"),
    K.REVIEW_LOW: ("review item's monthly range, low end (not counted)", "money"),
    K.REVIEW_HIGH: ("review item's monthly range, high end (not counted)", "money"),
    K.REVIEW_COUNT: ("public IPs the plan protects", "count"),
    K.OFFER: ("subscription's offer", "label"),
    K.OUTSIDE_AGREEMENT: ("subscription outside the main agreement", "label"),
    K.BUDGET_COUNT: ("Cost Management budgets on the subscription", "count"),
    K.ALERT_COUNT: ("cost anomaly alerts on the subscription", "count"),
    K.SUB_UNTAGGED_SHARE: ("subscription's share of spend without tags", "percent"),
    K.SUB_UNTAGGED_AMOUNT: ("subscription's last-30-day spend without tags", "money"),
}


@dataclass(frozen=True)
class Fact:
    """One computed value, keyed by what it measures; `about` names the alias it belongs to, if any."""

    id: str
    key: FactKey
    value: Value
    about: str | None = None
    param: str = ""

    @property
    def unit(self) -> Unit:
        """money, annual (money in the annual style), percent (a fraction), count, date or label."""
        return _SPEC[self.key][1]

    @property
    def label(self) -> str:
        """What the fact measures, in Caleta's words."""
        return _SPEC[self.key][0].format(param=self.param)

    def render(self, currency: str) -> str:
        """The value as the summary prints it (money to 3 significant figures, whole percents, '7 September')."""
        value, unit = self.value, self.unit
        if isinstance(value, dt.date):
            return date_text(value)
        if isinstance(value, str):
            return value
        if unit in ("money", "annual"):
            return money_text(value, currency, "annual" if unit == "annual" else "summary")
        if unit == "percent":
            return percent_text(abs(value))
        return f"{round(value):,}"

    def exact(self, currency: str) -> str:
        """The value in full (pence, one decimal of a percent): the facts list of report.json."""
        if isinstance(self.value, float | int) and self.unit in ("money", "annual"):
            return table_money(float(self.value), currency)
        if isinstance(self.value, float | int) and self.unit == "percent":
            return f"{100 * float(self.value):.1f}%"
        return self.render(currency)


@dataclass(frozen=True)
class Alias:
    """A stand-in for a driver (D#), plan row (P#), review item (V#) or subscription (S#).

    `visible()` is all a model sees. `name`, `where` and `words` are customer data or wording that holds it
    (resource names, the subscription's name, the resource group): the renderer's only, escaped where shown.
    """

    id: str
    kind: AliasKind
    type_label: str
    rule: str | None = None
    environment: str | None = None
    detail: str | None = None  # P#: the row kind (delete, cleanup, licence, ...); V#: the review rule
    name: str = ""
    where: str = ""
    group: str = ""
    words: tuple[str, ...] = ()
    resource_ids: tuple[str, ...] = ()
    note: str = ""  # P# guardrails: "so it cannot recur", said only right after the row it follows
    follows: str = ""  # P# guardrails: the alias of the new recurring cost they would stop

    def visible(self) -> dict[str, str]:
        """The alias as the prompt shows it: Caleta's enums only."""
        shown = {"id": self.id, "kind": self.kind, "type": self.type_label, "rule": self.rule or "",
                 "environment": self.environment or "", "row": self.detail or ""}
        return {k: v for k, v in shown.items() if v}


@dataclass
class NarrativeFacts:
    """The fact sheet: facts and aliases in order, the company (renderer only) and the billing currency."""

    company: str
    currency: str
    facts: list[Fact] = field(default_factory=list)
    aliases: list[Alias] = field(default_factory=list)
    # What the checker verifies claims against beyond the facts (never in a prompt): every one-off day above the
    # band (its top driver's resource id and the one-off amount), where the last 30 days start, the days of the
    # level shifts and the largest resource's id.
    one_offs: dict[dt.date, tuple[str, float]] = field(default_factory=dict)
    recent_from: dt.date | None = None
    shifts: frozenset[dt.date] = frozenset()
    top_resource: str | None = None

    def fact(self, fact_id: str) -> Fact | None:
        """The fact with this id, if present."""
        return next((f for f in self.facts if f.id == fact_id), None)

    def alias(self, alias_id: str) -> Alias | None:
        """The alias with this id, if present."""
        return next((a for a in self.aliases if a.id == alias_id), None)

    def of(self, key: FactKey, about: str | None = None) -> Fact | None:
        """The fact measuring `key` (about `about`), if present."""
        return next((f for f in self.facts if f.key is key and f.about == about), None)

    def about(self, alias_id: str) -> list[Fact]:
        """Every fact about one alias."""
        return [f for f in self.facts if f.about == alias_id]

    def aliases_of(self, kind: AliasKind) -> list[Alias]:
        """Every alias of one kind, in sheet order."""
        return [a for a in self.aliases if a.kind == kind]

    def number(self, key: FactKey, about: str | None = None, default: float = 0.0) -> float:
        """A numeric fact's value, or `default` when absent or not a number."""
        fact = self.of(key, about)
        return float(fact.value) if fact is not None and isinstance(fact.value, float | int) else default


# --- v1 report helpers (render.py, report_build.py until report.json v2 replaces them) -------------------------
_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}


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
