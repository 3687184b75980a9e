"""Role-based access from the estate's role assignments, and the authorizationresources rows that show them."""

from __future__ import annotations

import fnmatch
import uuid
from dataclasses import dataclass, field
from typing import Any

from local.estates.model import BUILTIN_ROLES, Estate, Tenant

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


def access(estate: Estate, tenant_id: str, principal_id: str, action: str) -> Access:
    """The scopes in `tenant_id` where `principal_id` is granted `action`."""
    result = Access()
    tenant = estate.tenant(tenant_id)
    if tenant is None:
        return result
    pid = principal_id.lower()
    for group in tenant.management_groups:
        if any(a.principal_id.lower() == pid and allows(*permissions(tenant, a.role), action)
               for a in group.role_assignments):
            result.subscriptions.update(s.lower() for s in group.subscription_ids)
    for sub in tenant.subscriptions:
        for a in sub.role_assignments:
            if a.principal_id.lower() != pid or not allows(*permissions(tenant, a.role), action):
                continue
            parts = (a.scope or sub.scope).strip("/").split("/")
            if len(parts) >= 4 and parts[2].lower() == "resourcegroups":
                result.resource_groups.add((sub.subscription_id.lower(), parts[3].lower()))
            else:
                result.subscriptions.add(sub.subscription_id.lower())
    return result


def role_definition_guid(role: str) -> str:
    """The role definition GUID of a built-in role name or a custom role id."""
    return BUILTIN_ROLES.get(role, role)


def _assignment_row(tenant_id: str, scope: str, sub_id: str, rg: str, principal_id: str, role_guid: str,
                    definition_prefix: str) -> dict[str, Any]:
    name = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{scope}|{principal_id}|{role_guid}".lower()))
    return {
        "id": f"{scope}/providers/Microsoft.Authorization/roleAssignments/{name}", "name": name,
        "type": "microsoft.authorization/roleassignments", "tenantId": tenant_id, "kind": "", "location": "",
        "resourceGroup": rg, "subscriptionId": sub_id, "managedBy": "", "sku": None, "plan": None, "tags": None,
        "identity": None, "zones": None, "extendedLocation": None,
        "properties": {"roleDefinitionId": f"{definition_prefix}/providers/Microsoft.Authorization/roleDefinitions/"
                                           f"{role_guid}",
                       "principalId": principal_id, "principalType": "ServicePrincipal", "scope": scope,
                       "createdOn": "2025-01-01T00:00:00.0000000Z", "updatedOn": "2025-01-01T00:00:00.0000000Z"},
    }


def authorization_rows(estate: Estate, tenant_id: str, visible: Access, above: bool = False) -> list[dict[str, Any]]:
    """Role assignments and role definitions; management-group assignments only when `above` (scope filter)."""
    tenant = estate.tenant(tenant_id)
    if tenant is None:
        return []
    rows: list[dict[str, Any]] = []
    for sub in tenant.subscriptions:
        if not visible.any_in(sub.subscription_id):
            continue
        for a in sub.role_assignments:
            scope = a.scope or sub.scope
            parts = scope.strip("/").split("/")
            rg = parts[3] if len(parts) >= 4 else ""
            if visible.covers(sub.subscription_id, rg or None):
                rows.append(_assignment_row(tenant.tenant_id, scope, sub.subscription_id, rg.lower(),
                                            a.principal_id, role_definition_guid(a.role), sub.scope))
    for group in tenant.management_groups if above else []:
        if any(visible.any_in(s) for s in group.subscription_ids):
            scope = f"/providers/Microsoft.Management/managementGroups/{group.id}"
            rows += [_assignment_row(tenant.tenant_id, scope, "", "", a.principal_id,
                                     role_definition_guid(a.role), "") for a in group.role_assignments]
    for name, guid in BUILTIN_ROLES.items():
        actions, not_actions = BUILTIN_PERMISSIONS.get(name, ([], []))
        rows.append(_definition_row(tenant.tenant_id, guid, name, "BuiltInRole", actions, not_actions, ["/"]))
    for role in tenant.custom_roles:
        rows.append(_definition_row(tenant.tenant_id, role.id, role.role_name, "CustomRole", role.actions,
                                    role.not_actions, role.assignable_scopes))
    return rows


def _definition_row(tenant_id: str, guid: str, name: str, kind: str, actions: list[str], not_actions: list[str],
                    scopes: list[str]) -> dict[str, Any]:
    return {
        "id": f"/providers/Microsoft.Authorization/RoleDefinitions/{guid}", "name": guid,
        "type": "microsoft.authorization/roledefinitions", "tenantId": tenant_id, "kind": "", "location": "",
        "resourceGroup": "", "subscriptionId": "", "managedBy": "", "sku": None, "plan": None, "tags": None,
        "identity": None, "zones": None, "extendedLocation": None,
        "properties": {"roleName": name, "type": kind, "description": "", "assignableScopes": scopes,
                       "permissions": [{"actions": actions, "notActions": not_actions, "dataActions": [],
                                        "notDataActions": []}]},
    }
