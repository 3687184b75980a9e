"""ARM's authorisation reads: role assignments of a scope (with $filter) and one role definition by id.

Shapes from azure-rest-api-specs specification/authorization/.../stable/2022-04-01 (RoleAssignments_ListForScope,
RoleDefinitions_Get and their examples). Filters from learn.microsoft.com/azure/role-based-access-control/
role-assignments-list-rest: none ("at, above or below the scope"), atScope() ("at or above"),
principalId eq '{id}' (that exact principal), assignedTo('{id}') (the principal and, transitively, its groups).
"""

from __future__ import annotations

import re
from typing import Any

from local.estates.model import BUILTIN_ROLES, Tenant
from local.simulator import authz
from local.simulator.authz_rows import assignment_name, assignment_properties, definition_properties, stamps
from local.simulator.grants import MG_PREFIX, Grant, grants, identities
from local.simulator.http import Request, Response, arm_error, json_response
from local.simulator.state import SimState

LIST_PATH = re.compile(r"^/subscriptions/(?P<sub>[^/]+)(?:/resourceGroups/(?P<rg>[^/]+))?"
                       r"/providers/Microsoft\.Authorization/roleAssignments/?$", re.IGNORECASE)
DEFINITION_PATH = re.compile(r"^(?:/subscriptions/(?P<sub>[^/]+))?"
                             r"/providers/Microsoft\.Authorization/roleDefinitions/(?P<id>[^/]+)/?$", re.IGNORECASE)
_PRINCIPAL = re.compile(r"^principalId\s+eq\s+'(?P<id>[^']+)'$", re.IGNORECASE)
_ASSIGNED = re.compile(r"^(?P<at>atScope\(\)\s+and\s+)?assignedTo\('(?P<id>[^']+)'\)$", re.IGNORECASE)
_AT_SCOPE = re.compile(r"^atScope\(\)$", re.IGNORECASE)


def _forbidden(oid: str, action: str, scope: str) -> Response:
    return arm_error(403, "AuthorizationFailed",
                     f"The client '{oid}' with object id '{oid}' does not have authorization to perform action "
                     f"'{action}' over scope '{scope}' or the scope is invalid. If access was recently granted, "
                     "please refresh your credentials.")


def _relation(grant: Grant, sub: str, rg: str | None) -> str:
    """How the grant's scope relates to the listed scope: "at", "above", "below" or "" (unrelated)."""
    if grant.scope.startswith(MG_PREFIX):
        return "above" if sub in grant.subscription_ids else ""
    if grant.subscription_id != sub:
        return ""
    if rg is None:
        return "below" if grant.resource_group else "at"
    if not grant.resource_group:
        return "above"
    return "at" if grant.resource_group == rg else ""


def _matcher(tenant: Tenant, expression: str) -> tuple[set[str] | None, bool] | None:
    """(principal ids to keep or None for all, at-or-above only) for a $filter; None if unsupported."""
    expression = expression.strip()
    if not expression:
        return None, False
    if _AT_SCOPE.match(expression):
        return None, True
    if m := _PRINCIPAL.match(expression):
        return {m.group("id").lower()}, False
    if m := _ASSIGNED.match(expression):
        return identities(tenant, m.group("id")), bool(m.group("at"))
    return None


def list_assignments(state: SimState, req: Request, subscription_id: str, rg: str | None) -> Response:
    """GET {scope}/providers/Microsoft.Authorization/roleAssignments: read from the authorisation store, so
    a new assignment is listed at once; the caller's own right to list still waits for ARM's propagation."""
    sub = state.estate.subscription(subscription_id)
    assert sub is not None  # the ARM gate answered 404 already
    tenant = state.estate.tenant(sub.tenant_id)
    assert tenant is not None
    oid, scope = str(req.claims["oid"]), sub.scope + (f"/resourceGroups/{rg}" if rg else "")
    if not authz.can(state, tenant.tenant_id, oid, authz.READ_ROLE_ASSIGNMENTS).covers(sub.subscription_id, rg):
        return _forbidden(oid, authz.READ_ROLE_ASSIGNMENTS, scope)
    matcher = _matcher(tenant, req.q("$filter") or "")
    if matcher is None:
        return arm_error(400, "BadRequest", f"The filter '{req.q('$filter')}' is not supported.")
    who, at_or_above = matcher
    stamp = stamps(state.clock)
    value: list[dict[str, Any]] = []
    for grant in grants(tenant):
        relation = _relation(grant, sub.subscription_id.lower(), rg.lower() if rg else None)
        if not relation or (at_or_above and relation == "below"):
            continue
        if who is not None and grant.principal_id.lower() not in who:
            continue
        name = assignment_name(grant)
        value.append({"properties": {**assignment_properties(grant, stamp(grant)), "condition": None,
                                     "conditionVersion": None, "createdBy": None, "updatedBy": None,
                                     "delegatedManagedIdentityResourceId": None, "description": None},
                      "id": f"{grant.scope}/providers/Microsoft.Authorization/roleAssignments/{name}",
                      "type": "Microsoft.Authorization/roleAssignments", "name": name})
    return json_response(200, {"value": value})


def get_definition(state: SimState, req: Request, subscription_id: str | None, role_id: str) -> Response:
    """GET [/subscriptions/{id}]/providers/Microsoft.Authorization/roleDefinitions/{roleId}."""
    tenant = state.estate.tenant(str(req.claims["tid"]))
    oid = str(req.claims["oid"])
    prefix = ""
    if subscription_id is not None:
        sub = state.estate.subscription(subscription_id)
        assert sub is not None
        prefix = sub.scope
        if not authz.can(state, sub.tenant_id, oid, "Microsoft.Authorization/roleDefinitions/read").any_in(
                sub.subscription_id):
            return _forbidden(oid, "Microsoft.Authorization/roleDefinitions/read", sub.scope)
    wanted = role_id.lower()
    builtin = next((name for name, guid in BUILTIN_ROLES.items() if guid == wanted), None)
    custom = next((r for r in (tenant.custom_roles if tenant else []) if r.id.lower() == wanted), None)
    if builtin is not None:
        actions, not_actions = authz.BUILTIN_PERMISSIONS.get(builtin, ([], []))
        props = definition_properties(builtin, "BuiltInRole", actions, not_actions, ["/"])
    elif custom is not None:
        props = definition_properties(custom.role_name, "CustomRole", custom.actions, custom.not_actions,
                                      custom.assignable_scopes)
    else:
        return arm_error(404, "RoleDefinitionDoesNotExist",
                         f"The specified role definition with ID '{role_id}' does not exist.")
    return json_response(200, {"properties": props,
                               "id": f"{prefix}/providers/Microsoft.Authorization/roleDefinitions/{wanted}",
                               "type": "Microsoft.Authorization/roleDefinitions", "name": wanted})
