"""OpenID Connect discovery and signing keys, v2 and v1, for a tenant or for common/organizations.

Shapes from Entra's published metadata (captured in panva/wellknown, issuers/entra-common): the v2 issuer is
{authority}/{tenantid}/v2.0 and v2 keys name it; the v1 issuer is https://sts.windows.net/{tenantid}/. For
common and organizations the issuer keeps the literal `{tenantid}` placeholder, as Entra's does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from local.simulator.http import Response, json_response
from local.simulator.oidc_directory import directory
from local.simulator.oidc_errors import tenant_not_found
from local.simulator.tokens import v1_issuer

if TYPE_CHECKING:
    from local.simulator.state import SimState

_MULTI = ("common", "organizations")
_CLAIMS = ["sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name", "msgraph_host",
           "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash",
           "c_hash", "email"]
_HEADERS = {"Cache-Control": "max-age=86400, private", "Access-Control-Allow-Origin": "*"}


def _tenant_id(state: SimState, ref: str) -> str | None:
    """The tenant GUID a path segment names, "{tenantid}" for common/organizations, None when unknown."""
    if ref.lower() in _MULTI:
        return "{tenantid}"
    found = directory(state, ref)
    return found.tenant_id if found else None


def openid_configuration(state: SimState, ref: str, *, v2: bool = True) -> Response:
    """GET /{tenant}/v2.0/.well-known/openid-configuration (v2) or /{tenant}/.well-known/openid-configuration."""
    tid = _tenant_id(state, ref)
    if tid is None:
        return tenant_not_found(ref)
    segment = ref if ref.lower() in _MULTI else tid
    base = f"{state.base_url}/{segment}"
    version = "/v2.0" if v2 else ""
    document = {
        "token_endpoint": f"{base}/oauth2{version}/token",
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": f"{base}/discovery{version}/keys",
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"]
        if v2 else ["code", "id_token", "code id_token", "token id_token", "token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": f"{state.base_url}/{tid}/v2.0" if v2 else v1_issuer(tid),
        "request_uri_parameter_supported": False,
        "userinfo_endpoint": "https://graph.microsoft.com/oidc/userinfo",
        "authorization_endpoint": f"{base}/oauth2{version}/authorize",
        "http_logout_supported": True, "frontchannel_logout_supported": True,
        "end_session_endpoint": f"{base}/oauth2{version}/logout",
        "claims_supported": _CLAIMS,
        "tenant_region_scope": None if tid == "{tenantid}" else "EU",
        "cloud_instance_name": "microsoftonline.com", "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": "graph.microsoft.com", "rbac_url": "https://pas.windows.net",
    }
    return json_response(200, document, _HEADERS)


def keys(state: SimState, ref: str, *, v2: bool = True) -> Response:
    """GET /{tenant}/discovery/v2.0/keys (v2 keys name their issuer) or /{tenant}/discovery/keys."""
    tid = _tenant_id(state, ref)
    if tid is None:
        return tenant_not_found(ref)
    issuer = f"{state.base_url}/{tid}/v2.0" if v2 else None
    return json_response(200, {"keys": [state.mint.key.jwk(issuer)]}, _HEADERS)
