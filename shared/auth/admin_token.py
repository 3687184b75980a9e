"""Who may call the admin API: an Entra v1 access token of Caleta's own tenant for the admin app.

docs/onboarding-design.md §5 (issue 14 B2/S1): staff run `az account get-access-token --resource
<ADMIN_API_AUDIENCE>`; the admin app leaves accessTokenAcceptedVersion unset, so the token is v1 (issuer
https://sts.windows.net/{tenant}/, and only v1 tokens carry `amr`: access-token-claims-reference.md). Checks: a
`Bearer` header (scheme case-insensitive, RFC 7235 §2.1), RS256 with a key of Caleta's tenant
({authority}/{tenant}/discovery/keys), iss, aud == ADMIN_API_AUDIENCE, exp/nbf/iat, and with ADMIN_REQUIRE_MFA
`mfa` in `amr` - any failure is Unauthorized. A valid token without the Caleta.Admin app role is Forbidden,
answered 404 so the admin API does not show that it exists.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from shared.auth.endpoints import V1_ISSUER_BASE, canonical_tenant, issued_by, v1_keys_url
from shared.auth.errors import TokenRejected
from shared.auth.jwt_checks import Clock, check_times, require_claims, signed_claims
from shared.auth.keys import KeyCache, default_key_cache
from shared.config import get_settings
from shared.errors import Forbidden, InvalidInput, Unauthorized

logger = logging.getLogger(__name__)

# The app role the admin app defines and staff are assigned (docs/deploy.md section 2b).
ADMIN_ROLE = "Caleta.Admin"


@dataclass(frozen=True)
class AdminCaller:
    """The member of Caleta's staff making an admin call: their object id, and whether the sign-in used MFA."""

    object_id: str
    mfa: bool


def bearer_token(authorization_header: str | None) -> str:
    """The token of an `Authorization: Bearer <token>` header; Unauthorized when absent or not that shape."""
    parts = (authorization_header or "").split()
    if not parts:
        raise Unauthorized("no bearer token")
    if len(parts) != 2 or parts[0].lower() != "bearer":
        raise Unauthorized("malformed authorization header")
    return parts[1]


def _admin_tenant() -> str:
    try:
        return canonical_tenant(get_settings().admin_tenant_id, "ADMIN_TENANT_ID")
    except InvalidInput:
        raise RuntimeError("ADMIN_TENANT_ID must be Caleta's tenant id (a GUID)") from None


def verify_admin_token(authorization_header: str | None, *, keys: KeyCache | None = None,
                       now: Clock | None = None) -> AdminCaller:
    """The admin calling; Unauthorized (no usable token) or Forbidden (valid, but not Caleta.Admin)."""
    settings = get_settings()
    if not settings.admin_tenant_id or not settings.admin_api_audience:
        logger.warning("admin call refused: ADMIN_TENANT_ID or ADMIN_API_AUDIENCE is not set")
        raise Unauthorized("the admin API is not configured")
    token = bearer_token(authorization_header)
    tenant = _admin_tenant()
    try:
        claims = signed_claims(token, keys or default_key_cache(), v1_keys_url(tenant))
        require_claims(claims, ("iss", "aud", "oid"))
        if not issued_by(claims["iss"], V1_ISSUER_BASE, tenant, "/"):
            raise TokenRejected("iss")
        if claims["aud"] != settings.admin_api_audience:
            raise TokenRejected("aud")
        check_times(claims, now)
        amr = claims.get("amr")
        mfa = isinstance(amr, list) and "mfa" in amr
        if settings.admin_require_mfa and not mfa:
            raise TokenRejected("mfa")
    except TokenRejected as exc:
        logger.warning("admin call refused: %s", exc.check)
        raise Unauthorized(f"admin token refused: {exc.check}") from None
    roles = claims.get("roles")
    if not isinstance(roles, list) or ADMIN_ROLE not in roles:
        logger.warning("admin call refused: the caller lacks %s", ADMIN_ROLE)
        raise Forbidden("not found")
    return AdminCaller(object_id=claims["oid"], mfa=mfa)
