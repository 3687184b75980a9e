"""Optional cost and configuration data (docs/data-contract.md C2-C6, B1-B3, R3), read from the raw envelopes.

Every accessor returns None when the data was not collected (older scans, a failed or skipped query), so today's
envelopes analyse exactly as before and the report can say "not collected" instead of guessing. Shapes:

- `cost-detail` envelope, data: {"actual_cost" (C5), "billed_tags" (C6), "storage_meters" (C2), "vm_meters" (C3),
  "pricing_models" (C4): a table each, "missing": {name: reason}}; a table is {"type", "currency", "window",
  "columns": [{"name", "type"}], "rows": [[...]]} exactly as the C1 cost envelope, columns named as the API names
  them (read by name, never by position).
- `cost-config` envelope, data: {"budgets" (B1), "scheduled_actions" (B2), "reservation_recommendations" (B3):
  a list of REST objects each, "missing": {name: reason}}.
- `resource-graph` envelope, data: "policy_assignments" (R3): Resource Graph rows {id, name, properties:
  {policyDefinitionId, scope, notScopes, parameters, enforcementMode}}.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from shared.analysis.model import SubscriptionInputs

COST_DETAIL = "cost-detail"
COST_CONFIG = "cost-config"
TABLES = ("actual_cost", "billed_tags", "storage_meters", "vm_meters", "pricing_models")
CONFIG_LISTS = ("budgets", "scheduled_actions", "reservation_recommendations")
NOT_COLLECTED = "not collected"
# The aggregation column, by name: Cost, or PreTaxCost where the offer answers the documented 400 to Cost.
COST_NAMES = ("Cost", "PreTaxCost")


@dataclass(frozen=True)
class Table:
    """A Cost Management query result (columns by name), e.g. C5: Cost, ChargeType, PricingModel, Currency."""

    currency: str
    columns: tuple[str, ...]
    rows: Sequence[Sequence[Any]]
    cost_at: int

    def column(self, name: str) -> Iterator[Any]:
        """One column's values in row order; a missing column reads as empty strings."""
        if name not in self.columns:
            return iter([""] * len(self.rows))
        at = self.columns.index(name)
        return (row[at] for row in self.rows)

    def costs(self) -> Iterator[float]:
        """The cost column (Cost or PreTaxCost) as floats."""
        return (float(row[self.cost_at] or 0.0) for row in self.rows)


def _data(sub: SubscriptionInputs, source: str) -> dict[str, Any] | None:
    envelope = sub.raw.get(source)
    return envelope.data if envelope is not None else None


def cost_table(sub: SubscriptionInputs, name: str) -> Table | None:
    """One optional cost query of the subscription (C2-C6), None when not collected or unreadable."""
    data = _data(sub, COST_DETAIL)
    table = data.get(name) if data else None
    if not isinstance(table, dict):
        return None
    names = tuple(str(c.get("name")) for c in table.get("columns") or [] if isinstance(c, dict))
    cost_at = next((names.index(c) for c in COST_NAMES if c in names), None)
    if cost_at is None:
        return None
    return Table(str(table.get("currency") or ""), names, table.get("rows") or [], cost_at)


def config_list(sub: SubscriptionInputs, name: str) -> list[dict[str, Any]] | None:
    """One optional configuration list (B1 budgets, B2 scheduled actions, B3), None when not collected."""
    data = _data(sub, COST_CONFIG)
    items = data.get(name) if data else None
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else None


def missing_reason(sub: SubscriptionInputs, source: str, name: str) -> str:
    """Why an optional datum is absent, in plain words ("not collected" when nobody said)."""
    if source in sub.missing:
        return sub.missing[source]
    data = _data(sub, source) or {}
    return str((data.get("missing") or {}).get(name) or NOT_COLLECTED)


@dataclass(frozen=True)
class Budget:
    """B1: a Consumption budget (REST properties)."""

    name: str
    category: str
    amount: float
    time_grain: str
    current_spend: float | None


def budgets(sub: SubscriptionInputs) -> tuple[Budget, ...] | None:
    """The subscription's budgets; () when read and there are none; None when not read."""
    items = config_list(sub, "budgets")
    if items is None:
        return None
    out = []
    for item in items:
        props = item.get("properties") or {}
        spend = (props.get("currentSpend") or {}).get("amount")
        out.append(Budget(str(item.get("name") or ""), str(props.get("category") or "Cost"),
                          float(props.get("amount") or 0.0), str(props.get("timeGrain") or ""),
                          float(spend) if spend is not None else None))
    return tuple(out)


def anomaly_alerts(sub: SubscriptionInputs) -> int | None:
    """B2: how many enabled Cost Management anomaly alerts (scheduled actions of kind InsightAlert); None: not read."""
    items = config_list(sub, "scheduled_actions")
    if items is None:
        return None
    return sum(1 for i in items if str(i.get("kind") or "").lower() == "insightalert"
               and str((i.get("properties") or {}).get("status") or "Enabled").lower() == "enabled")


@dataclass(frozen=True)
class PolicyAssignment:
    """R3: a policy assignment that applies to the subscription."""

    definition_id: str  # the definition's GUID, lower case
    scope: str
    parameters: dict[str, Any]
    enforced: bool


def policy_assignments(sub: SubscriptionInputs) -> tuple[PolicyAssignment, ...] | None:
    """Assignments at the subscription or above it (management groups), not excluding it; None when not read."""
    data = _data(sub, "resource-graph")
    rows = data.get("policy_assignments") if data else None
    if not isinstance(rows, list):
        return None
    sub_scope = f"/subscriptions/{sub.subscription_id.lower()}"
    out = []
    for row in rows:
        props = (row.get("properties") or {}) if isinstance(row, dict) else {}
        scope = str(props.get("scope") or "").lower().rstrip("/")
        above = scope == sub_scope or scope.startswith("/providers/microsoft.management/managementgroups/")
        excluded = any(sub_scope == str(n).lower().rstrip("/") for n in props.get("notScopes") or [])
        if above and not excluded:
            out.append(PolicyAssignment(str(props.get("policyDefinitionId") or "").lower().rsplit("/", 1)[-1], scope,
                                        dict(props.get("parameters") or {}),
                                        str(props.get("enforcementMode") or "Default").lower() == "default"))
    return tuple(out)


def assigned(assignments: Sequence[PolicyAssignment], definition: str, tag_name: str | None = None) -> bool:
    """Whether an enforced assignment of the built-in definition exists (for this tag name, when given)."""
    for a in assignments:
        if a.definition_id != definition.lower() or not a.enforced:
            continue
        value = (a.parameters.get("tagName") or {}).get("value") if tag_name is not None else None
        if tag_name is None or str(value or "").lower() == tag_name.lower():
            return True
    return False
