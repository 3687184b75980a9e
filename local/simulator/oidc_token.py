"""Redeeming an authorization code: POST /{tenant}/oauth2/v2.0/token with grant_type=authorization_code.

Checks, in order: tenant, client, client authentication (a confidential client's secret or federated assertion; a
public client presents neither, AADSTS700025), then the code - unknown (9002313), already redeemed (54005),
expired (70008), for another tenant (700005) or client - the redirect URI (500112) and the PKCE verifier (501481).
Codes from reference-error-codes.md and captured responses; response shape from v2-oauth2-auth-code-flow.md.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import TYPE_CHECKING

from local.simulator import oidc_claims
from local.simulator.http import Request, Response, json_response
from local.simulator.oidc_codes import AuthCode, CodeState
from local.simulator.oidc_directory import client_app, directory, resource_for, split_scopes
from local.simulator.oidc_errors import app_not_found, entra_error, missing_parameter, tenant_not_found
from local.simulator.oidc_federation import authenticate, client_secret

if TYPE_CHECKING:
    from local.simulator.state import SimState

_CODE_REFUSALS = {
    CodeState.UNKNOWN: (9002313, "Invalid request. Request is malformed or invalid."),
    CodeState.USED: (54005, "OAuth2 Authorization code was already redeemed, please retry with a new valid code or "
                            "use an existing refresh token."),
    CodeState.EXPIRED: (70008, "The provided authorization code or refresh token has expired due to inactivity. Send "
                               "a new interactive authorization request for this user and resource."),
}


def redeem(state: SimState, req: Request, form: dict[str, str], tenant_ref: str) -> Response:
    """Exchange a code for an ID token and an access token."""
    found = directory(state, tenant_ref)
    if found is None:
        return tenant_not_found(tenant_ref)
    client_id = form.get("client_id", "")
    if not client_id:
        return missing_parameter("client_id")
    app = client_app(state, client_id)
    if app is None:
        return app_not_found(client_id, found.display_name)
    if app.public:
        if client_secret(req, form) is not None or "client_assertion" in form:
            return entra_error(401, "invalid_client", 700025,
                               "Client is public so neither 'client_assertion' nor 'client_secret' should be "
                               "presented.")
        client_auth = "0"
    else:
        refusal, client_auth = authenticate(state, req, form, app.client_id, state.estate.caleta.secrets)
        if refusal is not None:
            return refusal
    for name in ("code", "redirect_uri"):
        if not form.get(name):
            return missing_parameter(name)
    verdict, code = state.oidc.codes.redeem(form["code"])
    if verdict is not CodeState.OK or code is None:
        number, text = _CODE_REFUSALS[verdict]
        return entra_error(400, "invalid_grant", number, text)
    refusal = _check_binding(code, found.tenant_id, app.client_id, form)
    if refusal is not None:
        return refusal
    user = found.user(code.user_object_id)
    assert user is not None  # codes are only issued to users of this directory
    _, resource_scopes = split_scopes(form.get("scope") or " ".join(code.scopes))
    resource = resource_for(state, found.tenant_id, resource_scopes)
    if isinstance(resource, str):
        return entra_error(400, "invalid_resource", 500011,
                           f"The resource principal named {resource} was not found in the tenant named "
                           f"{found.display_name}.")
    access, exp = oidc_claims.access_token(state, tenant_id=found.tenant_id, app=app, user=user, resource=resource,
                                           client_auth=client_auth)
    lifetime = exp - state.mint.times()["iat"]
    # No refresh token is issued (docs/estate-format.md), so offline_access is not listed as granted.
    granted = [s for s in code.scopes if s in ("openid", "profile", "email")] + resource.granted()
    body: dict[str, object] = {"token_type": "Bearer", "scope": " ".join(granted), "expires_in": lifetime,
                               "ext_expires_in": lifetime, "access_token": access}
    if "openid" in code.scopes:
        body["id_token"] = oidc_claims.id_token(state, tenant_id=found.tenant_id, app=app, user=user,
                                                scopes=code.scopes, nonce=code.nonce)
    if form.get("client_info") == "1":
        body["client_info"] = oidc_claims.client_info(found.tenant_id, user)
    return json_response(200, body, {"Cache-Control": "no-store", "Pragma": "no-cache"})


def _check_binding(code: AuthCode, tenant_id: str, client_id: str, form: dict[str, str]) -> Response | None:
    """The code must be redeemed where, by whom, to where and with the verifier it was issued for."""
    if code.tenant_id.lower() != tenant_id.lower():
        return entra_error(400, "invalid_grant", 700005,
                           "Provided Authorization Code is intended to use against other tenant, thus rejected.")
    if code.client_id.lower() != client_id.lower():
        return entra_error(400, "invalid_grant", 70000,
                           "The provided value for the 'code' parameter is not valid. The code was issued to a "
                           "different client.")
    if form["redirect_uri"] != code.redirect_uri:
        return entra_error(401, "invalid_client", 500112,
                           f"The reply address '{form['redirect_uri']}' does not match the reply address "
                           f"'{code.redirect_uri}' provided when requesting Authorization code.")
    if code.challenge is not None and not _verifier_matches(code, form.get("code_verifier", "")):
        return entra_error(400, "invalid_grant", 501481,
                           "The Code_Verifier does not match the code_challenge supplied in the authorization "
                           "request.")
    return None


def _verifier_matches(code: AuthCode, verifier: str) -> bool:
    """RFC 7636 4.6: S256 compares BASE64URL(SHA256(verifier)) with the challenge; plain compares them as is."""
    if not verifier:
        return False
    if code.challenge_method == "S256":
        derived = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii", "replace")).digest())
        expected = derived.rstrip(b"=").decode("ascii")
    else:
        expected = verifier
    return hmac.compare_digest(expected, code.challenge or "")
