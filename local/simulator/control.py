"""The /_sim/ control endpoints (loopback only): the same operations as the Simulator methods, over HTTP."""

from __future__ import annotations

import dataclasses
from typing import Any

from local.simulator import consent_state, control_arm, control_estate
from local.simulator.http import Request, Response, json_response
from local.simulator.state import AI_MODES, SimState


def revoke(state: SimState, tenant_id: str, client_id: str) -> None:
    """Disable a principal: no new token, and its existing tokens get 401."""
    with state.lock:
        state.revoked.add((tenant_id.lower(), client_id.lower()))


def remove_role(state: SimState, tenant_id: str, principal_id: str, role: str, scope: str | None = None) -> int:
    """Remove matching role assignments (subscription, resource group and management group); returns how many."""
    removed = 0
    with state.lock:
        tenant = state.estate.tenant(tenant_id)
        if tenant is None:
            return 0
        def keep(pid: str, r: str, s: str | None) -> bool:
            hit = pid.lower() == principal_id.lower() and r.lower() == role.lower() and (
                scope is None or (s or "").lower() == scope.lower())
            return not hit
        for sub in tenant.subscriptions:
            before = len(sub.role_assignments)
            sub.role_assignments = [a for a in sub.role_assignments if keep(a.principal_id, a.role, a.scope)]
            removed += before - len(sub.role_assignments)
        for group in tenant.management_groups:
            mg_scope = f"/providers/Microsoft.Management/managementGroups/{group.id}"
            before = len(group.role_assignments)
            group.role_assignments = [a for a in group.role_assignments if keep(a.principal_id, a.role, mg_scope)]
            removed += before - len(group.role_assignments)
    return removed


def set_ai_mode(state: SimState, mode: str) -> None:
    """Choose how the AI endpoint (mis)behaves."""
    if mode not in AI_MODES:
        raise ValueError(f"unknown AI mode {mode!r}; choose one of {', '.join(AI_MODES)}")
    with state.lock:
        state.ai_mode = mode


def consent(state: SimState, tenant_id: str | None, action: str = "status") -> list[dict[str, Any]]:
    """Caleta's app in one tenant (or every tenant): status, or reset to the estate, or remove (app deleted)."""
    tenants = [t for t in state.estate.tenants if tenant_id is None or t.tenant_id.lower() == tenant_id.lower()]
    if tenant_id is not None and not tenants:
        raise ValueError(f"no tenant {tenant_id} in the estate")
    if action not in ("status", "reset", "remove"):
        raise ValueError(f"unknown consent action {action!r}; choose status, reset or remove")
    for tenant in tenants if action != "status" else []:
        (consent_state.reset if action == "reset" else consent_state.remove)(state, tenant)
    return [consent_state.status(state, t) for t in tenants]


def handle(state: SimState, req: Request) -> Response:
    """Serve /_sim/*; refuses anything not from the loopback interface."""
    if req.client_ip not in ("127.0.0.1", "::1"):
        return json_response(403, {"error": "control endpoints are loopback only"})
    name = req.path.removeprefix("/_sim/").strip("/")
    try:
        body: dict[str, Any] = req.json() if req.method == "POST" else {}
        if (answer := control_arm.handle(state, req, name, body)) is not None:  # clock, grant-role
            return answer
        if (answer := control_estate.handle(state, req, name, body)) is not None:  # estate/* (issue 15)
            return answer
        if req.method == "GET" and name == "requests":
            with state.lock:
                entries = [dataclasses.asdict(e) | {"at": e.at.isoformat()} for e in state.request_log]
            return json_response(200, {"requests": entries})
        if req.method == "GET" and name == "stats":
            return json_response(200, state.stats())
        if req.method == "GET" and name == "holds":  # the hold test hook (local/simulator/faults.py)
            return json_response(200, {"holds": state.faults.holds()})
        if req.method == "POST" and name == "hold":
            state.faults.hold(body.get("method", "*"), body["path_regex"], str(body["name"]),
                              times=int(body.get("times", 1)), timeout=float(body.get("timeout", 120.0)))
            return json_response(200, {"ok": True})
        if req.method == "POST" and name == "release":
            return json_response(200, {"held": state.faults.release(str(body["name"]))})
        if name == "consent" or name.startswith("consent/"):  # GET ?tenant_id=; POST consent/reset|remove
            action = name.partition("/")[2] or "status"
            tenant = req.q("tenant_id") if req.method == "GET" else body.get("tenant_id")
            if (req.method == "GET") != (action == "status"):
                raise ValueError(f"use GET /_sim/consent or POST /_sim/consent/reset|remove, not {req.method}")
            return json_response(200, {"tenants": consent(state, tenant, action)})
        if req.method == "POST" and name == "expire-codes":
            return json_response(200, {"expired": state.oidc.codes.expire_all()})
        if req.method == "POST" and name == "inject":
            state.faults.add(body.get("method", "*"), body["path_regex"], status=body.get("status"),
                             headers=body.get("headers"), body=body.get("body"), times=int(body.get("times", 1)),
                             latency=float(body.get("latency", 0.0)), truncate=bool(body.get("truncate", False)))
        elif req.method == "POST" and name == "revoke":
            revoke(state, body["tenant_id"], body["client_id"])
        elif req.method == "POST" and name == "remove-role":
            removed = remove_role(state, body["tenant_id"], body["principal_id"], body["role"], body.get("scope"))
            return json_response(200, {"removed": removed})
        elif req.method == "POST" and name == "ai-mode":
            set_ai_mode(state, body["mode"])
        elif req.method == "POST" and name == "reset":
            state.reset()
        else:
            return json_response(404, {"error": f"no control endpoint {req.method} /_sim/{name}"})
    except (KeyError, ValueError, TypeError) as exc:
        return json_response(400, {"error": str(exc)})
    return json_response(200, {"ok": True})
