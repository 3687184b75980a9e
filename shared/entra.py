"""Caleta's onboarding calls to Entra ID, behind one port: who signed in, and whether Caleta's app may sign in.

`EntraSignIn` is the real adapter over shared/auth (code redemption with Caleta's client assertion, then every
ID-token check) and shared/credentials (an app-only ARM token in the tenant, as the scans will get). Unit tests
hand the use cases a fake with the same two methods.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Literal, Protocol

from azure.core.credentials import TokenCredential
from azure.core.exceptions import ClientAuthenticationError

from shared.arm import ARM_SCOPE
from shared.auth.errors import EntraRefused, EntraUnavailable
from shared.auth.id_token import IdentityClaims, verify_id_token
from shared.auth.signin import app_client_id, redeem_code
from shared.collectors.errors import aadsts_code, operator_error
from shared.credentials import federated_credential

logger = logging.getLogger(__name__)

AppAccess = Literal["ok", "consent_needed", "disabled"]
# Caleta's app has no service principal in the tenant yet (700016), or its consent is missing (65001): the
# administrator's path is admin consent. 7000112: an administrator disabled the app in the tenant.
_CONSENT_NEEDED = frozenset({"700016", "65001"})
_DISABLED = frozenset({"7000112", "70001"})


class TenantSignIn(Protocol):
    """What onboarding asks Entra (shared.entra.EntraSignIn; fakes in tests)."""

    def identity(self, tenant_id: str, code: str, code_verifier: str, redirect_uri: str,
                 nonce: str) -> IdentityClaims:
        """Redeem the code and validate the ID token; EntraRefused, TokenRejected, EntraUnavailable,
        Misconfigured."""
        ...

    def app_access(self, tenant_id: str) -> AppAccess:
        """Whether Caleta's app can sign in to the tenant now; Misconfigured or EntraUnavailable otherwise."""
        ...


class EntraSignIn:
    """The real Entra: the authority and app from settings, Caleta's managed identity for the assertion."""

    def __init__(self, authority: str, caleta: Callable[[], TokenCredential]) -> None:
        self._authority = authority
        self._caleta = caleta

    def identity(self, tenant_id: str, code: str, code_verifier: str, redirect_uri: str,
                 nonce: str) -> IdentityClaims:
        """The signed-in user of an authorization code, every ID-token check passed."""
        try:
            id_token = redeem_code(tenant_id, code, code_verifier, redirect_uri, assertion_source=self._caleta())
        except EntraRefused as exc:
            misconfigured = operator_error(str(exc.aadsts) if exc.aadsts is not None else None)
            if misconfigured is not None:
                raise misconfigured from None
            raise
        return verify_id_token(id_token, tenant_id=tenant_id, client_id=app_client_id(), nonce=nonce)

    def app_access(self, tenant_id: str) -> AppAccess:
        """Try an app-only ARM token in the tenant, as every scan will."""
        credential = federated_credential(self._authority, app_client_id(), tenant_id, self._caleta())
        try:
            credential.get_token(ARM_SCOPE)
        except ClientAuthenticationError as exc:
            code = aadsts_code(str(exc.message or exc))
            misconfigured = operator_error(code)
            if misconfigured is not None:
                raise misconfigured from None
            if code in _CONSENT_NEEDED:
                return "consent_needed"
            if code in _DISABLED:
                return "disabled"
            logger.warning("Caleta's app could not sign in to the tenant code=%s", code)
            raise EntraUnavailable(f"Caleta's app could not sign in (AADSTS{code})") from None
        return "ok"
