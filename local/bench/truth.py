"""What the estate holds: what each collect task would bring back, so a failed task's loss is counted.

Cost rows are counted with the simulator's own query semantics (the collector's body parsed by
`parse_definition`, grouped by its date bucket and groupings), one count per month window. The shapes are
those the collect phase reports for the tasks it finished (see collect._counts).
"""

from __future__ import annotations

from typing import Any

from local.simulator.cost_query import parse_definition
from local.simulator.state import SimState
from shared.collectors.cost import month_windows, query_body


def cost_rows_by_month(state: SimState, subscription_id: str, days: int) -> dict[str, int]:
    """Rows the cost collector's queries answer for one subscription, by window month (yyyymm)."""
    sub = state.estate.subscription(subscription_id)
    if sub is None:
        return {}
    out: dict[str, int] = {}
    for start, end in month_windows(state.today, days):
        spec = parse_definition(query_body(start, end, "Cost"), state.today)
        keys = {(*spec.date_key(row.date), *spec.group_values(row))
                for row in state.cost_rows(sub, spec.kind) if spec.start <= row.date <= spec.end}
        out[start.strftime("%Y%m")] = len(keys)
    return out


def expected_counts(state: SimState, subscription_id: str, source: str, days: int) -> Any:
    """What one (subscription, source) task would collect: cost rows by month, [resources, containers], or
    the number of Cost recommendations."""
    sub = state.estate.subscription(subscription_id)
    if source == "cost":
        return cost_rows_by_month(state, subscription_id, days)
    if sub is None:
        return [0, 0, 0, 0] if source == "resource-graph" else 0
    if source == "resource-graph":
        above = [a for t in state.estate.tenants for g in t.management_groups
                 if subscription_id.lower() in {s.lower() for s in g.subscription_ids} for a in g.policy_assignments]
        # the groups and the subscription itself; protected items; assignments at and above the subscription
        return [len(sub.resources), len(sub.resource_groups) + 1, len(sub.recovery_services),
                len(sub.policy_assignments) + len(above)]
    if source == "cost-config":
        single = [r for r in sub.reservation_recommendations if (r.get("properties") or {}).get("scope") == "Single"
                  and (r.get("properties") or {}).get("lookBackPeriod") in ("Last30Days", "Last60Days")]
        return len(sub.budgets) + len(sub.scheduled_actions) + len(single)
    return sum(1 for rec in sub.advisor if _category(rec) == "cost")


def row_total(counts: Any) -> int:
    """The number of rows in one task's counts, whatever its source."""
    if isinstance(counts, dict):
        return sum(int(v) for v in counts.values())
    if isinstance(counts, list):
        return sum(int(v) for v in counts)
    return int(counts)


def _category(rec: dict[str, Any]) -> str:
    props = rec.get("properties") or {}
    return str(props.get("category") or rec.get("category") or "").lower()
