"""Caleta's own user-assigned managed identity: the App Service protocol (IDENTITY_ENDPOINT + IDENTITY_HEADER).

Tokens for api://AzureADTokenExchange are v2 tokens of Caleta's tenant: iss {authority}/{tid}/v2.0, aud the
token-exchange app id, sub and oid the identity's object id, azp its client id, azpacr 2 (Janne Mattila, "Managed
Identity access across tenants", decoded token) - the issuer and subject a federated credential must name
(workload-identity-federation-config-app-trust-managed-identity.md). Other resources get v1 tokens.
"""

from __future__ import annotations

import hmac

from local.simulator.http import Request, Response, json_response
from local.simulator.state import SimState
from local.simulator.tokens import EXCHANGE_APP_ID, EXCHANGE_AUDIENCE, audience_of

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
    if aud in (EXCHANGE_AUDIENCE, EXCHANGE_APP_ID):
        access_token, exp = _exchange_token(state)
    else:
        access_token, exp = state.mint.mint(tenant_id=caleta.tenant_id, object_id=caleta.managed_identity_object_id,
                                            app_id=caleta.managed_identity_client_id, audience=aud, client_auth="2")
    return json_response(200, {"access_token": access_token, "expires_on": str(exp), "resource": resource,
                               "token_type": "Bearer", "client_id": caleta.managed_identity_client_id})


def _exchange_token(state: SimState) -> tuple[str, int]:
    """The v2 token a federated identity credential is matched against."""
    caleta = state.estate.caleta
    times = state.mint.times()
    claims = {"aud": EXCHANGE_APP_ID, "iss": f"{state.base_url}/{caleta.tenant_id}/v2.0", **times,
              "azp": caleta.managed_identity_client_id, "azpacr": "2", "idtyp": "app",
              "oid": caleta.managed_identity_object_id, "sub": caleta.managed_identity_object_id,
              "tid": caleta.tenant_id, "ver": "2.0"}
    return state.mint.sign(claims, v1=False), times["exp"]
