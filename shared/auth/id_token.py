"""The onboarding proof: an Entra ID token of the customer tenant's administrator (docs/onboarding-design.md §2).

Checks, each required and each named when it fails: RS256 with a key of the tenant's JWKS (found through the
tenant's v2 discovery document), iss == {authority}/{tenant}/v2.0, aud == Caleta's app, tid == the tenant,
nonce == the sign-in session's, exp/nbf/iat within five minutes of skew. The administrator test reads `wids`
(directory role template ids), which Entra emits only when the app registration's groupMembershipClaims is
DirectoryRole or All: a token without it means the registration is misconfigured (an operator error).
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass

from shared.auth.endpoints import authority, canonical_tenant, issued_by, openid_configuration_url, v2_issuer
from shared.auth.errors import EntraUnavailable, TokenRejected
from shared.auth.jwt_checks import Clock, check_times, require_claims, signed_claims
from shared.auth.keys import KeyCache, default_key_cache
from shared.auth.roles import admin_role_ids

logger = logging.getLogger(__name__)

_REQUIRED = ("iss", "aud", "sub", "tid", "oid", "nonce")


@dataclass(frozen=True)
class IdentityClaims:
    """Who signed in: the tenant, the user's object id, and whether a directory role makes them an admin.

    has_wids False means the token carried no `wids` at all: Caleta's app registration does not emit directory
    roles (groupMembershipClaims), so nobody can be recognised as an administrator - an operator error.
    """

    tenant_id: str
    object_id: str
    is_admin: bool
    has_wids: bool


def tenant_jwks_uri(tenant_id: str, keys: KeyCache) -> str:
    """The tenant's `jwks_uri`, from its v2 discovery document (whose issuer must be the tenant's v2 issuer)."""
    document = keys.document(openid_configuration_url(tenant_id))
    jwks_uri = document.get("jwks_uri")
    if document.get("issuer") != v2_issuer(tenant_id) or not isinstance(jwks_uri, str) \
            or not jwks_uri.startswith("https://"):
        raise EntraUnavailable("the tenant's OpenID configuration is not Entra's shape")
    return jwks_uri


def verify_id_token(token: str, *, tenant_id: str, client_id: str, nonce: str, keys: KeyCache | None = None,
                    now: Clock | None = None) -> IdentityClaims:
    """The identity an ID token proves; TokenRejected naming the failed check (no token content in it)."""
    tenant = canonical_tenant(tenant_id)
    if not client_id or not nonce:
        raise ValueError("client_id and nonce are required")
    cache = keys or default_key_cache()
    try:
        claims = signed_claims(token, cache, tenant_jwks_uri(tenant, cache))
        require_claims(claims, _REQUIRED)
        if not issued_by(claims["iss"], f"{authority()}/", tenant, "/v2.0"):
            raise TokenRejected("iss")
        if claims["aud"] != client_id:
            raise TokenRejected("aud")
        if claims["tid"].lower() != tenant:
            raise TokenRejected("tid")
        if not hmac.compare_digest(claims["nonce"].encode(), nonce.encode()):
            raise TokenRejected("nonce")
        check_times(claims, now)
        wids = claims.get("wids")
        if wids is not None and (not isinstance(wids, list) or not all(isinstance(w, str) for w in wids)):
            raise TokenRejected("claims: wids")
    except TokenRejected as exc:
        logger.warning("ID token rejected: %s", exc.check)
        raise
    held = {w.lower() for w in wids or []}
    return IdentityClaims(tenant_id=tenant, object_id=claims["oid"], is_admin=bool(held & admin_role_ids()),
                          has_wids=wids is not None)
