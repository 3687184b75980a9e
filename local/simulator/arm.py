"""The ARM front door: bearer check, api-version, tenant of the scope, and refusal of every write."""

from __future__ import annotations

import re
from typing import Any

from local.simulator import advisor, config_reads, providers
from local.simulator.http import Request, Response, arm_error
from local.simulator.state import SimState
from local.simulator.tokens import ARM_AUDIENCES, TokenError

ARG_PATH = re.compile(r"^/providers/Microsoft\.ResourceGraph/resources/?$", re.IGNORECASE)
CM_PATH = re.compile(r"^(?P<scope>/.*?)/providers/Microsoft\.CostManagement/query/?$", re.IGNORECASE)
ADVISOR_PATH = re.compile(r"^/subscriptions/(?P<sub>[^/]+)/providers/Microsoft\.Advisor/recommendations/?$",
                          re.IGNORECASE)
SUB_PATH = re.compile(r"^/subscriptions/(?P<sub>[^/]+)", re.IGNORECASE)
# The configuration GETs of config_reads and Advisor's configurations, counted apart in the stats.
_CONFIGURATION = (*config_reads.PATHS, advisor.CONFIG_PATH)


def api_name(path: str) -> str:
    """The API a path belongs to, for the per-API call counters."""
    if ARG_PATH.match(path):
        return "resource_graph"
    if CM_PATH.match(path):
        return "cost_management"
    if ADVISOR_PATH.match(path):
        return "advisor"
    if "/providers/microsoft.authorization/" in path.lower():
        return "authorization"
    if any(p.match(path) for p in _CONFIGURATION):
        return "configuration"
    return "other"


def unauthorized(code: str, message: str, tenant_id: str = "common", status: int = 401) -> Response:
    """ARM's 401: the error body plus the WWW-Authenticate challenge naming the tenant's authority."""
    challenge = (f'Bearer authorization_uri="https://login.windows.net/{tenant_id}", error="invalid_token", '
                 f'error_description="{message}"')
    return arm_error(status, code, message, {"WWW-Authenticate": challenge})


def authenticate(state: SimState, req: Request) -> dict[str, Any] | Response:
    """The token's claims, or the 401 ARM would send."""
    header = req.headers.get("authorization", "")
    if not header.lower().startswith("bearer "):
        return unauthorized("AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.")
    try:
        claims = state.mint.verify(header[7:].strip(), ARM_AUDIENCES)
    except TokenError as exc:
        return unauthorized(exc.code, exc.message)
    if state.is_revoked(str(claims["tid"]), str(claims.get("appid", ""))):
        return unauthorized("InvalidAuthenticationToken", "The access token is invalid.", str(claims["tid"]))
    return claims


def check(state: SimState, req: Request) -> Response | None:
    """None when the request may reach a handler; otherwise ARM's refusal (401, 400, 403 or 404)."""
    claims = authenticate(state, req)
    if isinstance(claims, Response):
        return claims
    req.claims = claims
    if not req.q("api-version"):
        return arm_error(400, "MissingApiVersionParameter",
                         "The api-version query parameter (?api-version=) is required for all requests.")
    is_query = req.method == "POST" and (ARG_PATH.match(req.path) or CM_PATH.match(req.path))
    if req.method not in ("GET", "HEAD") and not is_query:
        with state.lock:
            state.refused_writes += 1
        oid = claims["oid"]
        return arm_error(403, "AuthorizationFailed",
                         f"The client '{oid}' with object id '{oid}' does not have authorization to perform action "
                         f"'{_action(req)}' over scope '{req.path}' or the scope is invalid. If access was recently "
                         "granted, please refresh your credentials.")
    match = SUB_PATH.match(req.path)
    if match:
        sub = state.estate.subscription(match.group("sub"))
        if sub is None:
            return arm_error(404, "SubscriptionNotFound",
                             f"The subscription '{match.group('sub')}' could not be found.")
        if sub.tenant_id.lower() != str(claims["tid"]).lower():
            return unauthorized("InvalidAuthenticationTokenTenant",
                                 f"The access token is from the wrong issuer 'https://sts.windows.net/{claims['tid']}/'."
                                 f" It must match the tenant 'https://sts.windows.net/{sub.tenant_id}/' associated "
                                 "with this subscription. Please use the authority (URL) "
                                 f"'https://login.windows.net/{sub.tenant_id}' to get the token.", sub.tenant_id)
        return providers.refusal(sub, req.path)
    return None


def _action(req: Request) -> str:
    """A plausible ARM action name for the refused write."""
    parts = [p for p in req.path.split("/") if p]
    lowered = [p.lower() for p in parts]
    if "providers" in lowered:
        i = len(lowered) - 1 - lowered[::-1].index("providers")
        rest = parts[i + 1:]
        if rest:
            kinds = [rest[0], *rest[1::2]]
            verb = {"PUT": "write", "PATCH": "write", "DELETE": "delete"}.get(req.method, "action")
            if req.method == "POST" and len(rest) % 2 == 0:
                return "/".join([*kinds[:-1], rest[-1]]) + "/action"
            return "/".join(kinds) + "/" + verb
    return {"DELETE": "Microsoft.Resources/subscriptions/resourceGroups/delete"}.get(
        req.method, "Microsoft.Resources/subscriptions/resourceGroups/write")
