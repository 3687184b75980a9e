"""Resource Graph: POST /providers/Microsoft.ResourceGraph/resources over the caller's readable subscriptions."""

from __future__ import annotations

import base64
import json
import math
from typing import Any

from local.estates.model import Subscription, Tenant
from local.simulator import authz
from local.simulator.authz_rows import authorization_rows, stamps
from local.simulator.grants import moment
from local.simulator.graph_tables import policy_rows, recovery_rows
from local.simulator.http import Request, Response, arm_error, json_response, support_message
from local.simulator.kql import KqlError, parse, run_query
from local.simulator.quotas import hhmmss
from local.simulator.state import SimState

# The stable api-versions of specification/resourcegraph/.../Microsoft.ResourceGraph/stable (azure-rest-api-specs)
# and the previews that folder tree holds. azure-mgmt-resourcegraph 8.0.1 sends 2021-03-01 by default.
API_VERSIONS = ("2018-09-01-preview", "2019-04-01", "2020-04-01-preview", "2020-09-01-preview", "2021-03-01",
                "2021-06-01-preview", "2022-10-01", "2024-04-01")
# QueryRequestOptions.authorizationScopeFilter first appears in stable/2022-10-01/resourcegraph.json; at older
# versions the option is unknown and, like any property the schema does not define, ignored (assumption:
# docs/estate-format.md), so the default AtScopeAndBelow applies.
SCOPE_FILTER_SINCE = "2022-10-01"


def scope_filter(api_version: str, options: dict[str, Any]) -> str:
    """The authorizationScopeFilter the service applies at this api-version."""
    asked = str(options.get("authorizationScopeFilter") or "AtScopeAndBelow")
    return asked if api_version[:10] >= SCOPE_FILTER_SINCE else "AtScopeAndBelow"


def _unsupported_version(api_version: str) -> Response:
    # ARM's answer for an api-version the provider does not register (message form: docs/estate-format.md).
    return arm_error(400, "NoRegisteredProviderFound",
                     f"No registered resource provider found for location 'global' and API version '{api_version}'"
                     f" for type 'resources'. The supported api-versions are '{', '.join(API_VERSIONS)}'. The "
                     "supported locations are ', global'.")


def _bad_request(code: str, message: str) -> Response:
    return arm_error(400, "BadRequest", support_message(), details=[{"code": code, "message": message}])


def _container_rows(tenant: Tenant, sub: Subscription, group_access: authz.Access) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [{
        "id": sub.scope, "name": sub.display_name, "type": "microsoft.resources/subscriptions",
        "tenantId": tenant.tenant_id, "kind": "", "location": "", "resourceGroup": "",
        "subscriptionId": sub.subscription_id, "managedBy": "", "sku": None, "plan": None, "tags": {},
        "identity": None, "zones": None, "extendedLocation": None,
        "properties": {"state": sub.state, "subscriptionPolicies": {
            "quotaId": sub.quota_id, "spendingLimit": "Off", "locationPlacementId": "Public_2014-09-01"},
            "managementGroupAncestorsChain": [{"name": g.id, "displayName": g.display_name}
                                              for g in tenant.management_groups
                                              if sub.subscription_id in g.subscription_ids]},
    }]
    for group in sub.resource_groups:
        if group_access.covers(sub.subscription_id, group.name):
            rows.append({
                "id": f"{sub.scope}/resourceGroups/{group.name}", "name": group.name,
                "type": "microsoft.resources/subscriptions/resourcegroups", "tenantId": tenant.tenant_id,
                "kind": "", "location": group.location, "resourceGroup": group.name.lower(),
                "subscriptionId": sub.subscription_id, "managedBy": "", "sku": None, "plan": None,
                "tags": dict(group.tags), "identity": None, "zones": None, "extendedLocation": None,
                "properties": {"provisioningState": "Succeeded"},
            })
    return rows


def table_rows(state: SimState, table: str, tenant: Tenant, oid: str, subs: list[Subscription],
               filter_mode: str = "AtScopeAndBelow") -> list[dict[str, Any]]:
    """The rows of one Resource Graph table that the principal may see in `subs`."""
    tid = tenant.tenant_id
    if table == "resources":
        can = authz.can(state, tid, oid, authz.READ_RESOURCES)
        return [r for s in subs for r in s.resources if can.covers(s.subscription_id, str(r.get("resourceGroup")))]
    if table == "resourcecontainers":
        can_sub = authz.can(state, tid, oid, authz.READ_SUBSCRIPTION)
        can_rg = authz.can(state, tid, oid, authz.READ_RESOURCES)
        return [r for s in subs if can_sub.any_in(s.subscription_id) or can_rg.any_in(s.subscription_id)
                for r in _container_rows(tenant, s, can_rg)]
    if table == "authorizationresources":
        can = authz.can(state, tid, oid, authz.READ_ROLE_ASSIGNMENTS)
        wanted = {s.subscription_id.lower() for s in subs}
        can.subscriptions &= wanted
        can.resource_groups = {p for p in can.resource_groups if p[0] in wanted}
        # Assignments inherited from management groups appear only when the caller asks to look above.
        above = filter_mode.lower() in ("atscopeandabove", "atscopeaboveandbelow")
        return authorization_rows(state.estate, tid, can, above, moment(state), stamps(state.clock))
    if table == "recoveryservicesresources":
        return recovery_rows(state, tenant, oid, subs)
    if table == "policyresources":
        return policy_rows(state, tenant, oid, subs, filter_mode)
    if table == "advisorresources":
        can = authz.can(state, tid, oid, authz.READ_ADVISOR)
        return [_advisor_row(tid, s, rec) for s in subs if can.any_in(s.subscription_id) for rec in s.advisor]
    raise KqlError(f"Table '{table}' could not be found or is not supported.")


def _advisor_row(tenant_id: str, sub: Subscription, rec: dict[str, Any]) -> dict[str, Any]:
    rid = str(rec["properties"].get("resourceMetadata", {}).get("resourceId", ""))
    parts = rid.strip("/").split("/")
    rg = parts[3].lower() if len(parts) >= 4 and parts[2].lower() == "resourcegroups" else ""
    return {"id": rec["id"], "name": rec.get("name", ""), "type": "microsoft.advisor/recommendations",
            "tenantId": tenant_id, "kind": "", "location": "", "resourceGroup": rg,
            "subscriptionId": sub.subscription_id, "managedBy": "", "sku": None, "plan": None, "tags": None,
            "identity": None, "zones": None, "extendedLocation": None, "properties": rec["properties"]}


def _column_type(values: list[Any]) -> str:
    sample = next((v for v in values if v is not None), None)
    if isinstance(sample, bool):
        return "boolean"
    if isinstance(sample, int):
        return "integer"
    if isinstance(sample, float):
        return "number"
    return "object" if isinstance(sample, dict | list) else "string"


def _as_table(rows: list[dict[str, Any]]) -> dict[str, Any]:
    names: list[str] = []
    for row in rows:
        names += [k for k in row if k not in names]
    return {"columns": [{"name": n, "type": _column_type([r.get(n) for r in rows])} for n in names],
            "rows": [[r.get(n) for n in names] for r in rows]}


def _decode_skip(token: str) -> int:
    try:
        return int(json.loads(base64.b64decode(token.encode()).decode())["o"])
    except (ValueError, KeyError, TypeError) as exc:
        raise KqlError("The skip token is invalid.") from exc


def query(state: SimState, req: Request) -> Response:
    """Run one query: quota, options, scope filtering, KQL, paging."""
    tid, oid = str(req.claims["tid"]), str(req.claims["oid"])
    if str(req.q("api-version")) not in API_VERSIONS:
        return _unsupported_version(str(req.q("api-version")))
    verdict = state.arg_quota.charge(f"{tid}/{oid}".lower(), 1)
    headers = {"x-ms-user-quota-remaining": str(verdict.remaining),
               "x-ms-user-quota-resets-after": hhmmss(verdict.reset_after)}
    if not verdict.allowed:
        with state.lock:
            state.throttled["resource_graph"] += 1
        # A captured Resource Graph 429 carried Retry-After next to the user-quota headers.
        headers["Retry-After"] = str(max(1, math.ceil(verdict.reset_after)))
        return arm_error(429, "RateLimiting", support_message(), headers, details=[{
            "code": "RateLimiting", "message": "Client application has been throttled and should not attempt to "
            "repeat the request until an amount of time has elapsed. Please see https://aka.ms/resourcegraph-"
            "throttling for help."}])
    try:
        body = req.json()
        options = body.get("options") or {}
        top = int(options.get("$top") or state.options.arg_max_top)
        if not 1 <= top <= state.options.arg_max_top:
            return _error_with(headers, "InvalidQueryRequestOptions",
                               f"The $top value must be between 1 and {state.options.arg_max_top}.")
        skip = _decode_skip(options["$skipToken"]) if options.get("$skipToken") else int(options.get("$skip") or 0)
        parsed = parse(str(body.get("query", "")))
        if parsed.limited and not options.get("$skipToken"):
            skip = 0  # documented: $skip is ignored when the query uses limit or take
        tenant = state.estate.tenant(tid)
        if tenant is None:
            return _error_with(headers, "InvalidQuery", "The caller's tenant is unknown.")
        wanted = [str(s).lower() for s in body.get("subscriptions") or []]
        groups = {str(g).lower() for g in body.get("managementGroups") or []}
        wanted += [s.lower() for g in tenant.management_groups if g.id.lower() in groups for s in g.subscription_ids]
        subs = [s for s in tenant.subscriptions if not wanted or s.subscription_id.lower() in wanted]
        readable = authz.can(state, tid, oid, authz.READ_SUBSCRIPTION)
        readable_rg = authz.can(state, tid, oid, authz.READ_RESOURCES)
        subs = [s for s in subs if readable.any_in(s.subscription_id) or readable_rg.any_in(s.subscription_id)]
        if wanted and not subs:
            # Azure answers a query over only unreadable subscriptions with 403 AccessDenied.
            return arm_error(403, "AccessDenied", support_message(), headers, details=[{
                "code": "AccessDenied",
                "message": "Access is denied to the requested resource. The user might not have enough permission."}])
        applied = scope_filter(str(req.q("api-version")), options)
        rows = run_query(parsed, table_rows(state, parsed.table, tenant, oid, subs, applied))
    except (KqlError, ValueError, TypeError, AttributeError) as exc:  # AttributeError: body is not an object
        return _error_with(headers, "InvalidQuery", f"Query is invalid: {exc}")
    page = rows[skip:skip + top]
    more = skip + top < len(rows)
    payload: dict[str, Any] = {"totalRecords": len(rows), "count": len(page),
                               "resultTruncated": "true" if more and parsed.limited else "false", "facets": []}
    if more and not parsed.limited:
        payload["$skipToken"] = base64.b64encode(json.dumps({"o": skip + top}).encode()).decode()
    elif more:
        payload["resultTruncated"] = "true"
    fmt = str(options.get("resultFormat") or "objectArray")
    payload["data"] = _as_table(page) if fmt.lower() == "table" else page
    response = json_response(200, payload, headers)
    limit = state.options.arg_max_response_bytes
    if limit is not None and len(response.body) > limit:
        return _too_large(headers, len(response.body), limit)
    return response


def _too_large(headers: dict[str, str], size: int, limit: int) -> Response:
    # Captured answers (microsoft/ARI#199, Azure/cosmos-explorer#1877, 2024); the limit is SimOptions'
    # (docs/estate-format.md: an assumption, Microsoft's docs do not list it).
    return arm_error(400, "BadRequest", support_message(), headers, details=[{
        "code": "ResponsePayloadTooLarge", "message": f"Response payload size is {size}, and has exceeded the limit "
        f"of {limit}. Please consider querying less data at a time and make paginated call if needed."}])


def _error_with(headers: dict[str, str], code: str, message: str) -> Response:
    response = _bad_request(code, message)
    response.headers.update(headers)
    return response
