"""verify_admin_token against admin tokens the simulated tenant issues to the Azure CLI (demo estate).

`az account get-access-token --resource api://<admin app>`: the CLI's public client signs the user in to Caleta's
tenant with PKCE and redeems the code without client credentials (docs/estate-format.md, "Admin tokens").
"""

from __future__ import annotations

from typing import Any

import pytest

from local.estates.model import Caleta
from shared.auth.admin_token import AdminCaller, verify_admin_token
from shared.errors import Forbidden, Unauthorized
from tests.integration.oidc_client import OidcClient, pkce_pair
from tests.integration.test_auth_signin import TAMAR, browser, caleta

pytestmark = pytest.mark.integration
__all__ = ["browser", "caleta"]

AZURE_CLI = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
CLI_REDIRECT = "http://localhost:8400"
OPERATOR = ("ops@caleta.example", "f7975caa-41b8-5273-9c55-4886357be3c7")
ANALYST = "analyst@caleta.example"
ARM = "https://management.azure.com/.default"


def cli_token(client: OidcClient, tenant: str, upn: str, scope: str) -> str:
    """The access token the Azure CLI gets for `scope` as `upn` (authorization code + PKCE, public client)."""
    verifier, challenge = pkce_pair()
    hop = client.authorize(tenant, client_id=AZURE_CLI, response_type="code", redirect_uri=CLI_REDIRECT,
                           scope=scope, code_challenge=challenge, code_challenge_method="S256", login_hint=upn)
    assert hop.status == 302, hop.body
    status, body = client.redeem(tenant, {"client_id": AZURE_CLI, "code": hop.params["code"],
                                          "redirect_uri": CLI_REDIRECT, "code_verifier": verifier})
    assert status == 200, body
    return str(body["access_token"])


def admin_scope(caleta: Caleta) -> str:
    assert caleta.admin_api is not None
    return f"{caleta.admin_api.resource_uri()}/.default"


def test_operators_cli_token_is_accepted(browser: OidcClient, caleta: Caleta) -> None:
    token = cli_token(browser, caleta.tenant_id, OPERATOR[0], admin_scope(caleta))
    assert verify_admin_token(f"Bearer {token}") == AdminCaller(object_id=OPERATOR[1], mfa=True)


def test_lower_case_bearer_is_accepted(browser: OidcClient, caleta: Caleta) -> None:
    token = cli_token(browser, caleta.tenant_id, OPERATOR[0], admin_scope(caleta))
    assert verify_admin_token(f"bearer {token}").object_id == OPERATOR[1]


def test_staff_without_the_admin_role_is_forbidden(browser: OidcClient, caleta: Caleta) -> None:
    token = cli_token(browser, caleta.tenant_id, ANALYST, admin_scope(caleta))
    with pytest.raises(Forbidden):
        verify_admin_token(f"Bearer {token}")


def test_token_from_another_tenant_is_unauthorized(browser: OidcClient) -> None:
    token = cli_token(browser, TAMAR, "cloud.admin@tamaranalytics.onmicrosoft.com", ARM)
    with pytest.raises(Unauthorized, match="iss") as caught:
        verify_admin_token(f"Bearer {token}")
    assert not isinstance(caught.value, Forbidden)


def test_operators_token_for_another_audience_is_unauthorized(browser: OidcClient, caleta: Caleta) -> None:
    token = cli_token(browser, caleta.tenant_id, OPERATOR[0], ARM)
    with pytest.raises(Unauthorized, match="aud"):
        verify_admin_token(f"Bearer {token}")


def test_caletas_managed_identity_token_is_not_an_admin_token(simulator: Any, browser: OidcClient,
                                                              caleta: Caleta) -> None:
    url = f"{simulator.msi_endpoint}?resource=api://AzureADTokenExchange&api-version=2019-08-01"
    token = browser.call(url, headers={"X-IDENTITY-HEADER": simulator.msi_header})[1]["access_token"]
    with pytest.raises(Unauthorized, match="iss"):  # a v2 token of Caleta's tenant
        verify_admin_token(f"Bearer {token}")
