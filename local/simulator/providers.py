"""Resource-provider registration: ARM's 409 for a namespace the subscription has not registered.

azure-mgmt-core's ARMAutoResourceProviderRegistrationPolicy (policies/_base.py, 1.6.0) reacts to a 409 whose
error.code is MissingSubscriptionRegistration by POSTing {subscription}/providers/{rp}/register and polling
GET {subscription}/providers/{rp}; a read-only principal's POST is refused, so the 409 is what the caller sees.
"""

from __future__ import annotations

import re
from typing import Any

from local.estates.arm_model import DEFAULT_REGISTERED_PROVIDERS
from local.estates.model import Subscription
from local.simulator import authz
from local.simulator.http import Request, Response, arm_error, json_response
from local.simulator.state import SimState

PROVIDER_PATH = re.compile(r"^/subscriptions/(?P<sub>[^/]+)/providers/(?P<ns>[^/]+)/?$", re.IGNORECASE)
_NAMESPACE = re.compile(r"/providers/(?P<ns>[^/]+)/[^/]", re.IGNORECASE)


def namespace(path: str) -> str | None:
    """The resource provider that answers a path: the namespace after its last /providers/ segment."""
    found = _NAMESPACE.findall(path)
    return found[-1] if found else None


def registered(sub: Subscription, ns: str) -> bool:
    """Whether the subscription has registered the namespace (no list in the estate: every namespace)."""
    if sub.registered_providers is None:
        return True
    known = {n.lower() for n in (*sub.registered_providers, *DEFAULT_REGISTERED_PROVIDERS)}
    return ns.lower() in known


def refusal(sub: Subscription, path: str) -> Response | None:
    """ARM's 409 MissingSubscriptionRegistration when the path's provider is not registered, else None."""
    ns = namespace(path)
    if ns is None or registered(sub, ns) or PROVIDER_PATH.match(path):
        return None
    # Message as ARM words it ("The subscription is not registered to use namespace '...'", learn.microsoft.com/
    # azure/azure-resource-manager/troubleshooting/error-register-resource-provider); azure-mgmt-core reads the
    # namespace from the last quoted string of the message.
    message = (f"The subscription is not registered to use namespace '{ns}'. See https://aka.ms/rps-not-found "
               "for how to register subscriptions.")
    return arm_error(409, "MissingSubscriptionRegistration", message,
                     details=[{"code": "MissingSubscriptionRegistration", "target": ns, "message": message}])


def get_provider(state: SimState, req: Request, subscription_id: str, ns: str) -> Response:
    """GET /subscriptions/{id}/providers/{namespace}: its registrationState (what azure-mgmt-core polls)."""
    sub = state.estate.subscription(subscription_id)
    assert sub is not None  # the ARM gate answered 404 already
    oid = str(req.claims["oid"])
    if not authz.can(state, sub.tenant_id, oid, authz.READ_SUBSCRIPTION).any_in(sub.subscription_id):
        return arm_error(403, "AuthorizationFailed",
                         f"The client '{oid}' with object id '{oid}' does not have authorization to perform action "
                         f"'Microsoft.Resources/subscriptions/providers/read' over scope '{sub.scope}' or the scope "
                         "is invalid.")
    body: dict[str, Any] = {"id": f"{sub.scope}/providers/{ns}", "namespace": ns,
                            "registrationState": "Registered" if registered(sub, ns) else "NotRegistered",
                            "resourceTypes": []}
    return json_response(200, body)
