"""Simulated Entra ID: the v2 token endpoint (client credentials and authorization code grants).

Client credentials (v2-oauth2-client-creds-grant-flow.md): the client's service principal must be in the tenant -
a deleted one, or one never consented, answers AADSTS700016 ("not found in the directory"), a disabled one
AADSTS7000112 (reference-error-codes.md) - then the secret or federated assertion is checked.
"""

from __future__ import annotations

import datetime as dt
import logging

from local.simulator import oidc_token
from local.simulator.consent_state import service_principal, usable
from local.simulator.http import Request, Response, json_response
from local.simulator.oidc_directory import find_tenant
from local.simulator.oidc_errors import (
    app_disabled,
    app_not_found,
    entra_error,
    missing_parameter,
    tenant_not_found,
)
from local.simulator.oidc_federation import authenticate
from local.simulator.state import SimState
from local.simulator.tokens import audience_of

logger = logging.getLogger(__name__)


def token(state: SimState, req: Request, tenant_ref: str) -> Response:
    """POST /{tenant}/oauth2/v2.0/token."""
    form = req.form()
    grant = form.get("grant_type")
    if grant == "authorization_code":
        return oidc_token.redeem(state, req, form, tenant_ref)
    tenant = find_tenant(state, tenant_ref)
    if tenant is None:
        return tenant_not_found(tenant_ref)
    if grant != "client_credentials":
        return entra_error(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type.")
    client_id = form.get("client_id", "")
    app = service_principal(state, tenant, client_id)
    if app is None or not usable(app):
        return app_not_found(client_id, tenant.display_name)
    if state.is_revoked(tenant.tenant_id, app.client_id):
        return app_disabled(app.client_id, app.display_name)
    caleta = state.estate.caleta
    # A multi-tenant app's credentials live on its registration in its home tenant, not on the service principal.
    secrets = caleta.secrets if client_id.lower() == caleta.app_client_id.lower() else app.secrets
    refusal, client_auth = authenticate(state, req, form, app.client_id, secrets)
    if refusal is not None:
        return refusal
    scope = form.get("scope", "")
    if not scope:
        return missing_parameter("scope")
    access_token, exp = state.mint.mint(tenant_id=tenant.tenant_id, object_id=app.object_id,
                                        app_id=app.client_id, audience=audience_of(scope), client_auth=client_auth)
    lifetime = exp - int(dt.datetime.now(dt.UTC).timestamp())
    return json_response(200, {"token_type": "Bearer", "expires_in": lifetime, "ext_expires_in": lifetime,
                               "access_token": access_token}, {"Cache-Control": "no-store"})
