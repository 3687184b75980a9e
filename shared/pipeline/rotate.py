"""Credential rotation without offboarding (finding 5): a new API key, or a replacement client secret.

- API key: a new key replaces the hash under ETag, only while the key the caller presented is still the
  stored one; the new key is answered once and the old one stops at once.
- Client secret: the new secret is validated first by signing in with it (nothing is stored on a refusal),
  then stored under a new name, put in use, and the old name deleted and purged from Key Vault
  (shared/storage/secrets.py). A customer in `access_revoked` (an expired secret) is re-validated at once.

Both are audited, refused once the customer is leaving, and shown on the account page (`credential_status`).
The secret write is checked against the purge like every other write (shared/pipeline/guard.py).
"""

from __future__ import annotations

import logging
from typing import Any

from shared.api.rotation import ApiKeyRotated, CredentialReplaced, parse_replacement
from shared.credentials import sign_in
from shared.domain import Customer
from shared.errors import CaletaError, Conflict, InvalidInput, NotFound
from shared.pipeline.guard import write_checked
from shared.pipeline.revalidate import revalidate
from shared.services import Services
from shared.storage.customers import hash_api_key, new_api_key

logger = logging.getLogger(__name__)


def _not_leaving(customer: Customer) -> None:
    if customer.is_leaving:
        raise Conflict(f"the customer is {customer.state}")


def rotate_api_key(services: Services, customer: Customer, presented_key: str) -> ApiKeyRotated:
    """Replace the customer's API key; the new key (shown once). NotFound when the presented key is no longer
    the stored one (another rotation won), Conflict once the customer is leaving."""
    _not_leaving(customer)
    new_key, now = new_api_key(), services.clock()
    if not services.customers.credentials.replace_key_hash(customer.customer_id, hash_api_key(presented_key),
                                                           hash_api_key(new_key), now):
        raise NotFound("no such customer")
    services.audit.record(customer.customer_id, "api_key_rotated")
    logger.info("api key rotated customer=%s", customer.customer_id)
    return ApiKeyRotated(api_key=new_key, rotated_at=now.isoformat())


def _validated(services: Services, customer: Customer, secret: str) -> None:
    """Sign in with the new secret; InvalidInput naming `client_secret` with Entra's reason when refused."""
    try:
        sign_in(services.credentials.for_new_secret(customer, secret), "client_secret")
    except InvalidInput as exc:
        raise InvalidInput({"client_secret": "; ".join(exc.fields.values())}) from None


def replace_client_secret(services: Services, customer: Customer, body: bytes) -> CredentialReplaced:
    """Validate, then store the new client secret and retire the old one; the customer's state after it."""
    secret = parse_replacement(body)
    _not_leaving(customer)
    if customer.auth_mode != "client_secret":
        raise Conflict("the customer signs in with Caleta's app (federated): there is no client secret to replace")
    _validated(services, customer, secret)
    now = services.clock()
    cid = customer.customer_id
    name = write_checked(services, cid, lambda: services.secrets.replace(cid, secret, now),
                         services.secrets.store.delete)
    if name is None:
        raise Conflict("the customer is offboarding")
    services.audit.record(cid, "client_secret_replaced", {"credential": len(services.secrets.names(cid))})
    logger.info("client secret replaced customer=%s", cid)
    state = customer.state
    if state == "access_revoked":
        try:
            state = revalidate(services, services.customers.get(cid)).state
        except CaletaError as exc:  # the secret is stored either way; the account page shows the state
            logger.info("re-validation after the secret was replaced did not restore access: %s", type(exc).__name__)
    return CredentialReplaced(state=state, replaced_at=now.isoformat())


def credential_status(services: Services, customer: Customer) -> dict[str, Any]:
    """When the API key was last rotated and the client secret last replaced (the account page shows them)."""
    return {"auth_mode": customer.auth_mode, **services.customers.credentials.changed_at(customer.customer_id)}
