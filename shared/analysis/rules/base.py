"""What every rule gets (the index, the billing currency, the as-of day), how a rule declares itself, and
helpers for common row shapes. Finding builders are in rules/build.py; the registry of every rule is
rules/registry.py (it imports the families; they import this module, so the registry cannot live here).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, ParamSpec, TypeVar

from shared.analysis.findings import Finding, Kind
from shared.analysis.index import EstateIndex


@dataclass(frozen=True)
class RuleContext:
    """The inputs of a rule run."""

    index: EstateIndex
    currency: str
    today: dt.date


Rule = Callable[[RuleContext], Iterable[Finding]]
P = ParamSpec("P")
T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """A rule's declaration: its id (frozen: reports refer to it), title, kind and narrative phrase.

    `kind` is what the rule's findings are: `counted` (a saving the bill or Advisor supports), `review` (a
    judgement call shown as a range, never counted) or `risk` (no saving). A counted rule may downgrade one
    finding to a review item when its context calls for judgement (a disaster-recovery resource group).
    `narrative` names the finding in the deterministic narrative ("a disk attached to nothing, saving ...");
    rules without one (those that never carry a saving, and ADV) are called "a finding of rule <id>".
    """

    id: str
    title: str
    kind: Kind
    narrative: str | None = None

    @property
    def phrase(self) -> str:
        """How the deterministic narrative names a finding of this rule."""
        return self.narrative or f"a finding of rule {self.id}"


class DeclaredRule(Generic[P, T_co]):
    """A rule function with its RuleSpec attached (see `rule`); calling it runs the function."""

    __name__: str  # set with the docstring by functools.update_wrapper

    def __init__(self, spec: RuleSpec, check: Callable[P, T_co]) -> None:
        self.spec = spec
        self._check = check
        functools.update_wrapper(self, check)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> T_co:
        return self._check(*args, **kwargs)


def rule(id: str, *, title: str, kind: Kind,
         narrative: str | None = None) -> Callable[[Callable[P, T]], DeclaredRule[P, T]]:
    """Declare the decorated function as the rule `id`: its id, title, kind and narrative phrase sit on it."""
    spec = RuleSpec(id, title, kind, narrative)

    def declare(check: Callable[P, T]) -> DeclaredRule[P, T]:
        return DeclaredRule(spec, check)

    return declare


InventoryRule = DeclaredRule[[RuleContext], Iterable[Finding]]


def props(row: dict[str, Any]) -> dict[str, Any]:
    """The row's properties bag (never None)."""
    value = row.get("properties")
    return value if isinstance(value, dict) else {}


def known_props(row: dict[str, Any]) -> dict[str, Any] | None:
    """The row's properties bag, or None when the row carries none: missing evidence is unknown, never waste."""
    value = row.get("properties")
    return value if isinstance(value, dict) else None


def tag_text(row: dict[str, Any]) -> str:
    """Every tag key and value of a row, lower-cased in one string (for marker searches)."""
    tags = row.get("tags")
    return " ".join(f"{k} {v}" for k, v in tags.items()).lower() if isinstance(tags, dict) else ""


def sku_name(row: dict[str, Any]) -> str:
    """The SKU name of a row, or ''."""
    sku = row.get("sku")
    return str(sku.get("name") or "") if isinstance(sku, dict) else ""


def subscription_of(resource_id: str) -> str:
    """The subscription id inside an ARM id."""
    parts = resource_id.split("/")
    return parts[2].lower() if len(parts) > 2 and parts[1].lower() == "subscriptions" else ""


def ref_ids(value: Any) -> list[str]:
    """Lower-cased ids of a list of {"id": ...} references (or one reference)."""
    items = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
    return [str(item["id"]).lower() for item in items if isinstance(item, dict) and item.get("id")]


def parse_time(value: Any) -> dt.datetime | None:
    """An ISO timestamp as an aware datetime, or None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
