"""Cost Management: POST {scope}/providers/Microsoft.CostManagement/query with QPU quotas and nextLink paging."""

from __future__ import annotations

import base64
import json
import math
import uuid
from bisect import bisect_left, bisect_right
from typing import Any
from urllib.parse import quote

from local.estates.model import CostRow, Subscription
from local.simulator import authz, cost_errors
from local.simulator.cost_filters import compile_filter
from local.simulator.cost_query import QueryError, QuerySpec, parse_definition
from local.simulator.http import Request, Response, arm_error, json_response
from local.simulator.state import SimState

QPU = "x-ms-ratelimit-microsoft.costmanagement-qpu"


def _scope_parts(scope: str) -> tuple[str, str | None] | None:
    parts = [p for p in scope.split("/") if p]
    if len(parts) == 2 and parts[0].lower() == "subscriptions":
        return parts[1], None
    if len(parts) == 4 and parts[0].lower() == "subscriptions" and parts[2].lower() == "resourcegroups":
        return parts[1], parts[3]
    return None


def query(state: SimState, req: Request, scope: str) -> Response:
    """Answer one query page, charging QPU to the caller's tenant."""
    tid, oid = str(req.claims["tid"]), str(req.claims["oid"])
    parts = _scope_parts(scope)
    if parts is None:
        return arm_error(400, "BadRequest", f"Invalid scope '{scope}': the simulator serves subscription and "
                                            "resource group scopes.")
    sub_id, group = parts
    sub = state.estate.subscription(sub_id)
    if sub is None:
        return arm_error(404, "SubscriptionNotFound", f"The subscription '{sub_id}' could not be found.")
    if not authz.can(state, tid, oid, authz.READ_COST).covers(sub.subscription_id, group):
        held = authz.holds_any_role(state, tid, oid, sub.subscription_id)
        return cost_errors.missing_role(sub, oid, held)
    refused = cost_errors.configured(sub, oid)
    if refused is not None:
        return refused
    try:
        spec = parse_definition(req.json(), state.today)
    except (QueryError, ValueError, TypeError, AttributeError) as exc:  # malformed nested parts are a 400 too
        return arm_error(400, "BadRequest", f"Invalid query definition: {exc}")
    offset = _offset(req.q("$skiptoken"))
    qpu = max(1, math.ceil(((spec.end - spec.start).days + 1) / 31))
    # 1 QPU per month of data queried is documented; whether a nextLink page is charged again is not
    # (SimOptions.cm_qpu_per_page chooses; docs/estate-format.md says which reading each run used).
    if offset and not state.options.cm_qpu_per_page:
        qpu = 0
    verdict = state.cm_quota.charge(tid.lower(), qpu)
    if not verdict.allowed:
        with state.lock:
            state.throttled["cost_management"] += 1
        # Cost Management sends only its own retry header, never Retry-After.
        # Body as seen from the service: code "429" (a string), "Too many requests. Please retry."
        return arm_error(429, "429", "Too many requests. Please retry.",
                         {f"{QPU}-retry-after": str(math.ceil(verdict.reset_after))})
    with state.lock:
        state.qpu_used += qpu
    # Every nextLink page re-sends the same body: aggregate once per (scope, body), then slice pages.
    cache_key = f"{scope.lower()}|{json.dumps(req.json(), sort_keys=True)}"
    rows = state.query_cache.get(cache_key)
    if rows is None:
        matches = compile_filter(spec.filter)
        rows = aggregate(spec, [r for r in _in_window(state, sub, spec)
                                if (group is None or r.dims["ResourceGroupName"].lower() == group.lower())
                                and matches(r)])
        state.query_cache.put(cache_key, rows)
    headers = {f"{QPU}-consumed": str(qpu), f"{QPU}-remaining": _remaining(state, tid),
               "x-ms-request-id": str(uuid.uuid4())}
    offset = _offset(req.q("$skiptoken"))
    if not rows and offset == 0 and state.options.cm_empty_status == 204:
        return Response(204, b"", headers)  # documented ("No Content"), but clients mostly see 200 with no rows
    size = state.options.cost_page_size
    page = rows[offset:offset + size]
    next_link = None
    if offset + size < len(rows):
        token = base64.urlsafe_b64encode(f"o={offset + size}".encode()).decode()
        next_link = (f"{state.base_url}{sub.scope}{'/resourceGroups/' + group if group else ''}/providers/"
                     f"Microsoft.CostManagement/query?api-version={req.q('api-version')}&$skiptoken={quote(token)}")
    name = str(uuid.uuid5(uuid.NAMESPACE_URL, scope.lower()))
    return json_response(200, {
        "id": f"{scope}/providers/Microsoft.CostManagement/query/{name}", "name": name,
        "type": "Microsoft.CostManagement/query", "location": None, "sku": None, "eTag": None,
        "properties": {"nextLink": next_link, "columns": spec.columns(), "rows": page},
    }, headers)


_BY_DATE: dict[int, tuple[list[CostRow], list[int], list[CostRow]]] = {}


def _in_window(state: SimState, sub: Subscription, spec: QuerySpec) -> list[CostRow]:
    """The subscription's rows of the query's days: its expanded rows sorted by day once, then a slice (a week's
    query on a 100,000-resource estate reads a week of rows, not ninety days of them)."""
    rows = state.cost_rows(sub, spec.kind)
    cached = _BY_DATE.get(id(rows))
    if cached is None or cached[0] is not rows:  # the identity check: an id may be reused once a list is gone
        if len(_BY_DATE) > 4096:
            _BY_DATE.clear()
        ordered = sorted(rows, key=lambda r: r.date)
        cached = _BY_DATE[id(rows)] = (rows, [r.date.toordinal() for r in ordered], ordered)
    _, days, ordered = cached
    return ordered[bisect_left(days, spec.start.toordinal()):bisect_right(days, spec.end.toordinal())]


def _remaining(state: SimState, tenant_id: str) -> str:
    """The documented "list of remaining quotas", in the form Azure was seen to send
    ("QueriesPerHour:577,QueriesPerMin:59"), plus the ten-second window the simulator also enforces."""
    names = {10.0: "QueriesPer10Sec", 60.0: "QueriesPerMin", 3600.0: "QueriesPerHour"}
    left = state.cm_quota.remaining(tenant_id.lower())
    parts = [f"{names.get(window, f'QueriesPer{int(window)}Sec')}:{count}"
             for (_, window), count in zip(state.options.cm_qpu_limits, left, strict=True)]
    return ",".join(reversed(parts))


def _offset(token: str | None) -> int:
    if not token:
        return 0
    try:
        return int(base64.urlsafe_b64decode(token.encode()).decode().removeprefix("o="))
    except ValueError:
        return 0


def aggregate(spec: QuerySpec, rows: list[CostRow]) -> list[list[Any]]:
    """Sum rows by (date bucket, groupings) into the columns/rows shape, sorted deterministically."""
    sums: dict[tuple[Any, ...], list[float]] = {}
    currency = rows[0].currency if rows else ""
    for row in rows:
        key = (*spec.date_key(row.date), *spec.group_values(row))
        acc = sums.setdefault(key, [0.0] * len(spec.aggregations))
        for i, (_, source) in enumerate(spec.aggregations):
            acc[i] += row.cost_usd if source == "CostUSD" else row.cost
    out = []
    # Keys hold one type per position (int or str date, str groups), so they sort directly.
    for key in sorted(sums):
        out.append([round(v, 6) for v in sums[key]] + list(key) + [currency])
    return out

