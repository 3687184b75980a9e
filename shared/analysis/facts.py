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
from typing import Literal

from shared.analysis.claim_format import date_text, money_text, percent_text
from shared.analysis.fact_keys import SPEC, FactKey, Unit
from shared.analysis.wording import money_text as table_money

AliasKind = Literal["driver", "action", "review", "subscription"]
Value = float | dt.date | str
NOT_READ = "not read"
__all__ = ["NOT_READ", "Alias", "AliasKind", "Fact", "FactKey", "NarrativeFacts", "Unit", "Value"]


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
        return SPEC[self.key][1]

    @property
    def label(self) -> str:
        """What the fact measures, in Caleta's words."""
        return SPEC[self.key][0].format(param=self.param)

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
