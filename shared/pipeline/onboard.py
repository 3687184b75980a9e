"""Onboarding: the proof, then the customer row first, the secret, validation within a deadline, the key, a scan.

docs/onboarding-design.md section 4. Nothing is stored before the proof holds: a refused handle, a wrong
secret or a malformed body leaves no row. From the proof on, every artefact is reachable from the customer
row, which is written first in `pending_proof` (finding 8): the client secret is named from its id, so is
its container, its scans and audit events are in its partitions. A crash at any later point leaves a row
the backstop sweeps after an hour (with everything named from it); a failure rolls back at once. The secret
never reaches the customer row, a message, a log line, a response or an exception.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from azure.core.credentials import TokenCredential

from shared.api.models import ClientSecretAuth, FederatedAuth, OnboardingRequest, parse_onboarding
from shared.api.responses import OnboardingAccepted, SubscriptionValidation, Validation
from shared.auth.signin import public_uri
from shared.credentials import principal_object_id, sign_in
from shared.domain import Customer, CustomerState
from shared.errors import AccessDenied, InvalidInput
from shared.notify import emails, send_quietly
from shared.pipeline.revalidate import ARG_REFUSED
from shared.pipeline.scan import request_scan
from shared.pipeline.throttle import admit_address, check_tenant, record_tenant_failure
from shared.pipeline.validate_principal import refused_everywhere, validate_principal
from shared.services import Services
from shared.storage.customers import new_api_key, new_customer_id
from shared.storage.retention import PurgeSubject

logger = logging.getLogger(__name__)

PROOF_REFUSED = ("not a valid sign-in for this tenant (each lasts 10 minutes and is used once): sign in with "
                 "Microsoft again")


def prove(request: OnboardingRequest, services: Services) -> tuple[TokenCredential, str]:
    """The proof of control of the tenant, then Caleta's sign-in to it: (credential, principal object id).

    Federated: the one-time handle of a verified administrator's sign-in. Client secret: the secret itself,
    tried only while the tenant has failed attempts left. A refusal counts against the tenant (InvalidInput, or
    RateLimited once the tenant's hour of failures is spent).
    """
    if isinstance(request.auth, FederatedAuth):
        check = services.proofs.consume(request.auth.proof, request.tenant_id, services.clock())
        if not check.ok:
            logger.info("onboarding refused: proof handle %s", check.refusal)
            record_tenant_failure(services, request.tenant_id)
            check_tenant(services, request.tenant_id)
            raise InvalidInput({"auth.proof": PROOF_REFUSED})
    else:
        check_tenant(services, request.tenant_id)
    credential = services.credentials.for_request(request)
    try:
        token = sign_in(credential, request.auth.mode)
    except InvalidInput:
        if isinstance(request.auth, ClientSecretAuth):
            record_tenant_failure(services, request.tenant_id)
        raise
    return credential, principal_object_id(token)


def _validate(request: OnboardingRequest, services: Services, credential: TokenCredential, object_id: str,
              deadline: float) -> Validation:
    probe = services.probe_for(credential)
    try:
        return validate_principal(probe, object_id, request.subscription_ids, services.clock(), deadline=deadline)
    except AccessDenied as exc:
        # Resource Graph refusing outright means no read role visible yet: the same answer for every subscription.
        logger.info("resource graph refused the principal code=%s", exc.code)
        return refused_everywhere(object_id, request.subscription_ids, ARG_REFUSED, services.clock())


def validate_request(request: OnboardingRequest, services: Services) -> Validation:
    """Sign in as the request describes and validate every subscription; stores nothing and checks no proof
    (`onboard` proves first). InvalidInput when Entra refuses the sign-in."""
    credential = services.credentials.for_request(request)
    object_id = principal_object_id(sign_in(credential, request.auth.mode))
    deadline = time.monotonic() + services.onboarding_limits.deadline_seconds
    return _validate(request, services, credential, object_id, deadline)


def readable(sub: SubscriptionValidation) -> bool:
    """Whether the subscription can be scanned now."""
    return sub.status == "ok"


def _roll_back(services: Services, customer: Customer) -> None:
    subject = PurgeSubject(customer.customer_id, customer.tenant_id)
    steps: list[Callable[[], object]] = [lambda: services.scans.delete_customer(subject),
                                         lambda: services.blobs.delete_customer(subject),
                                         lambda: services.secrets.delete(customer.customer_id),
                                         lambda: services.customers.delete(customer.customer_id)]
    for step in steps:
        try:
            step()
        except Exception:  # the original failure is what the caller must see; this one is only logged
            logger.warning("roll-back step failed customer=%s", customer.customer_id, exc_info=True)


def _tell_existing(services: Services, existing: list[Customer], auth_mode: str) -> None:
    for other in existing:
        services.audit.record(other.customer_id, "tenant_onboarded_again", {"auth_mode": auth_mode})
        send_quietly(emails.tenant_onboarded_again(other.contact_email, other.customer_id, services.clock(),
                                                   auth_mode), services.notifier)


def onboard(body: bytes, services: Services, address: str | None = None) -> OnboardingAccepted:
    """Onboard from the raw request body: the 202 payload, or InvalidInput / RateLimited / a 503 error."""
    deadline = time.monotonic() + services.onboarding_limits.deadline_seconds
    request = parse_onboarding(body)
    admit_address(services, address)
    credential, object_id = prove(request, services)
    existing = [c for c in services.customers.for_tenant(request.tenant_id) if not c.is_leaving]
    secret = request.auth if isinstance(request.auth, ClientSecretAuth) else None
    customer = Customer(
        customer_id=new_customer_id(), company=request.company, contact_email=request.contact_email,
        tenant_id=request.tenant_id, auth_mode=request.auth.mode, client_id=secret.client_id if secret else None,
        subscription_ids=tuple(request.subscription_ids), schedule=request.schedule, state="pending_proof",
        state_reason=None, created_at=services.clock())
    try:
        services.customers.create(customer, None)
        if secret is not None:
            services.secrets.put(customer.customer_id, secret.client_secret.get_secret_value())
        services.blobs.create_container(customer.customer_id)  # the only place a customer container is made
        validation = _validate(request, services, credential, object_id, deadline)
        usable = tuple(s.subscription_id for s in validation.subscriptions if readable(s))
        state: CustomerState = "active" if usable else "awaiting_roles"
        api_key = new_api_key()
        customer = services.customers.complete_onboarding(customer.customer_id, state, api_key,
                                                          validation.model_dump(mode="json"),
                                                          usable or customer.subscription_ids)
        scan_id = request_scan(services, customer, "onboarding") if state == "active" else None
    except Exception:
        # Undo so a failed onboarding leaves nothing behind and can simply be sent again (with a new proof).
        logger.exception("onboarding failed after the proof customer=%s; rolling back", customer.customer_id)
        _roll_back(services, customer)
        raise
    services.audit.record(customer.customer_id, "onboarded", {"auth_mode": customer.auth_mode, "state": state,
                                                              "subscriptions": len(usable),
                                                              "first_scan_id": scan_id or ""})
    _tell_existing(services, existing, customer.auth_mode)
    logger.info("customer onboarded customer=%s state=%s usable=%d of %d scan=%s", customer.customer_id, state,
                len(usable), len(request.subscription_ids), scan_id)
    return OnboardingAccepted(customer_id=customer.customer_id, api_key=api_key, state=state,
                              validation=validation, first_scan_id=scan_id,
                              status_url=public_uri(f"/api/customers/{customer.customer_id}"))
