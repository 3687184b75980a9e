"""Credentials for a customer's tenant, and Entra sign-in errors turned into plain explanations.

federated: Caleta's multi-tenant app, signed in with a client assertion minted by Caleta's managed identity.
client_secret: the customer's own service principal; the secret comes from the secret store only.
Both go to the configured authority host with instance discovery off, so one code path serves Azure and
local/. `Credentials` is the factory the composition root builds; the AADSTS table is shared with the
pipeline (shared/collectors/errors.py).
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from azure.core.credentials import TokenCredential
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import ClientAssertionCredential, ClientSecretCredential

from shared.api.models import ClientSecretAuth, OnboardingRequest
from shared.arm import ARM_SCOPE
from shared.auth.assertion import federation_assertion
from shared.collectors.errors import AADSTS, aadsts_code, operator_error
from shared.domain import Customer
from shared.errors import AccessDenied, InvalidInput
from shared.storage.secrets import CustomerSecrets

logger = logging.getLogger(__name__)



@dataclass(frozen=True)
class SignInProblem:
    """Why Entra refused the principal: the AADSTS code, a plain reason and the request field to blame."""

    code: str | None
    reason: str
    field: str


def explain_sign_in_error(exc: ClientAuthenticationError, auth_mode: str) -> SignInProblem:
    """Turn an Entra refusal into a plain reason naming the request field to fix (no secret in it)."""
    text = str(exc.message or exc)
    code = aadsts_code(text)
    refusal = AADSTS.get(code or "")
    if refusal is not None:
        reason, field = refusal.reason, refusal.field
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


def secret_credential(authority: str, tenant_id: str, client_id: str, client_secret: str) -> TokenCredential:
    """A credential for the customer's own service principal."""
    return ClientSecretCredential(tenant_id, client_id, client_secret, authority=authority,
                                  disable_instance_discovery=True)


def federated_credential(authority: str, app_client_id: str | None, tenant_id: str,
                         assertion_source: TokenCredential) -> TokenCredential:
    """A credential for Caleta's multi-tenant app in the customer's tenant, asserted by Caleta's identity."""
    if not app_client_id:
        raise RuntimeError("CALETA_APP_CLIENT_ID is not set: federated mode is unavailable")

    def assertion() -> str:
        # Called for every new token, so the assertion is always fresh.
        return federation_assertion(assertion_source)

    # ClientAssertionCredential has no instance discovery (it is not MSAL-based): the authority is used as is.
    return ClientAssertionCredential(tenant_id, app_client_id, assertion, authority=authority)


class Credentials:
    """The credential factory: a customer's credential from its record, or an onboarding request's."""

    def __init__(self, authority: str, app_client_id: str | None, secrets: CustomerSecrets,
                 caleta: Callable[[], TokenCredential]) -> None:
        self._authority, self._app_client_id = authority, app_client_id
        self._secrets, self._caleta = secrets, caleta

    def for_customer(self, customer: Customer) -> TokenCredential:
        """An ARM credential for the customer's tenant (the secret, if any, read from the secret store)."""
        if customer.auth_mode == "federated":
            return federated_credential(self._authority, self._app_client_id, customer.tenant_id, self._caleta())
        if not customer.client_id:
            raise AccessDenied("the customer has no client id on record")
        secret = self._secrets.get(customer.customer_id)
        return secret_credential(self._authority, customer.tenant_id, customer.client_id, secret)

    def for_new_secret(self, customer: Customer, client_secret: str) -> TokenCredential:
        """The customer's own principal with a replacement secret, before it is stored (PUT …/credential)."""
        if customer.auth_mode != "client_secret" or not customer.client_id:
            raise AccessDenied("the customer signs in without a client secret")
        return secret_credential(self._authority, customer.tenant_id, customer.client_id, client_secret)

    def for_request(self, request: OnboardingRequest) -> TokenCredential:
        """The credential an onboarding request describes (the secret is read from the request, never stored)."""
        if isinstance(request.auth, ClientSecretAuth):
            return secret_credential(self._authority, request.tenant_id, request.auth.client_id,
                                     request.auth.client_secret.get_secret_value())
        return federated_credential(self._authority, self._app_client_id, request.tenant_id, self._caleta())


def sign_in(credential: TokenCredential, auth_mode: str) -> str:
    """An ARM access token; InvalidInput naming the field to fix when Entra refuses the principal, Misconfigured
    when it refuses Caleta's own federated credential."""
    try:
        return credential.get_token(ARM_SCOPE).token
    except ClientAuthenticationError as exc:
        # Caleta's own federated credential refused: an operator error (503 and an alert), not the customer's.
        misconfigured = operator_error(aadsts_code(str(exc.message or exc)))
        if misconfigured is not None:
            raise misconfigured from None
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
