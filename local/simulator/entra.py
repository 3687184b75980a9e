"""Simulated Entra ID: OpenID configuration and the v2 token endpoint (client secret or client assertion)."""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from local.estates.model import Application, Tenant
from local.simulator.http import Request, Response, json_response
from local.simulator.state import SimState
from local.simulator.tokens import EXCHANGE_AUDIENCE, TokenError, audience_of

logger = logging.getLogger(__name__)
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def entra_error(status: int, error: str, code: int, text: str) -> Response:
    """An error body exactly as Entra shapes it (codes in error_codes, trace ids, timestamp)."""
    now = dt.datetime.now(dt.UTC)
    trace, correlation = str(uuid.uuid4()), str(uuid.uuid4())
    description = (f"AADSTS{code}: {text} Trace ID: {trace} Correlation ID: {correlation} "
                   f"Timestamp: {now.strftime('%Y-%m-%d %H:%M:%SZ')}")
    return json_response(status, {
        "error": error, "error_description": description, "error_codes": [code],
        "timestamp": now.strftime("%Y-%m-%d %H:%M:%SZ"), "trace_id": trace, "correlation_id": correlation,
        "error_uri": f"https://login.microsoftonline.com/error?code={code}",
    })


def _tenant_not_found(tenant: str) -> Response:
    return entra_error(400, "invalid_request", 90002,
                       f"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are "
                       "signing into the correct cloud. Check with your subscription administrator, this may "
                       "happen if there are no active subscriptions for the tenant.")


def find_tenant(state: SimState, tenant: str) -> Tenant | None:
    """A customer tenant by id or default domain."""
    found = state.estate.tenant(tenant)
    return found or next((t for t in state.estate.tenants if t.default_domain.lower() == tenant.lower()), None)


def openid_configuration(state: SimState, tenant: str) -> Response:
    """GET /{tenant}/v2.0/.well-known/openid-configuration."""
    known = find_tenant(state, tenant) is not None or tenant.lower() in (
        state.estate.caleta.tenant_id.lower(), "organizations", "common")
    if not known:
        return _tenant_not_found(tenant)
    base = f"{state.base_url}/{tenant}"
    return json_response(200, {
        "token_endpoint": f"{base}/oauth2/v2.0/token", "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
        "issuer": f"{base}/v2.0", "jwks_uri": f"{base}/discovery/v2.0/keys",
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "id_token_signing_alg_values_supported": ["RS256"], "subject_types_supported": ["pairwise"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"], "tenant_region_scope": "EU",
    })


def token(state: SimState, req: Request, tenant_ref: str) -> Response:
    """POST /{tenant}/oauth2/v2.0/token with grant_type=client_credentials."""
    form = req.form()
    tenant = find_tenant(state, tenant_ref)
    if tenant is None:
        return _tenant_not_found(tenant_ref)
    client_id = form.get("client_id", "")
    if form.get("grant_type") != "client_credentials":
        return entra_error(400, "unsupported_grant_type", 70003,
                           "The app requested an unsupported grant type.")
    app = tenant.application(client_id)
    if app is None:
        return entra_error(400, "unauthorized_client", 700016,
                           f"Application with identifier '{client_id}' was not found in the directory "
                           f"'{tenant.display_name}'. This can happen if the application has not been installed "
                           "by the administrator of the tenant or consented to by any user in the tenant. You may "
                           "have sent your authentication request to the wrong tenant.")
    if state.is_revoked(tenant.tenant_id, app.client_id):
        return entra_error(400, "unauthorized_client", 7000112,
                           f"Application '{app.client_id}'({app.display_name}) is disabled.")
    refusal = _check_credential(state, app, form)
    if refusal is not None:
        return refusal
    scope = form.get("scope", "")
    if not scope:
        return entra_error(400, "invalid_request", 900144,
                           "The request body must contain the following parameter: 'scope'.")
    access_token, exp = state.mint.mint(tenant_id=tenant.tenant_id, object_id=app.object_id,
                                        app_id=app.client_id, audience=audience_of(scope))
    lifetime = exp - int(dt.datetime.now(dt.UTC).timestamp())
    return json_response(200, {"token_type": "Bearer", "expires_in": lifetime, "ext_expires_in": lifetime,
                               "access_token": access_token})


def _check_credential(state: SimState, app: Application, form: dict[str, str]) -> Response | None:
    """None when the secret or federated assertion is good; otherwise Entra's error."""
    secret = form.get("client_secret")
    assertion = form.get("client_assertion")
    if secret is not None:
        match = next((s for s in app.secrets if s.value == secret), None)
        if match is None:
            return entra_error(401, "invalid_client", 7000215,
                               "Invalid client secret provided. Ensure the secret being sent in the request is the "
                               f"client secret value, not the client secret ID, for a secret added to app "
                               f"'{app.client_id}'.")
        if match.expires <= dt.datetime.now(dt.UTC):
            return entra_error(401, "invalid_client", 7000222,
                               f"The provided client secret keys for app '{app.client_id}' are expired. Visit the "
                               "Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or "
                               "consider using certificate credentials for added security: https://aka.ms/certCreds.")
        return None
    if assertion is not None and form.get("client_assertion_type") == JWT_BEARER:
        return _check_federated(state, app, assertion)
    return entra_error(401, "invalid_client", 7000218,
                       "The request body must contain the following parameter: 'client_assertion' or "
                       "'client_secret'.")


def _check_federated(state: SimState, app: Application, assertion: str) -> Response | None:
    """A federated assertion must be Caleta's managed identity token for api://AzureADTokenExchange."""
    caleta = state.estate.caleta
    try:
        claims = state.mint.verify(assertion, (EXCHANGE_AUDIENCE,))
    except TokenError:
        return entra_error(401, "invalid_client", 700027,
                           "Client assertion failed signature validation.")
    trusted = (app.federated and app.client_id.lower() == caleta.app_client_id.lower()
               and str(claims.get("tid", "")).lower() == caleta.tenant_id.lower()
               and str(claims.get("oid", "")).lower() == caleta.managed_identity_object_id.lower())
    if not trusted:
        return entra_error(400, "invalid_client", 700213,
                           f"No matching federated identity record found for presented assertion subject "
                           f"'{claims.get('sub')}'. Please check your federated identity credential Subject, "
                           "Audience and Issuer against the presented assertion.")
    return None
