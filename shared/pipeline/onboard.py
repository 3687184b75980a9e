"""Onboarding: shape, sign-in, per-subscription validation, then the customer, its secret and the first scan.

Nothing is stored on any refusal. The client secret goes only to the secret store (named from the opaque
customer id); it never reaches the customer row, a message, a log line, a response or an exception.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from azure.core.credentials import TokenCredential

from shared.api.models import ClientSecretAuth, OnboardingRequest, parse_onboarding
from shared.credentials import federated_credential, principal_object_id, secret_credential, sign_in
from shared.errors import AccessDenied, ValidationFailed
from shared.pipeline.validate_principal import AzurePrincipalProbe, PrincipalProbe, validate_principal
from shared.secrets import SecretStore, secret_name
from shared.storage import customers
from shared.storage.customers import Customer, EntityTable

logger = logging.getLogger(__name__)


class PrincipalUnusable(ValidationFailed):
    """The principal can read none of the subscriptions: answered 422 with the validation."""

    def __init__(self, validation: dict[str, Any]) -> None:
        super().__init__("the principal cannot read any of the subscriptions")
        self.validation = validation


@dataclass
class OnboardingDeps:
    """Everything onboarding touches, so tests can hand in fakes."""

    credential_for: Callable[[OnboardingRequest], TokenCredential]
    probe_for: Callable[[TokenCredential], PrincipalProbe]
    secrets: Callable[[], SecretStore]
    request_scan: Callable[[Customer, str], str]
    customer_table: EntityTable | None = None
    # The audit log (shared.audit.record); None in tests that do not look at it.
    audit: Callable[[str, str, dict[str, Any]], None] | None = None
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)


def request_credential(request: OnboardingRequest) -> TokenCredential:
    """The credential the request describes (the secret is read from the request, never stored here)."""
    if isinstance(request.auth, ClientSecretAuth):
        return secret_credential(request.tenant_id, request.auth.client_id,
                                 request.auth.client_secret.get_secret_value())
    return federated_credential(request.tenant_id)


def _request_scan(customer: Customer, reason: str) -> str:
    from shared.pipeline.scan import request_scan

    return request_scan(customer, reason)


def _secrets() -> SecretStore:
    from shared.secrets import secret_store

    return secret_store()


def default_deps() -> OnboardingDeps:
    """The real adapters, built from settings."""
    from shared.audit import record

    return OnboardingDeps(credential_for=request_credential, probe_for=AzurePrincipalProbe, secrets=_secrets,
                          request_scan=_request_scan, audit=record)


def _refused_everywhere(object_id: str, subscription_ids: list[str], reason: str, now: dt.datetime) -> dict[str, Any]:
    return {"principal_object_id": object_id, "validated_at": now.isoformat(),
            "subscriptions": [{"subscription_id": s, "ok": False, "display_name": None, "offer": None,
                               "roles_found": [], "missing": ["Reader", "Cost Management Reader"], "excess": [],
                               "notes": [reason]} for s in subscription_ids]}


def validate_request(request: OnboardingRequest, deps: OnboardingDeps) -> dict[str, Any]:
    """Sign in to the customer's tenant and validate every subscription (InvalidInput when Entra refuses)."""
    credential = deps.credential_for(request)
    token = sign_in(credential, request.auth.mode)
    object_id = principal_object_id(token)
    try:
        return validate_principal(deps.probe_for(credential), object_id, request.subscription_ids, deps.clock())
    except AccessDenied as exc:
        # Resource Graph refusing outright means no read role anywhere: the same answer for every subscription.
        logger.info("resource graph refused the principal code=%s", exc.code)
        return _refused_everywhere(object_id, request.subscription_ids,
                                   "Resource Graph refused the principal: assign Reader on the subscription.",
                                   deps.clock())


def _roll_back(customer_id: str, deps: OnboardingDeps, store: SecretStore | None) -> None:
    steps: list[Callable[[], None]] = [lambda: customers.delete_customer(customer_id, store=deps.customer_table)]
    if store is not None:
        steps.append(lambda: store.delete(secret_name(customer_id)))
    for step in steps:
        try:
            step()
        except Exception:  # the original failure is what the caller must see; this one is only logged
            logger.warning("roll-back step failed customer=%s", customer_id, exc_info=True)


def onboard(body: bytes, deps: OnboardingDeps | None = None) -> dict[str, Any]:
    """Onboard from the raw request body: the 202 payload, or InvalidInput / PrincipalUnusable."""
    d = deps or default_deps()
    request = parse_onboarding(body)
    validation = validate_request(request, d)
    usable = tuple(s["subscription_id"] for s in validation["subscriptions"] if s["ok"])
    if not usable:
        logger.info("onboarding refused: no usable subscription (asked %d)", len(request.subscription_ids))
        raise PrincipalUnusable(validation)
    customer = Customer(
        customer_id=customers.new_customer_id(), company=request.company, contact_email=request.contact_email,
        tenant_id=request.tenant_id, auth_mode=request.auth.mode,
        client_id=request.auth.client_id if isinstance(request.auth, ClientSecretAuth) else None,
        subscription_ids=usable, schedule=request.schedule, state="active", state_reason=None,
        created_at=d.clock(), validation=validation)
    api_key = customers.new_api_key()
    store = d.secrets() if isinstance(request.auth, ClientSecretAuth) else None
    try:
        if store is not None and isinstance(request.auth, ClientSecretAuth):
            store.set(secret_name(customer.customer_id), request.auth.client_secret.get_secret_value())
        customers.create_customer(customer, api_key, store=d.customer_table)
        scan_id = d.request_scan(customer, "onboarding")
    except Exception:
        # Undo so a failed onboarding leaves nothing behind and can simply be sent again.
        logger.exception("onboarding failed after validation customer=%s; rolling back", customer.customer_id)
        _roll_back(customer.customer_id, d, store)
        raise
    if d.audit is not None:
        d.audit(customer.customer_id, "onboarded", {"auth_mode": customer.auth_mode, "subscriptions": len(usable),
                                                    "first_scan_id": scan_id})
    logger.info("customer onboarded customer=%s usable=%d of %d scan=%s", customer.customer_id, len(usable),
                len(request.subscription_ids), scan_id)
    return {"customer_id": customer.customer_id, "api_key": api_key, "validation": validation,
            "first_scan_id": scan_id}


def revalidate_customer(customer: Customer, deps: OnboardingDeps | None = None,
                        credential: TokenCredential | None = None) -> dict[str, Any]:
    """Validate an existing customer's principal again (its stored credential) and record the result.

    The customer's subscriptions become the ones that passed; raises InvalidInput when Entra refuses the
    sign-in and PrincipalUnusable when none passes (the record is then left as it was).
    """
    from shared.credentials import customer_credential

    d = deps or default_deps()
    cred = credential or customer_credential(customer)
    object_id = principal_object_id(sign_in(cred, customer.auth_mode))
    # Every subscription asked for at onboarding is judged again, so a fixed role brings one back in.
    asked = [s["subscription_id"] for s in customer.validation.get("subscriptions", [])] or list(
        customer.subscription_ids)
    try:
        validation = validate_principal(d.probe_for(cred), object_id, asked, d.clock())
    except AccessDenied:
        validation = _refused_everywhere(object_id, asked,
                                         "Resource Graph refused the principal: assign Reader on the subscription.",
                                         d.clock())
    usable = tuple(s["subscription_id"] for s in validation["subscriptions"] if s["ok"])
    if not usable:
        raise PrincipalUnusable(validation)
    customers.update_validation(customer.customer_id, validation, usable, store=d.customer_table)
    logger.info("customer revalidated customer=%s usable=%d of %d", customer.customer_id, len(usable), len(asked))
    return validation
