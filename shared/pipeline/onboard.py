"""Onboarding: shape, sign-in, per-subscription validation, then the customer, its secret and the first scan.

Nothing is stored on any refusal. The client secret goes only to the secret store (named from the opaque
customer id); it never reaches the customer row, a message, a log line, a response or an exception.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from shared.api.models import ClientSecretAuth, OnboardingRequest, parse_onboarding
from shared.api.responses import OnboardingAccepted, Validation
from shared.credentials import principal_object_id, sign_in
from shared.domain import Customer
from shared.errors import AccessDenied, PrincipalUnusable
from shared.pipeline.revalidate import ARG_REFUSED
from shared.pipeline.scan import request_scan
from shared.pipeline.validate_principal import refused_everywhere, usable_subscriptions, validate_principal
from shared.services import Services
from shared.storage.customers import new_api_key, new_customer_id
from shared.storage.retention import PurgeSubject

logger = logging.getLogger(__name__)


def validate_request(request: OnboardingRequest, services: Services) -> Validation:
    """Sign in to the customer's tenant and validate every subscription (InvalidInput when Entra refuses)."""
    credential = services.credentials.for_request(request)
    token = sign_in(credential, request.auth.mode)
    object_id = principal_object_id(token)
    try:
        return validate_principal(services.probe_for(credential), object_id, request.subscription_ids,
                                  services.clock())
    except AccessDenied as exc:
        # Resource Graph refusing outright means no read role anywhere: the same answer for every subscription.
        logger.info("resource graph refused the principal code=%s", exc.code)
        return refused_everywhere(object_id, request.subscription_ids, ARG_REFUSED, services.clock())


def _roll_back(services: Services, customer: Customer, secret_stored: bool) -> None:
    subject = PurgeSubject(customer.customer_id, customer.tenant_id)
    steps: list[Callable[[], object]] = [lambda: services.customers.delete(customer.customer_id),
                                         lambda: services.scans.delete_customer(subject)]
    if secret_stored:
        steps.append(lambda: services.secrets.delete(customer.customer_id))
    for step in steps:
        try:
            step()
        except Exception:  # the original failure is what the caller must see; this one is only logged
            logger.warning("roll-back step failed customer=%s", customer.customer_id, exc_info=True)


def onboard(body: bytes, services: Services) -> OnboardingAccepted:
    """Onboard from the raw request body: the 202 payload, or InvalidInput / PrincipalUnusable."""
    request = parse_onboarding(body)
    validation = validate_request(request, services)
    usable = usable_subscriptions(validation)
    if not usable:
        logger.info("onboarding refused: no usable subscription (asked %d)", len(request.subscription_ids))
        raise PrincipalUnusable(validation)
    secret = request.auth if isinstance(request.auth, ClientSecretAuth) else None
    customer = Customer(
        customer_id=new_customer_id(), company=request.company, contact_email=request.contact_email,
        tenant_id=request.tenant_id, auth_mode=request.auth.mode, client_id=secret.client_id if secret else None,
        subscription_ids=usable, schedule=request.schedule, state="active", state_reason=None,
        created_at=services.clock(), validation=validation.model_dump(mode="json"))
    api_key = new_api_key()
    try:
        if secret is not None:
            services.secrets.put(customer.customer_id, secret.client_secret.get_secret_value())
        services.customers.create(customer, api_key)
        services.blobs.create_container(customer.customer_id)  # the only place a customer container is made
        scan_id = request_scan(services, customer, "onboarding")
    except Exception:
        # Undo so a failed onboarding leaves nothing behind and can simply be sent again.
        logger.exception("onboarding failed after validation customer=%s; rolling back", customer.customer_id)
        _roll_back(services, customer, secret is not None)
        raise
    services.audit.record(customer.customer_id, "onboarded", {"auth_mode": customer.auth_mode,
                                                              "subscriptions": len(usable),
                                                              "first_scan_id": scan_id})
    logger.info("customer onboarded customer=%s usable=%d of %d scan=%s", customer.customer_id, len(usable),
                len(request.subscription_ids), scan_id)
    return OnboardingAccepted(customer_id=customer.customer_id, api_key=api_key, validation=validation,
                              first_scan_id=scan_id)
