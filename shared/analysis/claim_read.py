"""Reading a claim's roles for its rule: each role's fact or alias, refused on first read when it is of another
key or unit (`wrong_key`), about another driver, row, item or subscription (`wrong_item`), or of another kind."""

from __future__ import annotations

import datetime as dt

from shared.analysis.claims import CLAIM_ROLES, Claim, Role
from shared.analysis.facts import Alias, Fact, NarrativeFacts


class NarrativeRejected(Exception):
    """An answer (or claim) broke a rule; `rule` names it, the message says it in words, never the answer."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule


def roles_of(claim: Claim) -> tuple[Role, ...] | None:
    """The role set of the claim's type that matches its properties exactly, if any."""
    names = {name for name, _ in claim.ids}
    return next((v for v in CLAIM_ROLES.get(claim.type, ()) if {r.name for r in v} == names), None)


class Read:
    """The claim's roles, read and checked on first use."""

    def __init__(self, claim: Claim, sheet: NarrativeFacts, roles: tuple[Role, ...]) -> None:
        self.claim, self.sheet, self.roles = claim, sheet, {r.name: r for r in roles}

    def fact(self, role: str, about: str | None = None) -> Fact:
        """The fact in a role, of the role's key (or unit) and about `about`."""
        spec, fact = self.roles[role], self.sheet.fact(self.claim.get(role) or "")
        if fact is None:
            raise NarrativeRejected("missing_fact", f"{self.claim.type}: {role} cites no fact")
        if (spec.key is not None and fact.key is not spec.key) or (spec.unit is not None and fact.unit != spec.unit):
            raise NarrativeRejected("wrong_key", f"{self.claim.type}: {role} cites a fact of another kind")
        if spec.key is not None and fact.about != about:
            raise NarrativeRejected("wrong_item", f"{self.claim.type}: {role} cites a fact about another item")
        return fact

    def opt(self, role: str, about: str | None = None) -> Fact | None:
        """The fact in a nullable role, or None."""
        return self.fact(role, about) if self.claim.get(role) is not None else None

    def num(self, role: str, about: str | None = None) -> float:
        """The numeric value of the fact in a role."""
        value = self.fact(role, about).value
        return float(value) if isinstance(value, float | int) else 0.0

    def date(self, role: str) -> dt.date:
        """The date the fact in a role holds."""
        value = self.fact(role).value
        if not isinstance(value, dt.date):
            raise NarrativeRejected("wrong_key", f"{self.claim.type}: {role} is not a date")
        return value

    def alias(self, role: str) -> Alias:
        """The alias in a role, of the role's kind."""
        alias = self.sheet.alias(self.claim.get(role) or "")
        if alias is None or alias.kind != self.roles[role].alias:
            raise NarrativeRejected("wrong_alias", f"{self.claim.type}: {role} names something of another kind")
        return alias
