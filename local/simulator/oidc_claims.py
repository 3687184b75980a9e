"""The tokens a user sign-in yields: the ID token and a delegated access token.

ID token claims per id-token-claims-reference.md: aud is the client id, iss {authority}/{tid}/v2.0, nonce echoed,
oid/name/preferred_username only with the `profile` scope, sub a pairwise value per app. `wids` (role template
ids) only when the app's groupMembershipClaims is "DirectoryRole" or "All" (access-token-claims-reference.md);
Entra puts it in ID tokens too (AzureAD/microsoft-authentication-library-for-dotnet#4134).
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import TYPE_CHECKING, Any

from local.estates.identity import User
from local.simulator.oidc_directory import ClientApp, Resource
from local.simulator.tokens import v1_issuer

if TYPE_CHECKING:
    from local.simulator.state import SimState

ID_TOKEN_LIFETIME_S = 3600


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def pairwise_subject(tenant_id: str, client_id: str, object_id: str) -> str:
    """A `sub` unique to the user and the app (two apps see two values for one user)."""
    return _b64url(hashlib.sha256(f"{tenant_id}|{client_id}|{object_id}".lower().encode()).digest())


def emits_wids(app: ClientApp) -> bool:
    """Whether the app's manifest asks for directory roles in its tokens."""
    return app.group_membership_claims in ("DirectoryRole", "All")


def id_token(state: SimState, *, tenant_id: str, app: ClientApp, user: User, scopes: tuple[str, ...],
             nonce: str | None) -> str:
    """The RS256 ID token for this sign-in."""
    claims: dict[str, Any] = {"aud": app.client_id, "iss": f"{state.base_url}/{tenant_id}/v2.0",
                              **state.mint.times(ID_TOKEN_LIFETIME_S),
                              "sub": pairwise_subject(tenant_id, app.client_id, user.object_id),
                              "tid": tenant_id, "ver": "2.0"}
    if nonce is not None:
        claims["nonce"] = nonce
    if "profile" in scopes:
        claims |= {"name": user.display_name, "oid": user.object_id,
                   "preferred_username": user.user_principal_name}
    if "email" in scopes:
        claims["email"] = user.user_principal_name
    if emits_wids(app):
        claims["wids"] = user.role_template_ids()
    return state.mint.sign(claims, v1=False)


def access_token(state: SimState, *, tenant_id: str, app: ClientApp, user: User, resource: Resource,
                 client_auth: str) -> tuple[str, int]:
    """A delegated access token for the resource: v1 (sts.windows.net) unless the resource accepts v2 only."""
    times = state.mint.times(skew_s=0)
    claims: dict[str, Any] = {"aud": resource.audience, **times, "acr": "1",
                              "amr": ["pwd", "mfa"] if user.mfa else ["pwd"], "idtyp": "user",
                              "name": user.display_name, "oid": user.object_id, "scp": " ".join(resource.scopes),
                              "sub": pairwise_subject(tenant_id, resource.app_id, user.object_id), "tid": tenant_id}
    if resource.admin_api:
        admin = state.estate.caleta.admin_api
        granted = [r for r in user.app_roles if admin is not None and r in admin.app_roles]
        if granted:
            claims["roles"] = granted
    else:
        claims["wids"] = user.role_template_ids()
    if resource.version == 1:
        claims |= {"iss": v1_issuer(tenant_id), "appid": app.client_id, "appidacr": client_auth,
                   "unique_name": user.user_principal_name, "upn": user.user_principal_name, "ver": "1.0"}
    else:
        claims |= {"iss": f"{state.base_url}/{tenant_id}/v2.0", "azp": app.client_id, "azpacr": client_auth,
                   "preferred_username": user.user_principal_name, "ver": "2.0"}
    return state.mint.sign(claims, v1=resource.version == 1), times["exp"]


def client_info(tenant_id: str, user: User) -> str:
    """MSAL's client_info (uid and utid), returned when the request asks for it with client_info=1."""
    return _b64url(json.dumps({"uid": user.object_id, "utid": tenant_id}).encode())
