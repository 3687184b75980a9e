"""Credentials for a customer's tenant, and Entra sign-in errors turned into plain explanations.

federated: Caleta's multi-tenant app, signed in with a client assertion minted by Caleta's managed identity.
client_secret: the customer's own service principal; the secret comes from the secret store only.
Both go to settings.authority_host with instance discovery off, so one code path serves Azure and local/.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from azure.core.credentials import TokenCredential
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import ClientAssertionCredential, ClientSecretCredential

from shared.arm import ARM_SCOPE
from shared.auth.assertion import federation_assertion
from shared.config import get_settings
from shared.errors import AccessDenied, InvalidInput

if TYPE_CHECKING:
    from shared.secrets import SecretStore
    from shared.storage.customers import Customer

logger = logging.getLogger(__name__)

_AADSTS = re.compile(r"AADSTS(\d+)")


@dataclass(frozen=True)
class SignInProblem:
    """Why Entra refused the principal: the AADSTS code, a plain reason and the request field to blame."""

    code: str | None
    reason: str
    field: str


# Codes from the Entra error reference; matched on the number, never on the text (which changes).
_EXPLANATIONS: dict[str, tuple[str, str]] = {
    "7000215": ("wrong secret: the client secret is not valid for this application (send the secret's "
                "value, not its id)", "auth.client_secret"),
    "7000222": ("expired secret: create a new client secret for the application", "auth.client_secret"),
    "700016": ("application not found in this tenant: check the client id, or have an administrator "
               "consent to the application in this tenant", "auth.client_id"),
    "700011": ("application not found in this tenant", "auth.client_id"),
    "90002": ("tenant not found: check the tenant id", "tenant_id"),
    "900023": ("tenant not found: the tenant id is not valid", "tenant_id"),
    "70001": ("principal disabled: the application is disabled in this tenant", "auth.client_id"),
    "7000112": ("principal disabled: the application is disabled in this tenant", "auth.client_id"),
    "65001": ("consent not granted: an administrator must consent to the application in this tenant",
              "auth.client_id"),
    "700027": ("the client assertion was refused: Caleta's federated credential is not trusted", "auth.mode"),
    "70021": ("the client assertion was refused: no matching federated identity credential", "auth.mode"),
}


def explain_sign_in_error(exc: ClientAuthenticationError, auth_mode: str) -> SignInProblem:
    """Turn an Entra refusal into a plain reason naming the request field to fix (no secret in it)."""
    text = str(exc.message or exc)
    match = _AADSTS.search(text)
    code = match.group(1) if match else None
    if code in _EXPLANATIONS:
        reason, field = _EXPLANATIONS[code]
    elif "unable to get authority configuration" in text.lower():
        # MSAL's discovery of a tenant Entra does not know fails before any AADSTS code comes back.
        reason, field = "tenant not found: check the tenant id", "tenant_id"
    elif "disabled" in text.lower():
        reason, field = "principal disabled: the application is disabled in this tenant", "auth.client_id"
    else:
        reason, field = "the tenant refused the sign-in", "auth"
    if auth_mode == "federated" and field.startswith("auth.client"):
        field = "auth.mode"
    return SignInProblem(code=code, reason=f"{reason} (AADSTS{code})" if code else reason, field=field)


def _authority() -> str:
    return get_settings().authority_host


def secret_credential(tenant_id: str, client_id: str, client_secret: str) -> TokenCredential:
    """A credential for the customer's own service principal."""
    return ClientSecretCredential(tenant_id, client_id, client_secret, authority=_authority(),
                                  disable_instance_discovery=True)


def federated_credential(tenant_id: str, assertion_source: TokenCredential | None = None) -> TokenCredential:
    """A credential for Caleta's multi-tenant app in the customer's tenant, asserted by Caleta's identity."""
    settings = get_settings()
    if not settings.caleta_app_client_id:
        raise RuntimeError("CALETA_APP_CLIENT_ID is not set: federated mode is unavailable")
    if assertion_source is None:
        from shared.identity import caleta_credential

        assertion_source = caleta_credential()
    source = assertion_source

    def assertion() -> str:
        # Called for every new token, so the assertion is always fresh.
        return federation_assertion(source)

    # ClientAssertionCredential has no instance discovery (it is not MSAL-based): the authority is used as is.
    return ClientAssertionCredential(tenant_id, settings.caleta_app_client_id, assertion, authority=_authority())


def customer_credential(customer: Customer, *, store: SecretStore | None = None) -> TokenCredential:
    """An ARM credential for the customer's tenant (the secret, if any, read from the secret store)."""
    if customer.auth_mode == "federated":
        return federated_credential(customer.tenant_id)
    if not customer.client_id:
        raise AccessDenied("the customer has no client id on record")
    from shared.secrets import secret_name, secret_store

    secret = (store or secret_store()).get(secret_name(customer.customer_id))
    return secret_credential(customer.tenant_id, customer.client_id, secret)


def sign_in(credential: TokenCredential, auth_mode: str) -> str:
    """An ARM access token, or InvalidInput naming the field to fix when Entra refuses the principal."""
    try:
        return credential.get_token(ARM_SCOPE).token
    except ClientAuthenticationError as exc:
        problem = explain_sign_in_error(exc, auth_mode)
        logger.info("customer sign-in refused code=%s", problem.code)
        raise InvalidInput({problem.field: problem.reason}) from None


def token_claims(access_token: str) -> dict[str, Any]:
    """The JWT payload, unverified: the token came straight from Entra over TLS and is only read, not trusted
    for authorisation (ARM checks it)."""
    try:
        payload = access_token.split(".")[1]
        padded = payload + "=" * (-len(payload) % 4)
        claims = json.loads(base64.urlsafe_b64decode(padded))
    except (IndexError, ValueError, binascii.Error):
        raise ValueError("the access token is not a JWT") from None
    if not isinstance(claims, dict):
        raise ValueError("the access token payload is not an object")
    return claims


def principal_object_id(access_token: str) -> str:
    """The service principal's object id in the customer's tenant (the token's `oid` claim)."""
    oid = token_claims(access_token).get("oid")
    if not isinstance(oid, str) or not oid:
        raise ValueError("the access token has no oid claim")
    return oid
