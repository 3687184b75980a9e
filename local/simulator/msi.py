"""Caleta's own user-assigned managed identity: the App Service protocol (IDENTITY_ENDPOINT + IDENTITY_HEADER)."""

from __future__ import annotations

import hmac

from local.simulator.http import Request, Response, json_response
from local.simulator.state import SimState
from local.simulator.tokens import audience_of

MSI_PATH = "/msi/token"


def msi_token(state: SimState, req: Request) -> Response:
    """GET /msi/token?resource=...&api-version=2019-08-01[&client_id=...] with X-IDENTITY-HEADER."""
    if not hmac.compare_digest(req.headers.get("x-identity-header", ""), state.msi_header):
        return json_response(401, {"statusCode": 401, "message": "Unauthorized: X-IDENTITY-HEADER is missing or "
                                                                 "does not match."})
    resource = req.q("resource")
    if not resource or req.q("api-version") != "2019-08-01":
        return json_response(400, {"statusCode": 400, "message": "Bad request: resource and "
                                                                 "api-version=2019-08-01 are required."})
    caleta = state.estate.caleta
    wanted = req.q("client_id")
    if wanted is not None and wanted.lower() != caleta.managed_identity_client_id.lower():
        message = "No User Assigned or Delegated Managed Identity found for specified ClientId/ResourceId/PrincipalId."
        return json_response(400, {"statusCode": 400, "message": message})
    aud = audience_of(resource)
    access_token, exp = state.mint.mint(tenant_id=caleta.tenant_id, object_id=caleta.managed_identity_object_id,
                                        app_id=caleta.managed_identity_client_id, audience=aud)
    return json_response(200, {"access_token": access_token, "expires_on": str(exp), "resource": resource,
                               "token_type": "Bearer", "client_id": caleta.managed_identity_client_id})
