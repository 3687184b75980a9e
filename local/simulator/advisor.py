"""Advisor: GET /subscriptions/{id}/providers/Microsoft.Advisor/recommendations with $filter and nextLink paging, and
GET .../Microsoft.Advisor/configurations (shape: azure-rest-api-specs Microsoft.Advisor/Advisor/examples/2026-02-01/
ListConfigurations_ListBySubscription.json)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from local.simulator import authz
from local.simulator.http import Request, Response, arm_error, json_response
from local.simulator.state import SimState

CONFIG_PATH = re.compile(r"^/subscriptions/(?P<sub>[^/]+)/providers/Microsoft\.Advisor/configurations/?$",
                         re.IGNORECASE)
_CLAUSE = re.compile(r"^\s*(\w+)\s+eq\s+'([^']*)'\s*$", re.IGNORECASE)


def _field(rec: dict[str, Any], name: str) -> str:
    props = rec.get("properties", {})
    rid = str(props.get("resourceMetadata", {}).get("resourceId", ""))
    parts = rid.strip("/").split("/")
    values = {
        "category": props.get("category", ""), "resourceid": rid,
        "resourcegroup": parts[3] if len(parts) >= 4 and parts[2].lower() == "resourcegroups" else "",
        "recommendationtypeguid": props.get("recommendationTypeId", ""), "subcategory": props.get("control", ""),
    }
    if name.lower() not in values:
        raise ValueError(f"$filter property '{name}' is not supported")
    return str(values[name.lower()])


def _matches(rec: dict[str, Any], expression: str) -> bool:
    """Evaluate "A eq 'x' and (B eq 'y' or B eq 'z')"-style filters (no nesting beyond one level)."""
    for alternative in re.split(r"\s+or\s+", expression.replace("(", " ").replace(")", " "), flags=re.IGNORECASE):
        clauses = [c for c in re.split(r"\s+and\s+", alternative, flags=re.IGNORECASE) if c.strip()]
        ok = True
        for clause in clauses:
            match = _CLAUSE.match(clause)
            if not match:
                raise ValueError(f"cannot parse $filter clause {clause.strip()!r}")
            ok = ok and _field(rec, match.group(1)).lower() == match.group(2).lower()
        if ok:
            return True
    return False


def recommendations(state: SimState, req: Request, subscription_id: str) -> Response:
    """List the cached recommendations the caller may read, one small page at a time."""
    sub = state.estate.subscription(subscription_id)
    assert sub is not None  # the ARM gate answered 404 already
    can = authz.can(state, str(req.claims["tid"]), str(req.claims["oid"]), authz.READ_ADVISOR)
    if not can.any_in(sub.subscription_id):
        oid = req.claims["oid"]
        return arm_error(403, "AuthorizationFailed",
                         f"The client '{oid}' with object id '{oid}' does not have authorization to perform action "
                         f"'Microsoft.Advisor/recommendations/read' over scope '{sub.scope}' or the scope is invalid.")
    expression = req.q("$filter") or ""
    try:
        recs = [r for r in sub.advisor
                if can.covers(sub.subscription_id, _field(r, "ResourceGroup") or None)
                and (not expression or _matches(r, expression))]
    except ValueError as exc:
        return arm_error(400, "BadRequest", str(exc))
    size = state.options.advisor_page_size
    if req.q("$top"):
        size = max(1, min(size, int(req.q("$top") or size)))
    offset = int(req.q("$skiptoken") or 0)
    page = recs[offset:offset + size]
    payload: dict[str, Any] = {"value": page}
    if offset + size < len(recs):
        link = f"{state.base_url}{req.path}?api-version={req.q('api-version')}"
        if expression:
            link += f"&$filter={quote(expression)}"
        payload["nextLink"] = f"{link}&$top={size}&$skiptoken={offset + size}"
    return json_response(200, payload)


def configurations(state: SimState, req: Request, subscription_id: str) -> Response:
    """The subscription's and its resource groups' Advisor configurations as the estate lists them (none: [])."""
    sub = state.estate.subscription(subscription_id)
    assert sub is not None  # the ARM gate answered 404 already
    action = "Microsoft.Advisor/configurations/read"
    if not authz.can(state, str(req.claims["tid"]), str(req.claims["oid"]), action).covers(sub.subscription_id):
        oid = req.claims["oid"]
        return arm_error(403, "AuthorizationFailed",
                         f"The client '{oid}' with object id '{oid}' does not have authorization to perform action "
                         f"'{action}' over scope '{sub.scope}' or the scope is invalid.")
    items = [{"id": f"{sub.scope}/providers/Microsoft.Advisor/configurations/{c['name']}",
              "type": "Microsoft.Advisor/configurations", **c} for c in sub.advisor_configurations]
    return json_response(200, {"value": items})
