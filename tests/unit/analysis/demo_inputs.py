"""Test helper: the demo estate (local/estates/demo.json) as the RawEnvelopes the collectors would write."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path
from typing import Any

from local.estates.model import Estate, ManagementGroup, Subscription, Tenant, expand_costs, load_estate
from shared.analysis import ScanInputs, SubscriptionInputs
from shared.collectors.lifecycle import candidates
from shared.rawdata import RawEnvelope

ROOT = Path(__file__).resolve().parents[3]
DEMO = ROOT / "local" / "estates" / "demo.json"
EXPECTATIONS = ROOT / "local" / "estates" / "demo_expectations.json"
# A fixed "today" so the golden file does not move with the calendar.
TODAY = dt.date(2026, 12, 6)
COLLECTED = dt.datetime(2026, 12, 6, 6, 0, tzinfo=dt.UTC)


def load_demo() -> Estate:
    """The demo estate resolved against the fixed day."""
    return load_estate(DEMO, TODAY)


def _envelope(source: str, sub_id: str, data: dict[str, Any], rows: int) -> RawEnvelope:
    return RawEnvelope(source=source, scan_id="scan-demo", subscription_id=sub_id,  # type: ignore[arg-type]
                       collected_at=COLLECTED, api_versions={}, row_count=rows, data=data)


def management_policy_reads(sub: Subscription) -> dict[str, dict[str, Any]]:
    """What the collector's ARM GET of each candidate account's `managementPolicies/default` answers
    (docs/data-contract.md `management_policies`): 200 with the policy the estate holds, else 404."""
    policies = {k.lower(): v for k, v in (sub.management_policies or {}).items()}
    return {rid.lower(): {"status": 200, "policy": policies[rid.lower()]["policy"]} if rid.lower() in policies
            else {"status": 404} for rid in candidates(sub.resources)}


def graph_data(sub: Subscription, groups: list[ManagementGroup] | None = None) -> dict[str, Any]:
    """Resource Graph rows: resources and containers (resource groups and the subscription), the optional tables
    (protected items; policy assignments, the management groups' above the subscription) and the lifecycle policy
    reads the collector adds."""
    containers: list[dict[str, Any]] = [{
        "id": f"/subscriptions/{sub.subscription_id}", "name": sub.display_name,
        "type": "microsoft.resources/subscriptions", "subscriptionId": sub.subscription_id, "tags": {},
        "properties": {"subscriptionPolicies": {"quotaId": sub.quota_id}, "state": sub.state}}]
    for group in sub.resource_groups:
        containers.append({
            "id": f"/subscriptions/{sub.subscription_id}/resourceGroups/{group.name}", "name": group.name,
            "type": "microsoft.resources/subscriptions/resourcegroups", "location": group.location,
            "resourceGroup": group.name.lower(), "subscriptionId": sub.subscription_id, "tags": group.tags,
            "properties": {"provisioningState": "Succeeded"}})
    above = [r for g in groups or [] if sub.subscription_id in g.subscription_ids for r in g.policy_assignments]
    return {"resources": sub.resources, "resource_containers": containers,
            "recovery_services": sub.recovery_services, "policy_assignments": [*sub.policy_assignments, *above],
            "management_policies": management_policy_reads(sub), "missing": {}}


def cost_config_data(sub: Subscription) -> dict[str, Any]:
    """What the cost-config collector reads: budgets, scheduled actions, both reservation lookbacks."""
    return {"budgets": sub.budgets, "scheduled_actions": sub.scheduled_actions,
            "reservation_recommendations": [r for r in sub.reservation_recommendations
                                            if (r.get("properties") or {}).get("scope", "Single") == "Single"],
            "missing": {}}


def cost_data(sub: Subscription, today: dt.date = TODAY) -> dict[str, Any]:
    """Amortized daily cost grouped by ResourceId and MeterCategory, columns named as the API names them."""
    totals: dict[tuple[int, str, str], float] = defaultdict(float)
    for row in expand_costs(sub, today, "AmortizedCost"):
        key = (int(row.date.strftime("%Y%m%d")), row.dims["ResourceId"].lower(), row.dims["MeterCategory"])
        totals[key] += row.cost
    columns = [{"name": "Cost", "type": "Number"}, {"name": "UsageDate", "type": "Number"},
               {"name": "ResourceId", "type": "String"}, {"name": "MeterCategory", "type": "String"},
               {"name": "Currency", "type": "String"}]
    rows = [[round(v, 6), d, rid, meter, sub.billing_currency] for (d, rid, meter), v in sorted(totals.items())]
    window = {"from": (today - dt.timedelta(days=90)).isoformat(), "to": (today - dt.timedelta(days=1)).isoformat()}
    return {"type": "AmortizedCost", "granularity": "Daily", "currency": sub.billing_currency, "window": window,
            "columns": columns, "rows": rows}


def subscription_inputs(sub: Subscription, today: dt.date = TODAY,
                        groups: list[ManagementGroup] | None = None) -> SubscriptionInputs:
    """One subscription's envelopes; no cost envelope where Cost Management refuses (the estate's cost_error)."""
    sid = sub.subscription_id
    graph = graph_data(sub, groups)
    advisor = {"recommendations": sub.advisor, "configurations": sub.advisor_configurations, "missing": {}}
    config = cost_config_data(sub)
    raw = {"resource-graph": _envelope("resource-graph", sid, graph, len(sub.resources)),
           "advisor": _envelope("advisor", sid, advisor, len(sub.advisor)),
           "cost-config": _envelope("cost-config", sid, config, sum(len(v) for v in config.values()))}
    missing: dict[str, str] = {}
    if sub.cost_error is None:
        cost = cost_data(sub, today)
        raw["cost"] = _envelope("cost", sid, cost, len(cost["rows"]))
    else:
        missing["cost"] = f"Cost Management refused the query ({sub.cost_error.code})"
    return SubscriptionInputs(subscription_id=sid, display_name=sub.display_name, quota_id=sub.quota_id, raw=raw,
                              missing=missing)


def readable(tenant: Tenant, sub: Subscription) -> bool:
    """Whether any role is assigned in or above the subscription (a subscription without one is never scanned)."""
    above = any(sub.subscription_id in g.subscription_ids and g.role_assignments for g in tenant.management_groups)
    return bool(sub.role_assignments) or above


def scan_inputs(tenant: Tenant, today: dt.date = TODAY) -> ScanInputs:
    """A scan of every readable subscription of one tenant of the estate."""
    subscriptions = [subscription_inputs(s, today, tenant.management_groups) for s in tenant.subscriptions
                     if readable(tenant, s)]
    return ScanInputs(customer_id=f"cust-{tenant.tenant_id[:8]}", scan_id="scan-demo", company=tenant.display_name,
                      generated_at=COLLECTED, subscriptions=subscriptions)
