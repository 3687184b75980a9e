"""The simulated Entra's sign-in: authorization code + PKCE + nonce, ID tokens, admin consent, admin tokens.

Driven with plain HTTPS (urllib), each 302 read by hand, tokens verified with PyJWT against the published JWKS.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import msal  # type: ignore[import-untyped]  # installed with azure-identity (MSAL-based credentials)
import pytest

from local.simulator import Simulator
from tests.integration.oidc_client import Hop, OidcClient, pkce_pair
from tests.integration.oidc_fixtures import (
    ADMIN_API,
    AZURE_CLI,
    CALETA_SECRET,
    CALLBACK,
    CONSENT,
    DEFAULT_USER_ROLE,
    FABRIKAM_CALETA_SP,
    GLOBAL_ADMIN_ROLE,
    LOCAL_CALLBACK,
    USERS,
    idp,
    make_sim,
    oidc_sim,
)
from tests.integration.sim_fixtures import (
    CALETA_APP,
    CALETA_MI_OBJECT,
    CALETA_TENANT,
    CONTOSO,
    FABRIKAM,
    FABRIKAM_SUB,
    sim,
    sim_certs,
    sim_server,
)

pytestmark = pytest.mark.integration
__all__ = ["idp", "make_sim", "oidc_sim", "sim", "sim_certs", "sim_server"]
SCOPE = "openid profile"


def mi_assertion(sim: Simulator, client: OidcClient) -> str:
    """Caleta's managed-identity token for the token exchange, as ManagedIdentityCredential fetches it."""
    url = f"{sim.msi_endpoint}?resource=api://AzureADTokenExchange&api-version=2019-08-01"
    return str(client.call(url, headers={"X-IDENTITY-HEADER": sim.msi_header})[1]["access_token"])


def sign_in(client: OidcClient, tenant: str = CONTOSO, **overrides: str) -> tuple[Hop, str]:
    """GET authorize as Caleta's onboarding does; returns the answer and the PKCE verifier."""
    verifier, challenge = pkce_pair()
    params = {"client_id": CALETA_APP, "response_type": "code", "response_mode": "query", "redirect_uri": CALLBACK,
              "scope": SCOPE, "state": "state-1", "nonce": "nonce-1", "code_challenge": challenge,
              "code_challenge_method": "S256", **overrides}
    return client.authorize(tenant, **{k: v for k, v in params.items() if v != ""}), verifier


def redeem(sim: Simulator, client: OidcClient, hop: Hop, verifier: str, tenant: str = CONTOSO,
           **overrides: str) -> tuple[int, dict[str, Any]]:
    """POST the code back with Caleta's managed-identity assertion as client authentication."""
    form = {"client_id": CALETA_APP, "code": hop.params.get("code", ""), "redirect_uri": CALLBACK,
            "code_verifier": verifier, "scope": SCOPE,
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": mi_assertion(sim, client), **overrides}
    return client.redeem(tenant, {k: v for k, v in form.items() if v != ""})


def assert_page(hop: Hop, code: int) -> None:
    """An Entra error page: shown, never redirected."""
    assert (hop.status, hop.location) == (400, None) and f"AADSTS{code}" in hop.body


# --- the round trip -------------------------------------------------------------------------------------------

def test_admin_sign_in_redirects_code_and_state_to_the_registered_uri(oidc_sim, idp):
    hop, _ = sign_in(idp)
    assert hop.status == 302 and str(hop.location).startswith(CALLBACK + "?")
    assert hop.params["state"] == "state-1" and hop.params["code"]


def test_id_token_verifies_with_jwks_and_carries_the_signed_in_admin(oidc_sim, idp):
    hop, verifier = sign_in(idp)
    status, body = redeem(oidc_sim, idp, hop, verifier)
    claims = idp.verify(body["id_token"], CONTOSO, CALETA_APP)
    admin = USERS["contoso_admin"]
    assert status == 200 and body["token_type"] == "Bearer" and body["access_token"]
    assert (claims["tid"], claims["oid"], claims["preferred_username"], claims["nonce"], claims["ver"]) == (
        CONTOSO, admin["object_id"], admin["user_principal_name"], "nonce-1", "2.0")
    assert claims["wids"] == [GLOBAL_ADMIN_ROLE, DEFAULT_USER_ROLE] and claims["nbf"] <= claims["iat"] < claims["exp"]


def test_login_hint_signs_in_that_user_whose_wids_hold_only_the_default_role(oidc_sim, idp):
    hop, verifier = sign_in(idp, login_hint=USERS["contoso_clerk"]["user_principal_name"])
    claims = idp.verify(redeem(oidc_sim, idp, hop, verifier)[1]["id_token"], CONTOSO, CALETA_APP)
    assert (claims["oid"], claims["wids"]) == (USERS["contoso_clerk"]["object_id"], [DEFAULT_USER_ROLE])


def test_custom_directory_role_ids_appear_in_wids(oidc_sim, idp):
    hop, verifier = sign_in(idp, login_hint="apps@contoso.example")
    claims = idp.verify(redeem(oidc_sim, idp, hop, verifier)[1]["id_token"], CONTOSO, CALETA_APP)
    assert claims["wids"] == ["9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3", "99999999-0000-0000-0000-0000000000aa",
                              DEFAULT_USER_ROLE]


def test_client_secret_authenticates_the_redemption_too(oidc_sim, idp):
    hop, verifier = sign_in(idp)
    status, body = redeem(oidc_sim, idp, hop, verifier, client_assertion="", client_assertion_type="",
                          client_secret=CALETA_SECRET)
    assert status == 200 and "id_token" in body


def test_loopback_redirect_uri_matches_on_any_port(oidc_sim, idp):
    with_port = LOCAL_CALLBACK.replace("127.0.0.1", "127.0.0.1:48123")
    hop, verifier = sign_in(idp, redirect_uri=with_port)
    assert hop.status == 302 and str(hop.location).startswith(with_port + "?code=")
    assert redeem(oidc_sim, idp, hop, verifier, redirect_uri=with_port)[0] == 200


def test_fragment_mode_puts_the_code_after_the_hash(oidc_sim, idp):
    hop, _ = sign_in(idp, response_mode="fragment")
    assert str(hop.location).startswith(CALLBACK + "#code=") and hop.params["state"] == "state-1"


def test_plain_pkce_is_accepted_as_entra_documents(oidc_sim, idp):
    hop, _ = sign_in(idp, code_challenge="p" * 43, code_challenge_method="plain")
    assert redeem(oidc_sim, idp, hop, "p" * 43)[0] == 200


@pytest.mark.parametrize(("claims_setting", "has_wids"), [("None", False), ("SecurityGroup", False), ("All", True)])
def test_wids_follow_the_group_membership_claims_setting(make_sim, sim_certs, claims_setting, has_wids):
    def edit(doc: dict[str, Any]) -> None:
        doc["caleta"]["group_membership_claims"] = claims_setting
    variant = make_sim(edit)
    client = OidcClient(variant.base_url, sim_certs.ca)
    hop, verifier = sign_in(client)
    claims = client.verify(redeem(variant, client, hop, verifier)[1]["id_token"], CONTOSO, CALETA_APP)
    assert ("wids" in claims) is has_wids


def test_profile_claims_are_left_out_without_the_profile_scope(oidc_sim, idp):
    hop, verifier = sign_in(idp, scope="openid")
    claims = idp.verify(redeem(oidc_sim, idp, hop, verifier, scope="openid")[1]["id_token"], CONTOSO, CALETA_APP)
    assert "oid" not in claims and "preferred_username" not in claims and claims["sub"]


# --- refusals at /authorize ---------------------------------------------------------------------------------

def test_unregistered_redirect_uri_gets_50011_page_not_a_redirect(oidc_sim, idp):
    assert_page(sign_in(idp, redirect_uri="https://evil.example/steal")[0], 50011)


def test_error_page_escapes_what_the_request_sent(oidc_sim, idp):
    hop = sign_in(idp, redirect_uri="https://evil.example/<script>alert(1)</script>")[0]
    assert_page(hop, 50011)
    assert "<script>" not in hop.body and "&lt;script&gt;" in hop.body


def test_html_is_stripped_from_state_when_sent_back(oidc_sim, idp):
    assert sign_in(idp, state="a<b>c</b>d")[0].params["state"] == "acd"


@pytest.mark.filterwarnings("ignore:response_mode='form_post' is recommended")
def test_msal_auth_code_flow_completes_against_the_simulator(oidc_sim, idp, sim_certs, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(sim_certs.bundle))
    app = msal.ConfidentialClientApplication(CALETA_APP, client_credential=CALETA_SECRET,
                                             authority=f"{oidc_sim.base_url}/{CONTOSO}", instance_discovery=False)
    flow = app.initiate_auth_code_flow([], redirect_uri=CALLBACK, login_hint="ga@contoso.example")
    parts = urlsplit(flow["auth_uri"])
    result = app.acquire_token_by_auth_code_flow(flow, idp.get(f"{parts.path}?{parts.query}").params)
    assert result["id_token_claims"]["wids"][0] == GLOBAL_ADMIN_ROLE and "refresh_token" not in result


def test_app_without_redirect_uris_gets_500113_page(sim, sim_certs):
    client = OidcClient(sim.base_url, sim_certs.ca)
    assert_page(sign_in(client)[0], 500113)


def test_non_admin_in_unconsented_tenant_gets_need_admin_approval_90094(oidc_sim, idp):
    hop = sign_in(idp, FABRIKAM, login_hint="clerk@fabrikam.example")[0]
    assert_page(hop, 90094)
    assert "Need admin approval" in hop.body


def test_admin_in_unconsented_tenant_signs_in_without_provisioning_the_app(oidc_sim, idp):
    hop, verifier = sign_in(idp, FABRIKAM)
    assert redeem(oidc_sim, idp, hop, verifier, tenant=FABRIKAM)[0] == 200
    assert oidc_sim.consent(FABRIKAM)[0]["consented"] is False


def test_user_who_declines_consent_is_sent_back_with_access_denied(oidc_sim, idp):
    hop = sign_in(idp, FABRIKAM, login_hint="no@fabrikam.example")[0]
    assert (hop.status, hop.params["error"], hop.params["error_subcode"], hop.params["state"]) == (
        302, "access_denied", "cancel", "state-1")
    assert "AADSTS65004" in hop.params["error_description"]


def test_unknown_login_hint_gets_50034_page(oidc_sim, idp):
    assert_page(sign_in(idp, login_hint="nobody@contoso.example")[0], 50034)


def test_missing_scope_is_sent_back_as_invalid_request(oidc_sim, idp):
    hop = sign_in(idp, scope="")[0]
    assert hop.params["error"] == "invalid_request" and "AADSTS900144" in hop.params["error_description"]


def test_s256_challenge_of_the_wrong_size_is_refused(oidc_sim, idp):
    hop = sign_in(idp, code_challenge="too-short")[0]
    assert hop.params["error"] == "invalid_request" and "AADSTS501491" in hop.params["error_description"]


def test_prompt_none_without_consent_asks_for_interaction(oidc_sim, idp):
    hop = sign_in(idp, FABRIKAM, prompt="none")[0]
    assert hop.params["error"] == "interaction_required" and "AADSTS65001" in hop.params["error_description"]


def test_unknown_client_gets_700016_page(oidc_sim, idp):
    assert_page(sign_in(idp, client_id="00000000-0000-0000-0000-00000000dead")[0], 700016)


# --- refusals at /token -------------------------------------------------------------------------------------

def _refusal(result: tuple[int, dict[str, Any]]) -> tuple[int, str, list[int]]:
    status, body = result
    return status, body["error"], body["error_codes"]


def test_wrong_code_verifier_is_refused_501481(oidc_sim, idp):
    hop, _ = sign_in(idp)
    assert _refusal(redeem(oidc_sim, idp, hop, "x" * 43)) == (400, "invalid_grant", [501481])


def test_missing_code_verifier_is_refused_501481(oidc_sim, idp):
    hop, _ = sign_in(idp)
    assert _refusal(redeem(oidc_sim, idp, hop, "")) == (400, "invalid_grant", [501481])


def test_code_is_single_use_54005(oidc_sim, idp):
    hop, verifier = sign_in(idp)
    assert redeem(oidc_sim, idp, hop, verifier)[0] == 200
    assert _refusal(redeem(oidc_sim, idp, hop, verifier)) == (400, "invalid_grant", [54005])


def test_expired_code_is_refused_70008(oidc_sim, idp):
    hop, verifier = sign_in(idp)
    assert oidc_sim.expire_codes() >= 1
    assert _refusal(redeem(oidc_sim, idp, hop, verifier)) == (400, "invalid_grant", [70008])


def test_redirect_uri_must_equal_the_authorize_one_500112(oidc_sim, idp):
    hop, verifier = sign_in(idp)
    assert _refusal(redeem(oidc_sim, idp, hop, verifier, redirect_uri=CONSENT)) == (401, "invalid_client", [500112])


def test_code_redeemed_in_another_tenant_is_refused_700005(oidc_sim, idp):
    hop, verifier = sign_in(idp)
    assert _refusal(redeem(oidc_sim, idp, hop, verifier, tenant=FABRIKAM)) == (400, "invalid_grant", [700005])


def test_made_up_code_is_refused_9002313(oidc_sim, idp):
    hop, verifier = sign_in(idp)
    hop.params["code"] = "1.Anot-a-code"
    assert _refusal(redeem(oidc_sim, idp, hop, verifier)) == (400, "invalid_grant", [9002313])


def test_wrong_client_secret_is_refused_7000215(oidc_sim, idp):
    hop, verifier = sign_in(idp)
    result = redeem(oidc_sim, idp, hop, verifier, client_assertion="", client_assertion_type="", client_secret="no")
    assert _refusal(result) == (401, "invalid_client", [7000215])


# --- admin consent ------------------------------------------------------------------------------------------

def consent_v2(client: OidcClient, tenant: str = FABRIKAM, **overrides: str) -> Hop:
    params = {"client_id": CALETA_APP, "scope": SCOPE, "redirect_uri": CONSENT, "state": "s2", **overrides}
    return client.get(f"/{tenant}/v2.0/adminconsent", **{k: v for k, v in params.items() if v != ""})


def arm_token(sim: Simulator, client: OidcClient, tenant: str) -> tuple[int, dict[str, Any]]:
    form = {"client_id": CALETA_APP, "grant_type": "client_credentials",
            "scope": "https://management.azure.com/.default",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": mi_assertion(sim, client)}
    return client.post_form(f"/{tenant}/oauth2/v2.0/token", form)


def test_admin_consent_provisions_the_app_and_redirects_as_documented(oidc_sim, idp):
    assert _refusal(arm_token(oidc_sim, idp, FABRIKAM))[2] == [700016]
    hop = consent_v2(idp)
    assert hop.status == 302 and str(hop.location).startswith(CONSENT + "?admin_consent=True&")
    assert hop.params == {"admin_consent": "True", "tenant": FABRIKAM, "scope": SCOPE, "state": "s2"}
    status, body = arm_token(oidc_sim, idp, FABRIKAM)
    assert status == 200
    assert idp.verify(body["access_token"], FABRIKAM, "https://management.azure.com", v2=False)["oid"] == (
        FABRIKAM_CALETA_SP)


def test_consented_principal_reads_the_subscription_its_roles_were_written_for(oidc_sim, idp):
    consent_v2(idp)
    token = arm_token(oidc_sim, idp, FABRIKAM)[1]["access_token"]
    status, body = idp.call(f"{oidc_sim.base_url}/subscriptions/{FABRIKAM_SUB}?api-version=2022-12-01",
                            headers={"Authorization": f"Bearer {token}"})
    assert (status, body["subscriptionId"]) == (200, FABRIKAM_SUB)


def test_admin_consent_v2_without_scope_is_an_error_sent_back(oidc_sim, idp):
    hop = consent_v2(idp, scope="")
    assert hop.params["error"] == "invalid_request" and "AADSTS900144" in hop.params["error_description"]


def test_admin_consent_by_a_non_admin_shows_90094(oidc_sim, idp):
    assert_page(consent_v2(idp, login_hint="clerk@fabrikam.example"), 90094)
    assert oidc_sim.consent(FABRIKAM)[0]["consented"] is False


def test_admin_who_cancels_consent_comes_back_with_access_denied_cancel(oidc_sim, idp):
    hop = consent_v2(idp, login_hint="no@fabrikam.example")
    assert {k: hop.params[k] for k in ("admin_consent", "error", "error_subcode", "state")} == {
        "admin_consent": "True", "error": "access_denied", "error_subcode": "cancel", "state": "s2"}
    assert "AADSTS65004" in hop.params["error_description"] and "tenant" not in hop.params


def test_admin_consent_v1_falls_back_to_the_first_registered_uri(oidc_sim, idp):
    hop = idp.get(f"/{FABRIKAM}/adminconsent", client_id=CALETA_APP, state="s1")
    assert str(hop.location).startswith(CALLBACK + "?") and hop.params == {
        "admin_consent": "True", "tenant": FABRIKAM, "state": "s1"}


def test_admin_consent_without_registered_uris_is_500113(sim, sim_certs):
    hop = OidcClient(sim.base_url, sim_certs.ca).get(f"/{FABRIKAM}/adminconsent", client_id=CALETA_APP)
    assert_page(hop, 500113)


def test_consent_control_lists_and_resets_the_tenant(oidc_sim, idp):
    consent_v2(idp)
    assert oidc_sim.consent(FABRIKAM)[0] | {"service_principal": None} == {
        "tenant_id": FABRIKAM, "client_id": CALETA_APP, "consented": True, "service_principal": None,
        "source": "admin_consent"}
    assert oidc_sim.consent(FABRIKAM, "reset")[0]["consented"] is False
    assert _refusal(arm_token(oidc_sim, idp, FABRIKAM))[2] == [700016]


def test_removed_enterprise_app_answers_700016_over_http_control(oidc_sim, idp):
    status, body = idp.call(f"{oidc_sim.base_url}/_sim/consent/remove", method="POST",
                            data=json.dumps({"tenant_id": CONTOSO}).encode())
    assert (status, body["tenants"][0]["source"]) == (200, "removed")
    assert _refusal(arm_token(oidc_sim, idp, CONTOSO))[2] == [700016]


# --- Caleta's admin tokens (issue 14): az account get-access-token --resource api://<admin-app-id> ---------------

def admin_token(client: OidcClient, login_hint: str) -> dict[str, Any]:
    verifier, challenge = pkce_pair()
    hop = client.authorize(CALETA_TENANT, client_id=AZURE_CLI, response_type="code",
                           redirect_uri="http://localhost:8400", scope=f"api://{ADMIN_API}/.default openid",
                           code_challenge=challenge, code_challenge_method="S256", login_hint=login_hint)
    status, body = client.redeem(CALETA_TENANT, {"client_id": AZURE_CLI, "code": hop.params["code"],
                                                 "redirect_uri": "http://localhost:8400", "code_verifier": verifier})
    assert status == 200, body
    return client.verify(body["access_token"], CALETA_TENANT, f"api://{ADMIN_API}", v2=False)


def test_operator_gets_a_v1_admin_token_with_role_and_mfa(oidc_sim, idp):
    claims = admin_token(idp, "ops@caleta.example")
    assert (claims["iss"], claims["roles"], claims["ver"], claims["appid"]) == (
        f"https://sts.windows.net/{CALETA_TENANT}/", ["Caleta.Admin"], "1.0", AZURE_CLI)
    assert "mfa" in claims["amr"]


def test_admin_token_shows_missing_mfa_and_missing_role(oidc_sim, idp):
    assert "mfa" not in admin_token(idp, "weak@caleta.example")["amr"]
    assert "roles" not in admin_token(idp, "staff@caleta.example")


def test_public_client_presenting_a_secret_is_refused_700025(oidc_sim, idp):
    verifier, challenge = pkce_pair()
    hop = idp.authorize(CALETA_TENANT, client_id=AZURE_CLI, response_type="code", redirect_uri="http://localhost",
                        scope=f"api://{ADMIN_API}/.default", code_challenge=challenge, code_challenge_method="S256")
    result = idp.redeem(CALETA_TENANT, {"client_id": AZURE_CLI, "code": hop.params["code"], "client_secret": "x",
                                        "redirect_uri": "http://localhost", "code_verifier": verifier})
    assert _refusal(result) == (401, "invalid_client", [700025])


def test_managed_identity_exchange_token_is_v2_for_caleta_tenant(oidc_sim, idp):
    claims = idp.verify(mi_assertion(oidc_sim, idp), CALETA_TENANT, "fb60f99c-7a34-4190-8149-302f77469936")
    assert (claims["sub"], claims["oid"], claims["idtyp"], claims["ver"]) == (
        CALETA_MI_OBJECT, CALETA_MI_OBJECT, "app", "2.0")
