"""shared/auth against the simulated tenant (demo estate): the onboarding sign-in round trip and admin consent.

The product code runs as the Function App would: settings from the environment, Caleta's managed identity from
IDENTITY_ENDPOINT/IDENTITY_HEADER, TLS trust from REQUESTS_CA_BUNDLE. The browser is tests' OidcClient, which
reads each 302 without following it (the simulator has no login page: `login_hint` picks the user).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest

from local.certs import CertPaths
from local.estates.model import Caleta, load_estate
from shared.auth.consent import admin_consent_url, parse_consent_redirect
from shared.auth.errors import EntraRefused, EntraUnavailable, TokenRejected
from shared.auth.id_token import IdentityClaims, verify_id_token
from shared.auth.keys import default_key_cache, reset_key_cache
from shared.auth.signin import SigninStart, new_signin, redeem_code
from shared.config import reset_settings
from shared.identity import caleta_credential
from tests.conftest import DEMO_ESTATE
from tests.integration.oidc_client import Hop, OidcClient

pytestmark = pytest.mark.integration

PENNINE = "75f52ee7-223c-5660-b825-ac08303d192c"  # Caleta's app not yet consented
TAMAR = "aa30a467-eb60-5a00-92e6-aa20c25e51da"    # Caleta's app consented
TAMAR_ADMIN = ("cloud.admin@tamaranalytics.onmicrosoft.com", "95030cf8-4272-599d-a823-f43dcfe01107")
TAMAR_ANALYST = ("analyst@tamaranalytics.onmicrosoft.com", "0deae2b6-b64e-5022-8ccf-4edc59870381")
PUBLIC_BASE_URL = "http://127.0.0.1:7071"  # the local host's address; Entra ignores loopback ports


def product_env(sim: Any, certs: CertPaths, caleta: Caleta, public_base_url: str) -> dict[str, str]:
    """The app settings shared/auth reads, pointing at a simulator (as local/stack.py sets them)."""
    admin_api = caleta.admin_api
    return {"AZURE_AUTHORITY_HOST": sim.base_url, "REQUESTS_CA_BUNDLE": str(certs.bundle),
            "IDENTITY_ENDPOINT": sim.msi_endpoint, "IDENTITY_HEADER": sim.msi_header,
            "MANAGED_IDENTITY_CLIENT_ID": caleta.managed_identity_client_id,
            "CALETA_APP_CLIENT_ID": caleta.app_client_id, "PUBLIC_BASE_URL": public_base_url,
            "ADMIN_TENANT_ID": caleta.tenant_id,
            "ADMIN_API_AUDIENCE": admin_api.resource_uri() if admin_api else "", "ADMIN_REQUIRE_MFA": "true"}


def forget_cached_state() -> None:
    """Settings, Caleta's credential and Entra's keys are cached per process: start each test afresh."""
    reset_settings()
    caleta_credential.cache_clear()
    reset_key_cache()


@pytest.fixture(scope="module")
def caleta(simulator: Any, certs: CertPaths) -> Iterator[Caleta]:
    """The demo estate's Caleta block, with this process configured like the Function App."""
    loaded = load_estate(DEMO_ESTATE).caleta
    with pytest.MonkeyPatch.context() as mp:
        for name, value in product_env(simulator, certs, loaded, PUBLIC_BASE_URL).items():
            mp.setenv(name, value)
        yield loaded
    forget_cached_state()


@pytest.fixture
def browser(simulator: Any, certs: CertPaths, caleta: Caleta) -> Iterator[OidcClient]:
    """A browser on the simulated tenant, which is reset around each test."""
    simulator.reset()
    forget_cached_state()
    yield OidcClient(simulator.base_url, certs.ca)
    simulator.reset()


def follow(browser: OidcClient, url: str, login_hint: str) -> Hop:
    """GET an Entra URL the product built, as the user `login_hint`, without following the answer."""
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == browser.base_url
    return browser.get(f"{parts.path}?{parts.query}&{urlencode({'login_hint': login_hint})}")


def sign_in(browser: OidcClient, tenant: str, upn: str) -> tuple[SigninStart, Hop]:
    """new_signin, then the browser at the authorize URL as `upn`."""
    start = new_signin(tenant)
    return start, follow(browser, start.authorize_url, upn)


def test_admin_round_trip_proves_an_administrator(browser: OidcClient, caleta: Caleta) -> None:
    start, hop = sign_in(browser, TAMAR, TAMAR_ADMIN[0])
    assert hop.status == 302 and str(hop.location).startswith(f"{PUBLIC_BASE_URL}/api/onboarding/callback?")
    assert hop.params["state"] == start.state
    id_token = redeem_code(TAMAR, hop.params["code"], start.code_verifier, start.redirect_uri,
                           assertion_source=caleta_credential())
    identity = verify_id_token(id_token, tenant_id=TAMAR, client_id=caleta.app_client_id, nonce=start.nonce)
    assert identity == IdentityClaims(TAMAR, TAMAR_ADMIN[1], is_admin=True, has_wids=True)


def test_non_admin_round_trip_is_not_an_administrator(browser: OidcClient, caleta: Caleta) -> None:
    start, hop = sign_in(browser, TAMAR, TAMAR_ANALYST[0])
    id_token = redeem_code(TAMAR, hop.params["code"], start.code_verifier, start.redirect_uri,
                           assertion_source=caleta_credential())
    identity = verify_id_token(id_token, tenant_id=TAMAR, client_id=caleta.app_client_id, nonce=start.nonce)
    assert identity == IdentityClaims(TAMAR, TAMAR_ANALYST[1], is_admin=False, has_wids=True)


def test_replayed_code_is_refused_with_aadsts_54005(browser: OidcClient) -> None:
    start, hop = sign_in(browser, TAMAR, TAMAR_ADMIN[0])
    redeem_code(TAMAR, hop.params["code"], start.code_verifier, start.redirect_uri,
                assertion_source=caleta_credential())
    with pytest.raises(EntraRefused) as caught:
        redeem_code(TAMAR, hop.params["code"], start.code_verifier, start.redirect_uri,
                    assertion_source=caleta_credential())
    assert (caught.value.error, caught.value.aadsts, caught.value.status) == ("invalid_grant", 54005, 400)


def test_pkce_binds_the_code_to_this_sessions_verifier(browser: OidcClient) -> None:
    start, hop = sign_in(browser, TAMAR, TAMAR_ADMIN[0])
    with pytest.raises(EntraRefused) as caught:
        redeem_code(TAMAR, hop.params["code"], new_signin(TAMAR).code_verifier, start.redirect_uri,
                    assertion_source=caleta_credential())
    assert caught.value.aadsts == 501481


def test_id_token_from_one_sign_in_does_not_pass_for_another(browser: OidcClient, caleta: Caleta) -> None:
    start, hop = sign_in(browser, TAMAR, TAMAR_ADMIN[0])
    id_token = redeem_code(TAMAR, hop.params["code"], start.code_verifier, start.redirect_uri,
                           assertion_source=caleta_credential())
    with pytest.raises(TokenRejected, match="nonce"):
        verify_id_token(id_token, tenant_id=TAMAR, client_id=caleta.app_client_id, nonce=new_signin(TAMAR).nonce)
    with pytest.raises(TokenRejected, match="iss"):  # Tamar's token offered as Pennine's proof
        verify_id_token(id_token, tenant_id=PENNINE, client_id=caleta.app_client_id, nonce=start.nonce)


def test_admin_of_an_unconsented_tenant_signs_in_then_consents(simulator: Any, browser: OidcClient,
                                                               caleta: Caleta) -> None:
    start, hop = sign_in(browser, PENNINE, "it.admin@penninefreight.onmicrosoft.com")
    id_token = redeem_code(PENNINE, hop.params["code"], start.code_verifier, start.redirect_uri,
                           assertion_source=caleta_credential())
    assert verify_id_token(id_token, tenant_id=PENNINE, client_id=caleta.app_client_id, nonce=start.nonce).is_admin
    hop = follow(browser, admin_consent_url(PENNINE, "s2-bound-to-the-sign-in"),
                 "it.admin@penninefreight.onmicrosoft.com")
    assert str(hop.location).startswith(f"{PUBLIC_BASE_URL}/api/onboarding/consent?")
    result = parse_consent_redirect(hop.params)
    assert result.granted_for(PENNINE) and result.state == "s2-bound-to-the-sign-in"
    assert simulator.consent(PENNINE)[0]["consented"] is True


def test_non_admin_at_the_consent_url_gets_entras_page_and_never_comes_back(browser: OidcClient) -> None:
    hop = follow(browser, admin_consent_url(PENNINE, "s2"), "finance@penninefreight.onmicrosoft.com")
    assert (hop.status, hop.location) == (400, None) and "AADSTS90094" in hop.body


def test_keys_are_fetched_once_and_reused_across_sign_ins(browser: OidcClient, caleta: Caleta) -> None:
    for upn in (TAMAR_ADMIN[0], TAMAR_ANALYST[0]):
        start, hop = sign_in(browser, TAMAR, upn)
        id_token = redeem_code(TAMAR, hop.params["code"], start.code_verifier, start.redirect_uri,
                               assertion_source=caleta_credential())
        verify_id_token(id_token, tenant_id=TAMAR, client_id=caleta.app_client_id, nonce=start.nonce)
    assert default_key_cache().fetches == 2  # the discovery document and the key set


def test_tls_is_verified_against_the_configured_ca_only(browser: OidcClient, monkeypatch: pytest.MonkeyPatch) -> None:
    # Without REQUESTS_CA_BUNDLE, azure-core's transport trusts certifi's roots only: the local CA is refused.
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(EntraUnavailable):
        default_key_cache().document(f"{browser.base_url}/{TAMAR}/v2.0/.well-known/openid-configuration")
