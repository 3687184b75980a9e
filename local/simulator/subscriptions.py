"""ARM subscription reads: GET /subscriptions and GET /subscriptions/{id} (what a caller can see)."""

from __future__ import annotations

from typing import Any

from local.estates.model import Subscription
from local.simulator import authz
from local.simulator.http import Request, Response, arm_error, json_response
from local.simulator.state import SimState


def _body(sub: Subscription) -> dict[str, Any]:
    return {"id": sub.scope, "authorizationSource": "RoleBased", "managedByTenants": [],
            "subscriptionId": sub.subscription_id, "tenantId": sub.tenant_id, "displayName": sub.display_name,
            "state": sub.state, "subscriptionPolicies": {"locationPlacementId": "Public_2014-09-01",
                                                         "quotaId": sub.quota_id, "spendingLimit": "Off"}}


def list_subscriptions(state: SimState, req: Request) -> Response:
    """The subscriptions of the caller's tenant on which it holds any read role."""
    tid, oid = str(req.claims["tid"]), str(req.claims["oid"])
    tenant = state.estate.tenant(tid)
    can = authz.can(state, tid, oid, authz.READ_SUBSCRIPTION)
    subs = [s for s in (tenant.subscriptions if tenant else []) if can.any_in(s.subscription_id)]
    return json_response(200, {"value": [_body(s) for s in subs], "count": {"type": "Total", "value": len(subs)}})


def get_subscription(state: SimState, req: Request, subscription_id: str) -> Response:
    """One subscription, or 403 AuthorizationFailed without a read role on it."""
    sub = state.estate.subscription(subscription_id)
    assert sub is not None  # the ARM gate answered 404 already
    oid = str(req.claims["oid"])
    if not authz.can(state, sub.tenant_id, oid, authz.READ_SUBSCRIPTION).any_in(sub.subscription_id):
        return arm_error(403, "AuthorizationFailed",
                         f"The client '{oid}' with object id '{oid}' does not have authorization to perform action "
                         f"'Microsoft.Resources/subscriptions/read' over scope '{sub.scope}' or the scope is invalid.")
    return json_response(200, _body(sub))
