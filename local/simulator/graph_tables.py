"""Resource Graph tables beyond `resources`: protected backup items and policy assignments, from the estate.

Sources: Microsoft Learn, "Azure Resource Graph table and resource type reference" (supported-tables-resources.md:
`recoveryservicesresources` holds microsoft.recoveryservices/vaults/backupfabrics/protectioncontainers/
protecteditems; `policyresources` holds microsoft.authorization/policyassignments) and the policy assignment REST
shape (azure-rest-api-specs Microsoft.Authorization/stable/2022-06-01/examples/getPolicyAssignment.json).
"""

from __future__ import annotations

from typing import Any

from local.estates.model import Subscription, Tenant
from local.simulator import authz
from local.simulator.state import SimState

READ_POLICY_ASSIGNMENTS = "Microsoft.Authorization/policyAssignments/read"
_ABOVE = ("atscopeandabove", "atscopeaboveandbelow")


def recovery_rows(state: SimState, tenant: Tenant, oid: str, subs: list[Subscription]) -> list[dict[str, Any]]:
    """Protected items in resource groups the principal reads (a vault's items live in the vault's group)."""
    can = authz.can(state, tenant.tenant_id, oid, authz.READ_RESOURCES)
    return [r for s in subs for r in s.recovery_services if can.covers(s.subscription_id, str(r.get("resourceGroup")))]


def policy_rows(state: SimState, tenant: Tenant, oid: str, subs: list[Subscription],
                filter_mode: str) -> list[dict[str, Any]]:
    """Assignments at or below the subscriptions the principal reads; those of the management groups above them
    only when the scope filter looks above, as `authorizationresources` treats inherited role assignments
    (assumption: Resource Graph documents the filter, not per-table behaviour)."""
    can = authz.can(state, tenant.tenant_id, oid, READ_POLICY_ASSIGNMENTS)
    rows = [r for s in subs for r in s.policy_assignments
            if can.covers(s.subscription_id, str(r.get("resourceGroup")) or None)]
    if filter_mode.lower() not in _ABOVE:
        return rows
    visible = {s.subscription_id.lower() for s in subs if can.any_in(s.subscription_id)}
    for group in tenant.management_groups:
        if visible & {s.lower() for s in group.subscription_ids}:
            rows.extend(group.policy_assignments)
    return rows
