"""Cost Management's refusals read by error code, per subscription (deploy audit B5), never by the offer.

Source: MicrosoftDocs/azure-docs articles/cost-management-billing/costs/cost-management-error-codes.md. Cost
data missing for one subscription is not revocation: the review goes on with inventory and Advisor and says
why. Classic CSP has no cost API while CSP under a Microsoft Customer Agreement has one, and both carry the
same quota id, so nothing here is predicted from the offer: only the service's answer decides.

- not collectable for this subscription (NotCollectable, a plain reason the report shows): the EA view-charges
  codes, an offer without cost data, a disabled subscription, a subscription moved to another directory, and a
  401 without a code we know (EA "view charges" off, or an MCA principal without a billing role);
- read again at the next scan (NotCollectable; a new subscription has no cost data for up to 48 hours);
- access denied for this subscription (AccessDenied with the code): a real authorisation failure.
"""

from __future__ import annotations

from collections.abc import Mapping

from shared.errors import AccessDenied, CaletaError, NotCollectable

NOT_COLLECTABLE: Mapping[str, str] = {
    "AccountCostDisabled": "Cost Management is switched off for account owners of this Enterprise Agreement "
                           "(AccountCostDisabled): an enterprise administrator can turn on 'AO view charges'",
    "DepartmentCostDisabled": "Cost Management is switched off for department administrators of this Enterprise "
                              "Agreement (DepartmentCostDisabled): an enterprise administrator can turn on "
                              "'DA view charges'",
    "IndirectCostDisabled": "the partner has not published prices for this indirect Enterprise Agreement "
                            "(IndirectCostDisabled), so Cost Management shows no charges",
    "DisallowedOperation": "this subscription's offer cannot incur charges or use Cost Management "
                           "(DisallowedOperation)",
    "SubscriptionTypeNotSupported": "Cost Management does not support this subscription's offer "
                                    "(SubscriptionTypeNotSupported)",
    "ReadOnlyDisabledSubscription": "the subscription is disabled and read-only (ReadOnlyDisabledSubscription)",
    "InvalidAuthenticationTokenTenant": "the subscription now belongs to another directory "
                                        "(InvalidAuthenticationTokenTenant): onboard it from that tenant",
}
NEXT_SCAN: Mapping[str, str] = {
    "SubscriptionNotFound": "no cost data yet: a new subscription's costs appear within 48 hours "
                            "(SubscriptionNotFound); the next scan reads them",
}
DENIED: Mapping[str, str] = {
    "AuthorizationFailed": "the principal may not read this subscription's costs (AuthorizationFailed): assign "
                           "Cost Management Reader or Reader on the subscription",
    "RBACAccessDenied": "the principal may not read this subscription's costs (RBACAccessDenied): assign "
                        "Cost Management Reader or Reader on the subscription",
    "BillingAccessDenied": "the principal has no billing role that can view this subscription's charges "
                           "(BillingAccessDenied)",
}
BARE_401 = ("Cost Management refused to show charges (HTTP 401 without a reason): on an Enterprise Agreement "
            "'view charges' may be off; under a Microsoft Customer Agreement the principal may need a billing role")


def classify_cost_refusal(status: int, code: str) -> CaletaError | None:
    """The product error for a Cost Management refusal, or None when the generic rules apply (429, 5xx, ...)."""
    if code in NOT_COLLECTABLE:
        return NotCollectable(NOT_COLLECTABLE[code])
    if code in NEXT_SCAN:
        return NotCollectable(NEXT_SCAN[code])
    if code in DENIED:
        return AccessDenied(DENIED[code], code=code)
    if status == 401 and code in ("", "401", "Unauthorized"):
        return NotCollectable(BARE_401)
    return None
