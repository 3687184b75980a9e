"""Simulated Entra ID and managed identity, through the real azure-identity credentials over HTTPS."""

from __future__ import annotations

import ssl
from typing import Any

import jwt
import pytest
import requests
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import ClientAssertionCredential, ClientSecretCredential, ManagedIdentityCredential

from tests.integration.oidc_fixtures import CALETA_SECRET, DELETED, make_sim
from tests.integration.sim_fixtures import (
    CALETA_APP,
    CALETA_MI_CLIENT,
    CALETA_MI_OBJECT,
    CALETA_TENANT,
    CONTOSO,
    DISABLED,
    EXPIRED,
    FABRIKAM,
    FEDERATED_OBJECT,
    READER,
    claims_of,
    secret_credential,
    sim,
    sim_certs,
    sim_server,
)

pytestmark = pytest.mark.integration
__all__ = ["make_sim", "sim", "sim_certs", "sim_server"]
ARM = "https://management.azure.com/.default"
UNKNOWN_TENANT = "99999999-9999-9999-9999-999999999999"


def test_client_secret_token_carries_tenant_object_and_audience_when_secret_is_right(sim, sim_certs):
    token = secret_credential(sim, sim_certs, CONTOSO, READER[0], READER[1]).get_token(ARM).token
    claims = claims_of(token)
    assert (claims["tid"], claims["oid"], claims["appid"], claims["aud"], claims["iss"]) == (
        CONTOSO, READER[2], READER[0], "https://management.azure.com", f"https://sts.windows.net/{CONTOSO}/")


def test_token_has_time_claims_when_issued(sim, sim_certs):
    claims = claims_of(secret_credential(sim, sim_certs, CONTOSO, READER[0], READER[1]).get_token(ARM).token)
    assert claims["nbf"] <= claims["iat"] < claims["exp"]


def test_msal_calls_only_discovery_and_token_when_instance_discovery_is_disabled(sim, sim_certs):
    secret_credential(sim, sim_certs, CONTOSO, READER[0], READER[1]).get_token(ARM)
    assert [e.path for e in sim.request_log] == [f"/{CONTOSO}/v2.0/.well-known/openid-configuration",
                                                 f"/{CONTOSO}/oauth2/v2.0/token"]


@pytest.mark.parametrize(("tenant", "client_id", "secret", "code"), [
    (CONTOSO, READER[0], "wrong", "AADSTS7000215"),
    (CONTOSO, EXPIRED[0], EXPIRED[1], "AADSTS7000222"),
    (CONTOSO, "00000000-0000-0000-0000-00000000dead", "x", "AADSTS700016"),
    (FABRIKAM, READER[0], READER[1], "AADSTS700016"),
    (CONTOSO, DISABLED[0], DISABLED[1], "AADSTS7000112"),
])
def test_token_request_fails_with_entra_code_when_credentials_are_bad(sim, sim_certs, tenant, client_id, secret,
                                                                       code):
    with pytest.raises(ClientAuthenticationError, match=code):
        secret_credential(sim, sim_certs, tenant, client_id, secret).get_token(ARM)


def test_discovery_fails_when_tenant_is_unknown(sim, sim_certs):
    # MSAL reports an unknown tenant as "Unable to get authority configuration": discovery got Entra's 400.
    with pytest.raises(ClientAuthenticationError, match="authority configuration"):
        secret_credential(sim, sim_certs, UNKNOWN_TENANT, READER[0], READER[1]).get_token(ARM)
    assert sim.request_log[-1].status == 400


def test_token_endpoint_answers_90002_invalid_request_when_tenant_is_unknown(sim, sim_certs):
    response = requests.post(f"{sim.base_url}/{UNKNOWN_TENANT}/oauth2/v2.0/token", verify=str(sim_certs.ca),
                             data={"client_id": READER[0], "client_secret": READER[1], "scope": ARM,
                                   "grant_type": "client_credentials"}, timeout=10)
    body = response.json()
    assert (response.status_code, body["error"], body["error_codes"]) == (400, "invalid_request", [90002])


def test_wrong_secret_is_answered_401_invalid_client_when_checked(sim, sim_certs):
    with pytest.raises(ClientAuthenticationError):
        secret_credential(sim, sim_certs, CONTOSO, READER[0], "wrong").get_token(ARM)
    assert sim.request_log[-1].status == 401


def test_revoked_principal_gets_no_new_token_when_revoked(sim, sim_certs):
    sim.revoke(CONTOSO, READER[0])
    with pytest.raises(ClientAuthenticationError, match="AADSTS7000112"):
        secret_credential(sim, sim_certs, CONTOSO, READER[0], READER[1]).get_token(ARM)


@pytest.fixture
def managed_identity(sim, sim_certs, monkeypatch):
    monkeypatch.setenv("IDENTITY_ENDPOINT", sim.msi_endpoint)
    monkeypatch.setenv("IDENTITY_HEADER", sim.msi_header)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(sim_certs.bundle))
    return ManagedIdentityCredential(client_id=CALETA_MI_CLIENT)


def test_managed_identity_token_is_caleta_identity_when_app_service_protocol_is_used(managed_identity):
    claims = claims_of(managed_identity.get_token("https://storage.azure.com/.default").token)
    assert (claims["tid"], claims["oid"], claims["aud"]) == (CALETA_TENANT, CALETA_MI_OBJECT,
                                                            "https://storage.azure.com")


def test_managed_identity_refuses_when_identity_header_is_wrong(sim, sim_certs, monkeypatch):
    monkeypatch.setenv("IDENTITY_ENDPOINT", sim.msi_endpoint)
    monkeypatch.setenv("IDENTITY_HEADER", "not-the-header")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(sim_certs.bundle))
    with pytest.raises(ClientAuthenticationError):
        ManagedIdentityCredential(client_id=CALETA_MI_CLIENT).get_token("https://storage.azure.com/.default")


def _federated(sim, sim_certs, managed_identity, tenant: str, client_id: str) -> ClientAssertionCredential:
    def assertion() -> str:
        return str(managed_identity.get_token("api://AzureADTokenExchange/.default").token)
    return ClientAssertionCredential(tenant, client_id, assertion, authority=sim.base_url,
                                     connection_verify=str(sim_certs.ca))


def test_federated_assertion_yields_customer_token_when_app_is_consented(sim, sim_certs, managed_identity):
    token = _federated(sim, sim_certs, managed_identity, CONTOSO, CALETA_APP).get_token(ARM).token
    assert (claims_of(token)["tid"], claims_of(token)["oid"]) == (CONTOSO, FEDERATED_OBJECT)


def test_federated_assertion_is_refused_when_app_is_not_in_tenant(sim, sim_certs, managed_identity):
    with pytest.raises(ClientAuthenticationError, match="AADSTS700016"):
        _federated(sim, sim_certs, managed_identity, FABRIKAM, CALETA_APP).get_token(ARM)


def test_federated_assertion_is_refused_when_app_is_not_federated(sim, sim_certs, managed_identity):
    # The customer's own app has no federated identity credential at all: Entra's generic 70021.
    with pytest.raises(ClientAuthenticationError, match="AADSTS70021:"):
        _federated(sim, sim_certs, managed_identity, CONTOSO, READER[0]).get_token(ARM)


def test_openid_configuration_names_issuer_and_jwks_when_fetched(sim, sim_certs):
    config = requests.get(f"{sim.base_url}/{CONTOSO}/v2.0/.well-known/openid-configuration",
                          verify=str(sim_certs.ca), timeout=10).json()
    keys = requests.get(config["jwks_uri"], verify=str(sim_certs.ca), timeout=10).json()["keys"]
    assert config["issuer"] == f"{sim.base_url}/{CONTOSO}/v2.0"
    assert config["jwks_uri"] == f"{sim.base_url}/{CONTOSO}/discovery/v2.0/keys"
    assert [(k["kty"], k["use"], k["kid"] == k["x5t"], k["issuer"]) for k in keys] == [
        ("RSA", "sig", True, f"{sim.base_url}/{CONTOSO}/v2.0")]


@pytest.mark.parametrize(("path", "issuer", "jwks"), [
    ("common/v2.0", "{base}/{{tenantid}}/v2.0", "{base}/common/discovery/v2.0/keys"),
    (f"{CONTOSO}", f"https://sts.windows.net/{CONTOSO}/", f"{{base}}/{CONTOSO}/discovery/keys"),
    ("common", "https://sts.windows.net/{{tenantid}}/", "{base}/common/discovery/keys"),
])
def test_v1_and_common_discovery_name_their_issuer_and_keys(sim, sim_certs, path, issuer, jwks):
    config = requests.get(f"{sim.base_url}/{path}/.well-known/openid-configuration", verify=str(sim_certs.ca),
                          timeout=10).json()
    assert (config["issuer"], config["jwks_uri"]) == (issuer.format(base=sim.base_url),
                                                      jwks.format(base=sim.base_url))
    assert requests.get(config["jwks_uri"], verify=str(sim_certs.ca), timeout=10).json()["keys"]


def test_access_token_is_rs256_and_verifies_with_the_published_v1_keys(sim, sim_certs):
    token = secret_credential(sim, sim_certs, CONTOSO, READER[0], READER[1]).get_token(ARM).token
    client = jwt.PyJWKClient(f"{sim.base_url}/{CONTOSO}/discovery/keys", cache_jwk_set=False,
                             ssl_context=ssl.create_default_context(cafile=str(sim_certs.ca)))
    key = client.get_signing_key_from_jwt(token)
    claims = jwt.decode(token, key.key, algorithms=["RS256"], audience="https://management.azure.com",
                        issuer=f"https://sts.windows.net/{CONTOSO}/")
    assert jwt.get_unverified_header(token)["alg"] == "RS256" and claims["appidacr"] == "1"


# --- federated identity credential matching (audit D7) and deleted vs disabled principals (audit D11) ---------

def _fic(**fields: Any) -> Any:
    def edit(doc: dict[str, Any]) -> None:
        caleta = doc["caleta"]
        fic = {"issuer": f"https://login.microsoftonline.com/{caleta['tenant_id']}/v2.0",
               "subject": caleta["managed_identity_object_id"], "audiences": ["api://AzureADTokenExchange"]}
        caleta["federated_credentials"] = [] if fields.get("none") else [fic | fields]
    return edit


@pytest.mark.parametrize(("edit", "code"), [
    (_fic(none=True), "AADSTS70021:"),
    (_fic(issuer=f"https://sts.windows.net/{CALETA_TENANT}/"), "AADSTS700211:"),
    (_fic(issuer=f"https://login.microsoftonline.com/{CALETA_TENANT}/v2.0/"), "AADSTS700211:"),
    (_fic(subject=CALETA_MI_CLIENT), "AADSTS700213:"),
    (_fic(audiences=["api://AzureADTokenExchangeUSGov"]), "AADSTS700212:"),
])
def test_federated_credential_must_match_issuer_subject_and_audience_exactly(make_sim, sim_certs, monkeypatch,
                                                                             edit, code):
    variant = make_sim(edit)
    with pytest.raises(ClientAuthenticationError, match=code):
        _federated(variant, sim_certs, _identity(variant, sim_certs, monkeypatch), CONTOSO, CALETA_APP).get_token(ARM)


def test_federated_credential_written_as_azure_has_it_is_accepted(make_sim, sim_certs, monkeypatch):
    variant = make_sim(_fic())  # issuer https://login.microsoftonline.com/<caleta tenant>/v2.0, as docs/deploy.md
    token = _federated(variant, sim_certs, _identity(variant, sim_certs, monkeypatch), CONTOSO,
                       CALETA_APP).get_token(ARM).token
    assert claims_of(token)["appidacr"] == "2"


def _identity(variant, sim_certs, monkeypatch) -> ManagedIdentityCredential:
    monkeypatch.setenv("IDENTITY_ENDPOINT", variant.msi_endpoint)
    monkeypatch.setenv("IDENTITY_HEADER", variant.msi_header)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(sim_certs.bundle))
    return ManagedIdentityCredential(client_id=CALETA_MI_CLIENT)


def test_deleted_principal_is_not_found_700016_while_disabled_is_7000112(make_sim, sim_certs):
    variant = make_sim()
    with pytest.raises(ClientAuthenticationError, match="AADSTS700016:"):
        secret_credential(variant, sim_certs, CONTOSO, DELETED[0], DELETED[1]).get_token(ARM)
    with pytest.raises(ClientAuthenticationError, match="AADSTS7000112:"):
        secret_credential(variant, sim_certs, CONTOSO, DISABLED[0], DISABLED[1]).get_token(ARM)


def test_caleta_app_secret_works_with_client_secret_credential(make_sim, sim_certs):
    variant = make_sim()
    credential = ClientSecretCredential(CONTOSO, CALETA_APP, CALETA_SECRET, authority=variant.base_url,
                                        disable_instance_discovery=True, connection_verify=str(sim_certs.ca))
    assert claims_of(credential.get_token(ARM).token)["oid"] == FEDERATED_OBJECT
