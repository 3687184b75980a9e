"""Revocation and re-validation: the customer's access state and what follows from it.

`mark_access_revoked` is called by the pipeline at the first refusal (AADSTS, 401/403 from ARM): the
customer moves active -> access_revoked with the plain reason, and the audit log and the contact hear of it
once (the one caller that made the move). `revalidate` (POST /api/customers/{id}/validate) checks the
principal again and, when any subscription passes, makes the customer active again.
"""

from __future__ import annotations

import logging

from shared.api.responses import Revalidated, Validation
from shared.credentials import principal_object_id, sign_in
from shared.domain import Customer
from shared.errors import AccessDenied, Conflict, PrincipalUnusable
from shared.notify import emails, send_quietly
from shared.pipeline.validate_principal import refused_everywhere, usable_subscriptions, validate_principal
from shared.services import Services

logger = logging.getLogger(__name__)

ARG_REFUSED = "Resource Graph refused the principal: assign Reader on the subscription."


def mark_access_revoked(services: Services, customer_id: str, reason: str) -> bool:
    """Record the revocation; True for the call that moved the customer (audit + e-mail happen once)."""
    # Already revoked (another task got there first), or leaving: nothing to announce again.
    if not services.customers.transition(customer_id, {"active"}, "access_revoked", reason):
        return False
    customer = services.customers.get(customer_id)
    services.audit.record(customer_id, "access_revoked", {"reason": reason})
    send_quietly(emails.access_revoked(customer.contact_email, customer_id, reason), services.notifier)
    logger.warning("customer access revoked customer=%s", customer_id)
    return True


def revalidate_customer(services: Services, customer: Customer) -> Validation:
    """Validate an existing customer's principal again (its stored credential) and record the result.

    The customer's subscriptions become the ones that passed; raises InvalidInput when Entra refuses the
    sign-in and PrincipalUnusable when none passes (the record is then left as it was).
    """
    cred = services.credentials.for_customer(customer)
    object_id = principal_object_id(sign_in(cred, customer.auth_mode))
    # Every subscription asked for at onboarding is judged again, so a fixed role brings one back in.
    asked = [s["subscription_id"] for s in customer.validation.get("subscriptions", [])] or list(
        customer.subscription_ids)
    try:
        validation = validate_principal(services.probe_for(cred), object_id, asked, services.clock())
    except AccessDenied:
        validation = refused_everywhere(object_id, asked, ARG_REFUSED, services.clock())
    usable = usable_subscriptions(validation)
    if not usable:
        raise PrincipalUnusable(validation)
    services.customers.update_validation(customer.customer_id, validation.model_dump(mode="json"), usable)
    logger.info("customer revalidated customer=%s usable=%d of %d", customer.customer_id, len(usable), len(asked))
    return validation


def revalidate(services: Services, customer: Customer) -> Revalidated:
    """Validate the principal again; active again when any subscription passes. Conflict when leaving."""
    if customer.is_leaving:
        raise Conflict(f"the customer is {customer.state}")
    validation = revalidate_customer(services, customer)
    usable = len(usable_subscriptions(validation))
    if not customer.is_active and not services.customers.transition(
            customer.customer_id, {"access_revoked", "awaiting_roles"}, "active", None):
        raise Conflict("the customer's state changed meanwhile")
    services.audit.record(customer.customer_id, "validated", {"usable_subscriptions": usable,
                                                              "previous_state": customer.state})
    logger.info("customer re-validated customer=%s usable=%d", customer.customer_id, usable)
    return Revalidated(state="active", validation=validation)
