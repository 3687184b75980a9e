"""What the estate holds: what each collect task would bring back, so a failed task's loss is counted.

Cost rows are counted with the simulator's own query semantics (each step's body parsed by `parse_definition`,
filtered, grouped by its date bucket and groupings), one count per step of the collector's plan. Only the steps
its size decides are counted (C2 and T, then C1 or the summary steps as T's rows say, `cost_plan.sized_steps`): the
daily series, capacity and driver steps depend on the inventory's contents and on the other subscriptions, which
a failed task never saw. The shapes are those the collect phase reports for the tasks it
finished (see collect._counts).
"""

from __future__ import annotations

from typing import Any

from local.simulator.cost_filters import compile_filter
from local.simulator.cost_query import parse_definition
from local.simulator.state import SimState
from shared.collectors.cost_plan import Step, common_steps, sized_steps, windows_for


def cost_rows_by_step(state: SimState, subscription_id: str, days: int) -> dict[str, dict[str, int]]:
    """Rows (and QPU per page) the cost collector's sized steps answer for one subscription."""
    sub = state.estate.subscription(subscription_id)
    if sub is None:
        return {}
    w = windows_for(state.today, days)
    out: dict[str, dict[str, int]] = {}

    def count(step: Step) -> None:
        spec = parse_definition(step.body("Cost"), state.today)
        matches = compile_filter(spec.filter)
        keys = {(*spec.date_key(row.date), *spec.group_values(row))
                for row in state.cost_rows(sub, spec.kind) if spec.start <= row.date <= spec.end and matches(row)}
        out[step.name] = {"rows": len(keys), "qpu": step.qpu}

    for step in common_steps(w):
        count(step)
    # the scan is the subscription's tenant (the bench's customer): its size shares the budget (reads_every_day)
    tenant = next((t for t in state.estate.tenants
                   if any(s.subscription_id.lower() == subscription_id.lower() for s in t.subscriptions)), None)
    in_scan = len(tenant.subscriptions) if tenant is not None else 1
    for step in sized_steps(out["totals"]["rows"], w, in_scan):
        if step.name not in out:
            count(step)
    return out


def expected_counts(state: SimState, subscription_id: str, source: str, days: int) -> Any:
    """What one (subscription, source) task would collect: cost rows by step, [resources, containers], or
    the number of Cost recommendations."""
    sub = state.estate.subscription(subscription_id)
    if source == "cost":
        return cost_rows_by_step(state, subscription_id, days)
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
        return sum(int(v["rows"]) if isinstance(v, dict) else int(v) for v in counts.values())
    if isinstance(counts, list):
        return sum(int(v) for v in counts)
    return int(counts)


def _category(rec: dict[str, Any]) -> str:
    props = rec.get("properties") or {}
    return str(props.get("category") or rec.get("category") or "").lower()
