"""Role assignments and role definitions as Resource Graph's authorizationresources rows show them."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from local.estates.model import BUILTIN_ROLES, Estate
from local.simulator.authz import BUILTIN_PERMISSIONS, Access, role_definition_guid
from local.simulator.clock import SimClock
from local.simulator.grants import MG_PREFIX, Grant, Moment, grants

# createdOn of an assignment made before the simulator started (the estate does not say when).
LONG_AGO = "2025-01-01T00:00:00.0000000Z"
_ARM_COLUMNS = {"kind": "", "location": "", "managedBy": "", "sku": None, "plan": None, "tags": None,
                "identity": None, "zones": None, "extendedLocation": None}


def assignment_name(grant: Grant) -> str:
    """The assignment's GUID name: stable for a (scope, principal, role)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{grant.scope}|{grant.principal_id}|"
                                             f"{role_definition_guid(grant.role)}".lower()))


def definition_id(grant: Grant) -> str:
    """The full roleDefinitionId: subscription-scoped for subscription grants, provider-level above."""
    prefix = "" if grant.scope.startswith(MG_PREFIX) else f"/subscriptions/{grant.subscription_id}"
    return f"{prefix}/providers/Microsoft.Authorization/roleDefinitions/{role_definition_guid(grant.role)}"


def assignment_properties(grant: Grant, created_on: str) -> dict[str, Any]:
    """properties of a role assignment, as both Resource Graph and the REST API carry them."""
    return {"roleDefinitionId": definition_id(grant), "principalId": grant.principal_id,
            "principalType": grant.principal_type, "scope": grant.scope,
            "createdOn": created_on, "updatedOn": created_on}


def authorization_rows(estate: Estate, tenant_id: str, visible: Access, above: bool, at: Moment | None,
                       created_on: Callable[[Grant], str]) -> list[dict[str, Any]]:
    """Assignments Resource Graph has caught up with, in subscriptions the caller reads (management groups'
    only when `above`, the scope filter), then every role definition."""
    tenant = estate.tenant(tenant_id)
    if tenant is None:
        return []
    rows: list[dict[str, Any]] = []
    for grant in grants(tenant):
        if not grant.seen_by_graph(at):
            continue
        if grant.scope.startswith(MG_PREFIX):
            if not above or not any(visible.any_in(s) for s in grant.subscription_ids):
                continue
        elif not visible.covers(grant.subscription_id, grant.resource_group or None):
            continue
        name = assignment_name(grant)
        rows.append({"id": f"{grant.scope}/providers/Microsoft.Authorization/roleAssignments/{name}", "name": name,
                     "type": "microsoft.authorization/roleassignments", "tenantId": tenant.tenant_id,
                     "resourceGroup": grant.resource_group, "subscriptionId": grant.subscription_id,
                     **_ARM_COLUMNS, "properties": assignment_properties(grant, created_on(grant))})
    for name, guid in BUILTIN_ROLES.items():
        actions, not_actions = BUILTIN_PERMISSIONS.get(name, ([], []))
        rows.append(definition_row(tenant.tenant_id, guid, name, "BuiltInRole", actions, not_actions, ["/"]))
    for role in tenant.custom_roles:
        rows.append(definition_row(tenant.tenant_id, role.id, role.role_name, "CustomRole", role.actions,
                                   role.not_actions, role.assignable_scopes))
    return rows


def definition_properties(name: str, kind: str, actions: list[str], not_actions: list[str],
                          scopes: list[str]) -> dict[str, Any]:
    """properties of a role definition (the 2022-04-01 RoleDefinitionProperties shape)."""
    return {"roleName": name, "type": kind, "description": "", "assignableScopes": scopes,
            "permissions": [{"actions": actions, "notActions": not_actions, "dataActions": [],
                             "notDataActions": []}]}


def definition_row(tenant_id: str, guid: str, name: str, kind: str, actions: list[str], not_actions: list[str],
                   scopes: list[str]) -> dict[str, Any]:
    """One role definition as an authorizationresources row."""
    return {"id": f"/providers/Microsoft.Authorization/RoleDefinitions/{guid}", "name": guid,
            "type": "microsoft.authorization/roledefinitions", "tenantId": tenant_id, "resourceGroup": "",
            "subscriptionId": "", **_ARM_COLUMNS,
            "properties": definition_properties(name, kind, actions, not_actions, scopes)}


def stamps(clock: SimClock) -> Callable[[Grant], str]:
    """createdOn for each grant: the clock's wall time of its creation, or LONG_AGO."""
    def stamp(grant: Grant) -> str:
        created = grant.timing.created_at()
        if created is None:
            return LONG_AGO
        return clock.utc(created).strftime("%Y-%m-%dT%H:%M:%S.%f0Z")  # ARM writes seven fractional digits
    return stamp
