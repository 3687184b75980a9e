"""Revocation and re-validation: the customer's access state and what follows from it.

`mark_access_revoked` is called by the pipeline at the first refusal (AADSTS, 401/403 from ARM): the
customer moves active -> access_revoked with the plain reason, and the audit log and the contact hear of it
once (the one caller that made the move). `revalidate` (POST /api/customers/{id}/validate) checks the
principal again with onboarding's verdict: active when any subscription is readable, else awaiting_roles with
the role re-checks (shared/pipeline/awaiting_roles.py) started again.
"""

from __future__ import annotations

import logging

from shared.api.responses import Revalidated, Validation
from shared.credentials import principal_object_id, sign_in
from shared.deadline import Deadline
from shared.domain import Customer, CustomerState
from shared.errors import AccessDenied, Conflict, PrincipalUnusable
from shared.notify import emails, send_quietly
from shared.pipeline.scan import request_scan
from shared.pipeline.validate_principal import DEFAULT_DEADLINE_SECONDS, refused_everywhere, validate_principal
from shared.services import Services

logger = logging.getLogger(__name__)

ARG_REFUSED = "Resource Graph refused the principal: assign Reader on the subscription."
# POST …/validate sits behind the same front door as onboarding (Cloudflare's 100 s): the same budget.
VALIDATE_DEADLINE_SECONDS = DEFAULT_DEADLINE_SECONDS


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


def _validate_again(services: Services, customer: Customer) -> Validation:
    """The verdict on every subscription asked for at onboarding (so a fixed role brings one back in)."""
    cred = services.credentials.for_customer(customer)
    object_id = principal_object_id(sign_in(cred, customer.auth_mode))
    asked = [s["subscription_id"] for s in customer.validation.get("subscriptions", [])] or list(
        customer.subscription_ids)
    try:
        return validate_principal(services.probe_for(cred), object_id, asked, services.clock(),
                                  deadline=Deadline.within(VALIDATE_DEADLINE_SECONDS))
    except AccessDenied:
        return refused_everywhere(object_id, asked, ARG_REFUSED, services.clock())


def revalidate_customer(services: Services, customer: Customer) -> Validation:
    """Validate an existing customer's principal again (its stored credential) and record the result.

    The customer's subscriptions become the ones that passed; raises InvalidInput when Entra refuses the
    sign-in and PrincipalUnusable when none passes (the record is then left as it was).
    """
    validation = _validate_again(services, customer)
    if not validation.usable:
        raise PrincipalUnusable(validation)
    services.customers.update_validation(customer.customer_id, validation.model_dump(mode="json"), validation.usable)
    logger.info("customer revalidated customer=%s usable=%d of %d", customer.customer_id, len(validation.usable),
                len(validation.subscriptions))
    return validation


def revalidate(services: Services, customer: Customer) -> Revalidated:
    """POST …/validate: the same verdict as onboarding. Any subscription readable → active (an awaiting customer's
    first scan starts); none readable → awaiting_roles and the re-checks start again (an active customer is
    refused with the validation instead, and left as it was). Conflict when leaving or changed meanwhile."""
    if customer.is_leaving:
        raise Conflict(f"the customer is {customer.state}")
    validation = _validate_again(services, customer)
    target: CustomerState = "active" if validation.usable else "awaiting_roles"
    if target == "awaiting_roles" and customer.is_active:
        raise PrincipalUnusable(validation)
    if not services.customers.record_role_check(
            customer.customer_id, checked_at=customer.validation.get("validated_at"),
            validation=validation.model_dump(mode="json"), subscription_ids=validation.usable,
            allowed_from={customer.state}, to=None if customer.state == target else target):
        raise Conflict("the customer's record changed meanwhile; try again")
    scan_id = None
    if customer.state == "awaiting_roles" and target == "active":
        scan_id = request_scan(services, services.customers.get(customer.customer_id), "roles_visible")
    services.audit.record(customer.customer_id, "validated", {"usable_subscriptions": len(validation.usable),
                                                              "previous_state": customer.state})
    logger.info("customer re-validated customer=%s usable=%d state=%s", customer.customer_id,
                len(validation.usable), target)
    return Revalidated(state=target, validation=validation, scan_id=scan_id)
