"""Control operations for the ARM side: the propagation clock and role grants made while the simulator runs."""

from __future__ import annotations

from typing import Any

from local.estates.model import BUILTIN_ROLES, MgRoleAssignment, RoleAssignment
from local.simulator.grants import MG_PREFIX
from local.simulator.http import Request, Response, json_response
from local.simulator.state import SimState


def grant_role(state: SimState, tenant_id: str, principal_id: str, role: str, scope: str) -> None:
    """Assign a role now (clock time of the grant), at a subscription, resource group or management group.

    Like `az role assignment create`: ARM and Resource Graph notice it after their propagation delays.
    """
    with state.lock:
        tenant = state.estate.tenant(tenant_id)
        if tenant is None:
            raise ValueError(f"unknown tenant {tenant_id!r}")
        if role not in BUILTIN_ROLES and not any(r.id.lower() == role.lower() for r in tenant.custom_roles):
            raise ValueError(f"unknown role {role!r}: use a built-in role name or a custom role id")
        now = state.clock.now()
        if scope.lower().startswith(MG_PREFIX.lower()):
            group_id = scope[len(MG_PREFIX):].strip("/")
            group = next((g for g in tenant.management_groups if g.id.lower() == group_id.lower()), None)
            if group is None:
                raise ValueError(f"unknown management group {group_id!r}")
            mg_assignment = MgRoleAssignment(principal_id=principal_id, role=role)
            mg_assignment.mark_created(now)
            group.role_assignments = [*group.role_assignments, mg_assignment]
            return
        parts = scope.strip("/").split("/")
        sub = state.estate.subscription(parts[1]) if len(parts) >= 2 and parts[0].lower() == "subscriptions" else None
        if sub is None or sub.tenant_id.lower() != tenant.tenant_id.lower():
            raise ValueError(f"scope {scope!r} is not a subscription, resource group or management group of the tenant")
        assignment = RoleAssignment(principal_id=principal_id, role=role, scope=scope)
        assignment.mark_created(now)
        sub.role_assignments = [*sub.role_assignments, assignment]


def handle(state: SimState, req: Request, name: str, body: dict[str, Any]) -> Response | None:
    """Serve /_sim/clock and /_sim/grant-role; None for any other control endpoint."""
    if name == "clock" and req.method == "GET":
        return json_response(200, {"now_s": state.clock.now()})
    if name == "clock" and req.method == "POST":
        if "pin_s" in body:
            state.clock.pin(None if body["pin_s"] is None else float(body["pin_s"]))
        if "advance_s" in body:
            state.clock.advance(float(body["advance_s"]))
        return json_response(200, {"now_s": state.clock.now()})
    if name == "grant-role" and req.method == "POST":
        grant_role(state, body["tenant_id"], body["principal_id"], body["role"], body["scope"])
        return json_response(200, {"ok": True, "granted_at_s": state.clock.now()})
    return None
