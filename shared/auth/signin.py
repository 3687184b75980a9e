"""Caleta's side of the OpenID Connect authorization-code flow (with PKCE and a nonce) and of admin consent.

docs/onboarding-design.md §2. The authorize request carries a random state (CSRF and session key), a nonce
(bound into the ID token) and an S256 PKCE challenge (RFC 7636); the code is redeemed by a plain form POST
through azure-core (shared/auth/http.py) with Caleta's managed-identity assertion as client authentication
(v2-oauth2-auth-code-flow.md; the assertion as for ARM). Not MSAL: its auth-code flow keeps its own state,
nonce and verifier in a dict the caller must hold between requests, where Caleta keeps them hashed in a
table, and its token cache would hold customer users' tokens in memory for nothing.
Entra's error answers become EntraRefused with the AADSTS number; the description text is never kept.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from azure.core.credentials import TokenCredential
from azure.core.exceptions import AzureError

from shared.auth.assertion import federation_assertion
from shared.auth.endpoints import authorize_url, canonical_tenant, token_url
from shared.auth.errors import EntraRefused, EntraUnavailable, error_word
from shared.auth.http import post_form
from shared.config import get_settings
from shared.errors import InvalidInput

logger = logging.getLogger(__name__)

CALLBACK_PATH = "/api/onboarding/callback"
SCOPE = "openid profile"
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
_MAX_CODE_CHARS = 8192


@dataclass(frozen=True)
class SigninStart:
    """A new sign-in: what the session must remember (state, nonce, verifier) and where to send the browser."""

    tenant_id: str
    state: str
    nonce: str
    code_verifier: str
    code_challenge: str
    redirect_uri: str
    authorize_url: str


def app_client_id() -> str:
    """Caleta's multi-tenant app; RuntimeError when the deployment did not set it."""
    client_id = get_settings().caleta_app_client_id
    if not client_id:
        raise RuntimeError("CALETA_APP_CLIENT_ID is not set: federated onboarding is unavailable")
    return client_id


def public_uri(path: str) -> str:
    """PUBLIC_BASE_URL joined with an absolute path."""
    return get_settings().public_base_url.rstrip("/") + path


def pkce_challenge(code_verifier: str) -> str:
    """The S256 challenge of a verifier: BASE64URL(SHA256(ASCII(verifier))) without padding (RFC 7636 §4.2)."""
    digest = hashlib.sha256(code_verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def new_signin(tenant_id: str) -> SigninStart:
    """Fresh state, nonce and PKCE verifier for a sign-in to the tenant, and the authorize URL that uses them."""
    tenant = canonical_tenant(tenant_id)
    # 32 random bytes each; the verifier is 86 characters of [A-Za-z0-9_-], inside RFC 7636's 43-128.
    state, nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(64)
    challenge = pkce_challenge(verifier)
    redirect_uri = public_uri(CALLBACK_PATH)
    params = {"client_id": app_client_id(), "response_type": "code", "response_mode": "query",
              "redirect_uri": redirect_uri, "scope": SCOPE, "state": state, "nonce": nonce,
              "code_challenge": challenge, "code_challenge_method": "S256", "prompt": "select_account"}
    url = f"{authorize_url(tenant)}?{urlencode(params, quote_via=quote)}"
    return SigninStart(tenant, state, nonce, verifier, challenge, redirect_uri, url)


def token_error(status: int, body: Mapping[str, object]) -> EntraRefused | EntraUnavailable:
    """The exception for a token endpoint's error answer: transient for 429/5xx, else the AADSTS refusal."""
    if status == 429 or status >= 500:
        return EntraUnavailable(f"Entra's token endpoint answered HTTP {status}")
    codes = body.get("error_codes")
    first = codes[0] if isinstance(codes, list) and codes else None
    aadsts = first if isinstance(first, int) and not isinstance(first, bool) else None
    return EntraRefused(error_word(body.get("error")), aadsts, status)


def redeem_code(tenant_id: str, code: str, code_verifier: str, redirect_uri: str, *,
                assertion_source: TokenCredential) -> str:
    """The ID token Entra issues for an authorization code; EntraRefused (with the AADSTS number) or
    EntraUnavailable otherwise. `redirect_uri` must be the one the authorize request named."""
    tenant = canonical_tenant(tenant_id)
    if not isinstance(code, str) or not code or len(code) > _MAX_CODE_CHARS:
        raise InvalidInput({"code": "missing or not an authorization code"})
    try:
        assertion = federation_assertion(assertion_source)
    except AzureError as exc:
        logger.warning("no client assertion from Caleta's managed identity: %s", type(exc).__name__)
        raise EntraUnavailable("Caleta's managed identity gave no client assertion") from None
    form = {"grant_type": "authorization_code", "client_id": app_client_id(), "code": code,
            "redirect_uri": redirect_uri, "code_verifier": code_verifier, "scope": SCOPE,
            "client_assertion_type": JWT_BEARER, "client_assertion": assertion}
    status, body = post_form(token_url(tenant), form)
    if status == 200:
        id_token = body.get("id_token")
        if not isinstance(id_token, str) or not id_token:
            raise EntraUnavailable("Entra's token answer has no id_token")
        return id_token
    refusal = token_error(status, body)
    logger.info("code redemption refused: %s", refusal)
    raise refusal
