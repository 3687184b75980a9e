"""Routing: which handler answers a request, with faults and the request log around it."""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

from local.simulator import advisor, ai, arm, control, cost_management, msi, oidc_routes, resource_graph, subscriptions
from local.simulator.arm_limits import admit
from local.simulator.arm_reads import dispatch as arm_reads
from local.simulator.faults import apply
from local.simulator.http import Request, Response, arm_error
from local.simulator.state import LoggedRequest, SimState

logger = logging.getLogger(__name__)
_SUBSCRIPTION = re.compile(r"^/subscriptions/(?P<sub>[^/]+)/?$", re.IGNORECASE)
_AI_V1 = re.compile(r"^/openai/v1/chat/completions$")
_AI_DEPLOYMENT = re.compile(r"^/openai/deployments/(?P<d>[^/]+)/chat/completions$")


def _identity(req: Request) -> tuple[str | None, str | None]:
    """(tenant_id, client_id) for the log: from the checked token, or from a token request."""
    claims: dict[str, Any] = req.claims
    if claims:
        return str(claims.get("tid")), str(claims.get("appid"))
    return oidc_routes.identity(req)


def _dispatch(state: SimState, req: Request) -> Response:
    if (answer := oidc_routes.dispatch(state, req)) is not None:  # Entra ID: discovery, keys, sign-in, tokens
        return answer
    if req.path == msi.MSI_PATH and req.method == "GET":
        return msi.msi_token(state, req)
    if req.method == "POST" and _AI_V1.match(req.path):
        return ai.chat_completions(state, req)
    if req.method == "POST" and (m := _AI_DEPLOYMENT.match(req.path)):
        return ai.chat_completions(state, req, m.group("d"))
    return _arm(state, req)


def _arm(state: SimState, req: Request) -> Response:
    with state.lock:
        state.arm_calls[arm.api_name(req.path)] += 1
    refusal = arm.check(state, req)
    if refusal is not None:
        return refusal
    if req.method in ("GET", "HEAD"):  # ARM's read buckets; the two query POSTs have their own quotas
        throttled, headers = admit(state.arm_reads, req)
        if throttled is not None:
            with state.lock:
                state.throttled["arm_reads"] += 1
            return throttled
        response = _read(state, req)
        response.headers.update(headers)
        return response
    if arm.ARG_PATH.match(req.path):
        return resource_graph.query(state, req)
    if m := arm.CM_PATH.match(req.path):
        return cost_management.query(state, req, m.group("scope"))
    return arm_error(404, "ResourceNotFound", f"The resource '{req.path}' was not found by the simulator.")


def _read(state: SimState, req: Request) -> Response:
    if m := arm.ADVISOR_PATH.match(req.path):
        return advisor.recommendations(state, req, m.group("sub"))
    if req.method == "GET" and req.path.rstrip("/").lower() == "/subscriptions":
        return subscriptions.list_subscriptions(state, req)
    if req.method == "GET" and (m := _SUBSCRIPTION.match(req.path)):
        return subscriptions.get_subscription(state, req, m.group("sub"))
    if (answer := arm_reads(state, req)) is not None:  # role assignments/definitions, provider registration
        return answer
    return arm_error(404, "ResourceNotFound", f"The resource '{req.path}' was not found by the simulator.")


def handle(state: SimState, req: Request) -> Response:
    """Answer one request: control plane, or fault-wrapped product endpoints with logging."""
    if req.path.startswith("/_sim/"):
        return control.handle(state, req)
    fault = state.faults.take(req)
    if fault is not None and fault.status is not None:
        response = apply(fault, None)
    else:
        try:
            response = _dispatch(state, req)
        except Exception as exc:  # the simulator must answer like a server, never drop the connection
            logger.exception("simulator handler failed: %s %s", req.method, arm.api_name(req.path))
            response = arm_error(500, "InternalServerError", f"Simulator error: {type(exc).__name__}")
        if fault is not None:
            response = apply(fault, response)
    tenant_id, client_id = _identity(req)
    state.log(LoggedRequest(req.method, req.path, response.status, tenant_id, client_id, dt.datetime.now(dt.UTC)))
    return response
