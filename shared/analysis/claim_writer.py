"""What a template writes with: the claim's facts and aliases (each one read is cited) and customer strings
(recorded, so the checker can mask them before it reads the numbers back)."""

from __future__ import annotations

from dataclasses import dataclass, field

from shared.analysis.claims import Claim
from shared.analysis.facts import Alias, Fact, FactKey, NarrativeFacts

MASK = "\u27e8name\u27e9"


@dataclass
class Rendered:
    """A claim's sentence, the same sentence with customer strings masked, and what it cites."""

    text: str = ""
    fact_ids: list[str] = field(default_factory=list)
    alias_ids: list[str] = field(default_factory=list)
    private: list[str] = field(default_factory=list)

    @property
    def masked(self) -> str:
        """The sentence with every customer string replaced (so their digits are not read as figures)."""
        out = self.text
        for value in sorted({p for p in self.private if p}, key=len, reverse=True):
            out = out.replace(value, MASK)
        return out


class Writer:
    """Fills a template from one claim: each fact it reads is cited, each customer string recorded."""

    def __init__(self, claim: Claim, sheet: NarrativeFacts, said: frozenset[str]) -> None:
        self.claim, self.sheet, self.out, self.said = claim, sheet, Rendered(), said
        self.currency = sheet.currency

    def fact(self, role: str) -> Fact | None:
        """The fact in a role, cited."""
        fact = self.sheet.fact(self.claim.get(role) or "")
        if fact is not None and fact.id not in self.out.fact_ids:
            self.out.fact_ids.append(fact.id)
        return fact

    def f(self, role: str) -> str:
        """The fact in a role as the summary prints it, cited."""
        fact = self.fact(role)
        return fact.render(self.sheet.currency) if fact is not None else ""

    def num(self, role: str) -> float:
        """The numeric value of the fact in a role, cited."""
        fact = self.fact(role)
        return float(fact.value) if fact is not None and isinstance(fact.value, float | int) else 0.0

    def cite(self, fact: Fact) -> Fact:
        """Cite a fact the sentence prints."""
        if fact.id not in self.out.fact_ids:
            self.out.fact_ids.append(fact.id)
        return fact

    def implied(self, key: FactKey, about: str | None = None) -> Fact | None:
        """A fact the template adds by the claim's item (a licence count, a budget), cited like a role's."""
        fact = self.sheet.of(key, about)
        return self.cite(fact) if fact is not None else None

    def alias(self, role: str) -> Alias:
        """The alias in a role, recorded as named."""
        alias = self.sheet.alias(self.claim.get(role) or "")
        if alias is None:
            raise KeyError(role)
        self.out.alias_ids.append(alias.id)
        return alias

    def private(self, value: str) -> str:
        """A customer string, recorded so the checker masks it."""
        self.out.private.append(value)
        return value
