"""Role-based access from the estate's role assignments: which scopes grant a principal an action, and when."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from local.estates.model import BUILTIN_ROLES, Estate, Tenant
from local.simulator.grants import Moment, grants, identities, moment

if TYPE_CHECKING:
    from local.simulator.state import SimState

READ_RESOURCES = "Microsoft.Resources/resources/read"
READ_SUBSCRIPTION = "Microsoft.Resources/subscriptions/read"
READ_COST = "Microsoft.CostManagement/query/read"
READ_ADVISOR = "Microsoft.Advisor/recommendations/read"
READ_ROLE_ASSIGNMENTS = "Microsoft.Authorization/roleAssignments/read"

# (actions, notActions) of the built-in roles, as published (abridged to what matters for reads and writes).
BUILTIN_PERMISSIONS: dict[str, tuple[list[str], list[str]]] = {
    "Reader": (["*/read"], []),
    "Cost Management Reader": (["Microsoft.Consumption/*/read", "Microsoft.CostManagement/*/read",
                                "Microsoft.Billing/billingPeriods/read", "Microsoft.Resources/subscriptions/read",
                                "Microsoft.Resources/subscriptions/resourceGroups/read", "Microsoft.Support/*",
                                "Microsoft.Advisor/configurations/read", "Microsoft.Advisor/recommendations/read",
                                "Microsoft.Management/managementGroups/read",
                                "Microsoft.Billing/billingProperty/read"], []),
    "Contributor": (["*"], ["Microsoft.Authorization/*/Delete", "Microsoft.Authorization/*/Write",
                            "Microsoft.Authorization/elevateAccess/Action"]),
    "Owner": (["*"], []),
    "User Access Administrator": (["*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"], []),
    "Billing Reader": (["Microsoft.Authorization/*/read", "Microsoft.Billing/*/read", "Microsoft.Commerce/*/read",
                        "Microsoft.Consumption/*/read", "Microsoft.Management/managementGroups/read",
                        "Microsoft.CostManagement/*/read", "Microsoft.Support/*"], []),
    "Monitoring Reader": (["*/read", "Microsoft.OperationalInsights/workspaces/search/action",
                           "Microsoft.Support/*"], []),
}


def permissions(tenant: Tenant, role: str) -> tuple[list[str], list[str]]:
    """The (actions, notActions) of a built-in role name or a custom role id."""
    if role in BUILTIN_PERMISSIONS:
        return BUILTIN_PERMISSIONS[role]
    custom = next((r for r in tenant.custom_roles if r.id.lower() == role.lower()), None)
    return (custom.actions, custom.not_actions) if custom else ([], [])


def allows(actions: list[str], not_actions: list[str], action: str) -> bool:
    """Whether the permission set grants `action` (wildcards, case-insensitive)."""
    def hit(patterns: list[str]) -> bool:
        return any(fnmatch.fnmatchcase(action.lower(), p.lower()) for p in patterns)
    return hit(actions) and not hit(not_actions)


@dataclass
class Access:
    """Where a principal holds a permission: whole subscriptions and single resource groups."""

    subscriptions: set[str] = field(default_factory=set)
    resource_groups: set[tuple[str, str]] = field(default_factory=set)

    def covers(self, subscription_id: str, resource_group: str | None = None) -> bool:
        """Whether the permission applies to the subscription (or to that resource group in it)."""
        sub = subscription_id.lower()
        if sub in self.subscriptions:
            return True
        return resource_group is not None and (sub, resource_group.lower()) in self.resource_groups

    def any_in(self, subscription_id: str) -> bool:
        """Whether the permission applies anywhere inside the subscription."""
        sub = subscription_id.lower()
        return sub in self.subscriptions or any(s == sub for s, _ in self.resource_groups)


def access(estate: Estate, tenant_id: str, principal_id: str, action: str, at: Moment | None = None) -> Access:
    """The scopes in `tenant_id` where `principal_id` (or a group it is in) is granted `action`.

    Only assignments ARM's authorisation has noticed by `at` count (None: all of them).
    """
    result = Access()
    tenant = estate.tenant(tenant_id)
    if tenant is None:
        return result
    who = identities(tenant, principal_id)
    for grant in grants(tenant):
        if grant.principal_id.lower() not in who or not grant.seen_by_arm(at):
            continue
        if not allows(*permissions(tenant, grant.role), action):
            continue
        if grant.resource_group:
            result.resource_groups.add((grant.subscription_ids[0], grant.resource_group))
        else:
            result.subscriptions.update(grant.subscription_ids)
    return result


def can(state: SimState, tenant_id: str, principal_id: str, action: str) -> Access:
    """`access` as the running simulator's ARM sees it now."""
    return access(state.estate, tenant_id, principal_id, action, moment(state))


def holds_any_role(state: SimState, tenant_id: str, principal_id: str, subscription_id: str) -> bool:
    """Whether ARM sees any role of the principal (or its groups) at or inside the subscription, or above it."""
    tenant = state.estate.tenant(tenant_id)
    if tenant is None:
        return False
    who, at, sub = identities(tenant, principal_id), moment(state), subscription_id.lower()
    return any(g.principal_id.lower() in who and sub in g.subscription_ids and g.seen_by_arm(at)
               for g in grants(tenant))


def role_definition_guid(role: str) -> str:
    """The role definition GUID of a built-in role name or a custom role id."""
    return BUILTIN_ROLES.get(role, role)
