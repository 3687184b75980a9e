"""Configuration GETs Resource Graph does not index: a storage account's lifecycle policy, Consumption budgets,
Cost Management scheduled actions and Consumption reservation recommendations, from the estate.

Shapes: azure-rest-api-specs, Microsoft.Storage/stable/2024-01-01/examples/StorageAccountGetManagementPolicy.json;
Microsoft.Consumption/stable/2023-05-01/examples/BudgetsList.json and
ReservationRecommendationsFilterBySubscriptionForScopeLookBackPeriod.json; Microsoft.CostManagement/stable/
2023-11-01/examples/scheduledActions/scheduledActions-list-shared.json. The 404 code of a missing policy is
ManagementPolicyNotFound (azure-sdk-for-net StorageAccountTests asserts it); its message is our wording.
Differences from Azure are listed in docs/estate-format.md ("Inventory beyond resources").
"""

from __future__ import annotations

import re
from typing import Any

from local.estates.model import Subscription
from local.simulator import authz
from local.simulator.http import Request, Response, arm_error, json_response
from local.simulator.state import SimState

POLICY_PATH = re.compile(r"^/subscriptions/(?P<sub>[^/]+)/resourceGroups/(?P<rg>[^/]+)/providers/Microsoft\.Storage/"
                         r"storageAccounts/(?P<account>[^/]+)/managementPolicies/(?P<name>[^/]+)/?$", re.IGNORECASE)
BUDGETS_PATH = re.compile(r"^/subscriptions/(?P<sub>[^/]+)/providers/Microsoft\.Consumption/budgets/?$", re.IGNORECASE)
ACTIONS_PATH = re.compile(r"^/subscriptions/(?P<sub>[^/]+)/providers/Microsoft\.CostManagement/scheduledActions/?$",
                          re.IGNORECASE)
RESERVATIONS_PATH = re.compile(r"^/subscriptions/(?P<sub>[^/]+)/providers/Microsoft\.Consumption/"
                               r"reservationRecommendations/?$", re.IGNORECASE)
PATHS = (POLICY_PATH, BUDGETS_PATH, ACTIONS_PATH, RESERVATIONS_PATH)
_CLAUSE = re.compile(r"^\s*properties/(\w+)\s+eq\s+'([^']*)'\s*$", re.IGNORECASE)
# The filter's defaults (ReservationRecommendationsListOptionalParams.filter, @azure/arm-consumption docs).
_RESERVATION_DEFAULTS = {"scope": "Single", "lookbackperiod": "Last7Days", "resourcetype": "VirtualMachines"}


def forbidden(req: Request, action: str, scope: str) -> Response:
    """ARM's 403 for a principal without `action` at `scope`."""
    oid = req.claims["oid"]
    return arm_error(403, "AuthorizationFailed",
                     f"The client '{oid}' with object id '{oid}' does not have authorization to perform action "
                     f"'{action}' over scope '{scope}' or the scope is invalid. If access was recently granted, "
                     "please refresh your credentials.")


def _allowed(state: SimState, req: Request, sub: Subscription, action: str, group: str | None = None) -> bool:
    return authz.can(state, str(req.claims["tid"]), str(req.claims["oid"]), action).covers(sub.subscription_id, group)


def management_policy(state: SimState, req: Request, sub: Subscription, m: re.Match[str]) -> Response:
    """GET {account}/managementPolicies/default: 200 with the estate's policy, 404 ManagementPolicyNotFound."""
    action = "Microsoft.Storage/storageAccounts/managementPolicies/read"
    account_id = re.split(r"/managementpolicies/", req.path.rstrip("/"), flags=re.IGNORECASE)[0]
    if not _allowed(state, req, sub, action, m.group("rg")):
        return forbidden(req, action, req.path)
    known = {str(r["id"]).lower() for r in sub.resources if r["type"] == "microsoft.storage/storageaccounts"}
    if account_id.lower() not in known:
        # ARM's generic answer for a resource that does not exist (the storage provider's exact code is unconfirmed).
        return arm_error(404, "ResourceNotFound", f"The Resource 'Microsoft.Storage/storageAccounts/"
                         f"{m.group('account')}' under resource group '{m.group('rg')}' was not found.")
    policies = {k.lower(): v for k, v in (sub.management_policies or {}).items()}
    properties = policies.get(account_id.lower())
    if properties is None or m.group("name").lower() != "default":
        return arm_error(404, "ManagementPolicyNotFound",
                         f"No ManagementPolicy found for account {m.group('account')}.")
    return json_response(200, {"id": f"{account_id}/managementPolicies/default", "name": "DefaultManagementPolicy",
                               "type": "Microsoft.Storage/storageAccounts/managementPolicies",
                               "properties": properties})


def _listed(items: list[dict[str, Any]], scope: str, kind: str, type_name: str) -> list[dict[str, Any]]:
    """Items with the id and type the list gives them when the estate leaves them out."""
    return [{"id": f"{scope}/providers/{kind}/{item['name']}", "type": type_name, **item} for item in items]


def _month_to_date(state: SimState, sub: Subscription) -> float:
    """The subscription's actual cost from the 1st of this month to yesterday (what a monthly budget has spent)."""
    start = state.today.replace(day=1)
    return round(sum(r.cost for r in state.cost_rows(sub, "ActualCost") if start <= r.date < state.today), 2)


def budgets(state: SimState, req: Request, sub: Subscription) -> Response:
    """GET /subscriptions/{id}/providers/Microsoft.Consumption/budgets (no nextLink: lists are short).

    A budget the estate writes without `currentSpend` gets the subscription's month-to-date actual cost, so it
    agrees with the bill whatever day it is (budget filters are not applied: docs/estate-format.md)."""
    action = "Microsoft.Consumption/budgets/read"
    if not _allowed(state, req, sub, action):
        return forbidden(req, action, sub.scope)
    items = _listed(sub.budgets, sub.scope, "Microsoft.Consumption/budgets", "Microsoft.Consumption/budgets")
    for item in items:
        props = item.get("properties")
        if isinstance(props, dict) and "currentSpend" not in props:
            item["properties"] = {**props, "currentSpend": {"amount": _month_to_date(state, sub),
                                                            "unit": sub.billing_currency}}
    return json_response(200, {"value": items})


def scheduled_actions(state: SimState, req: Request, sub: Subscription) -> Response:
    """GET /subscriptions/{id}/providers/Microsoft.CostManagement/scheduledActions (the shared ones)."""
    action = "Microsoft.CostManagement/scheduledActions/read"
    if not _allowed(state, req, sub, action):
        return forbidden(req, action, sub.scope)
    items = _listed(sub.scheduled_actions, sub.scope.lstrip("/"), "Microsoft.CostManagement/scheduledActions",
                    "Microsoft.CostManagement/ScheduledActions")
    return json_response(200, {"value": items, "nextLink": None})


def _matches(recommendation: dict[str, Any], wanted: dict[str, str]) -> bool:
    props = {k.lower(): v for k, v in (recommendation.get("properties") or {}).items()}
    return all(str(props.get(key, _RESERVATION_DEFAULTS[key])).lower() == value.lower()
               for key, value in wanted.items())


def reservation_recommendations(state: SimState, req: Request, sub: Subscription) -> Response:
    """GET .../Microsoft.Consumption/reservationRecommendations with the documented $filter clauses."""
    action = "Microsoft.Consumption/reservationRecommendations/read"
    if not _allowed(state, req, sub, action):
        return forbidden(req, action, sub.scope)
    wanted = dict(_RESERVATION_DEFAULTS)
    for clause in re.split(r"\s+and\s+", req.q("$filter") or "", flags=re.IGNORECASE):
        if not clause.strip():
            continue
        match = _CLAUSE.match(clause)
        if not match or match.group(1).lower() not in wanted:
            return arm_error(400, "BadRequest", f"Invalid $filter clause {clause.strip()!r}.")
        wanted[match.group(1).lower()] = match.group(2)
    items = [r for r in sub.reservation_recommendations if _matches(r, wanted)]
    return json_response(200, {"value": _listed(items, sub.scope.lstrip("/"),
                                                "Microsoft.Consumption/reservationRecommendations",
                                                "Microsoft.Consumption/reservationRecommendations")})


def dispatch(state: SimState, req: Request) -> Response | None:
    """The answer when the request is one of these GETs (past the ARM gate), else None."""
    for pattern, handler in ((BUDGETS_PATH, budgets), (ACTIONS_PATH, scheduled_actions),
                             (RESERVATIONS_PATH, reservation_recommendations)):
        if m := pattern.match(req.path):
            sub = state.estate.subscription(m.group("sub"))
            assert sub is not None  # the ARM gate answered 404 already
            return handler(state, req, sub)
    if m := POLICY_PATH.match(req.path):
        sub = state.estate.subscription(m.group("sub"))
        assert sub is not None
        return management_policy(state, req, sub, m)
    return None
