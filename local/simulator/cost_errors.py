"""Cost Management's refusals: a subscription's configured cost_error, and the answer to a missing role.

Codes from MicrosoftDocs/azure-docs articles/cost-management-billing/costs/cost-management-error-codes.md.
The doc gives no status for most codes; the choices below are listed as assumptions in docs/estate-format.md,
and the messages are the simulator's wording of the doc's mitigation unless a source is named.
"""

from __future__ import annotations

import uuid

from local.estates.model import Subscription
from local.simulator.arm import unauthorized
from local.simulator.http import Response, arm_error

QUERY_ACTION = "Microsoft.CostManagement/query/read"

# code -> (status, message); {sub} and {oid} are filled in.
COST_ERRORS: dict[str, tuple[int, str]] = {
    # The doc's "401" section: "For an Enterprise Agreement, confirm that the view charges options (Account
    # Owner or Department Administrator) have been enabled" -> the EA view-charges codes answer 401.
    "AccountCostDisabled": (401, "Cost Management has been disabled for account owners and subscription users of "
                                 "this Enterprise Agreement enrollment: the enterprise administrator has not "
                                 "enabled 'AO view charges'."),
    "DepartmentCostDisabled": (401, "Cost Management has been disabled for department administrators of this "
                                    "Enterprise Agreement enrollment: 'DA view charges' is off."),
    "IndirectCostDisabled": (401, "Cost Management is not available: the partner has not published pricing for "
                                  "this Enterprise Agreement enrollment."),
    # Seen verbatim with HTTP 400 (JetBrains/azure-tools-for-intellij#281, SpecterOps/AzureHound#65).
    "DisallowedOperation": (400, "The current subscription type is not permitted to perform operations on any "
                                 "provider namespace. Please use a different subscription."),
    "SubscriptionTypeNotSupported": (400, "Cost Management does not support the offer type of subscription "
                                          "'{sub}'."),
    "ReadOnlyDisabledSubscription": (409, "The subscription '{sub}' is disabled and therefore marked as read only."),
    # The doc's bare 401: no recognised code, in the numeric-string style Cost Management uses ("400", "429").
    "401": (401, "Unauthorized. Request ID: {request}"),
    # "If using Cost Management for a newly created subscription, wait 48 hours and try again."
    "SubscriptionNotFound": (404, "The subscription '{sub}' could not be found."),
    "AuthorizationFailed": (403, "The client '{oid}' with object id '{oid}' does not have authorization to perform "
                                 f"action '{QUERY_ACTION}' over scope '/subscriptions/{{sub}}' or the scope is "
                                 "invalid. If access was recently granted, please refresh your credentials."),
    "BillingAccessDenied": (403, "The client '{oid}' does not have a billing role that can view charges for "
                                 "subscription '{sub}'."),
    "RBACAccessDenied": (403, "The client does not have authorization to perform action."),
}


def refusal(code: str, sub: Subscription, oid: str, status: int | None = None, message: str | None = None) -> Response:
    """The answer Cost Management gives for `code` on this subscription."""
    if code == "InvalidAuthenticationTokenTenant":
        # The subscription moved to another directory (the doc's mitigation): ARM's 401 with its challenge.
        return unauthorized(code, message or "The access token is from the wrong issuer. It must match the tenant "
                            "associated with this subscription: the subscription may have moved to another "
                            "directory.", sub.tenant_id, status or 401)
    default_status, template = COST_ERRORS[code]
    text = message or template.format(sub=sub.subscription_id, oid=oid, request=uuid.uuid4())
    return arm_error(status or default_status, code, text)


def configured(sub: Subscription, oid: str) -> Response | None:
    """The refusal the estate configured for the subscription, if any."""
    error = sub.cost_error
    return None if error is None else refusal(error.code, sub, oid, error.status, error.message)


def missing_role(sub: Subscription, oid: str, has_any_role: bool) -> Response:
    """No cost-reading role at the scope: ARM's AuthorizationFailed when the principal holds nothing in the
    subscription, Cost Management's own RBACAccessDenied when it holds other roles (both codes are documented;
    which one Azure picks is an assumption)."""
    return refusal("RBACAccessDenied" if has_any_role else "AuthorizationFailed", sub, oid)
