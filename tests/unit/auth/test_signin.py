"""new_signin's authorize request (state, nonce, PKCE), redeem_code's inputs and Entra's error answers."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from azure.core.credentials import AccessToken
from azure.core.exceptions import ClientAuthenticationError

from shared.auth.errors import EntraRefused, EntraUnavailable
from shared.auth.signin import new_signin, pkce_challenge, redeem_code, token_error
from shared.errors import InvalidInput
from tests.unit.auth.conftest import set_env
from tests.unit.auth.tokens import APP, AUTHORITY, TENANT

URL_SAFE = re.compile(r"[A-Za-z0-9_-]+")
UNRESERVED = re.compile(r"[A-Za-z0-9\-._~]{43,128}")  # RFC 7636 section 4.1


def query_of(url: str) -> dict[str, str]:
    params = parse_qs(urlsplit(url).query, keep_blank_values=True)
    assert all(len(v) == 1 for v in params.values())
    return {k: v[0] for k, v in params.items()}


def test_authorize_url_asks_entra_for_a_code_with_pkce_and_nonce() -> None:
    start = new_signin(TENANT)
    parts = urlsplit(start.authorize_url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{AUTHORITY}/{TENANT}/oauth2/v2.0/authorize"
    assert query_of(start.authorize_url) == {
        "client_id": APP, "response_type": "code", "response_mode": "query",
        "redirect_uri": "https://caleta.example/api/onboarding/callback", "scope": "openid profile",
        "state": start.state, "nonce": start.nonce, "code_challenge": start.code_challenge,
        "code_challenge_method": "S256", "prompt": "select_account"}
    assert start.redirect_uri == "https://caleta.example/api/onboarding/callback" and start.tenant_id == TENANT


def test_state_and_nonce_are_at_least_32_random_url_safe_bytes() -> None:
    first, second = new_signin(TENANT), new_signin(TENANT)
    for value in (first.state, first.nonce):
        assert URL_SAFE.fullmatch(value) and len(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))) >= 32
    assert len({first.state, first.nonce, second.state, second.nonce}) == 4


def test_code_verifier_is_rfc7636_and_the_challenge_is_its_s256() -> None:
    start = new_signin(TENANT)
    assert UNRESERVED.fullmatch(start.code_verifier)
    digest = hashlib.sha256(start.code_verifier.encode()).digest()
    assert start.code_challenge == base64.urlsafe_b64encode(digest).decode().rstrip("=")
    assert start.code_verifier != new_signin(TENANT).code_verifier


def test_pkce_challenge_matches_rfc7636_appendix_b() -> None:
    verifier, challenge = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    assert pkce_challenge(verifier) == challenge


def test_tenant_id_is_canonicalised_lower_case() -> None:
    assert new_signin(TENANT.upper()).tenant_id == TENANT


@pytest.mark.parametrize("tenant", ["contoso.onmicrosoft.com", "common", "../x", f"{TENANT}\n", f"{{{TENANT}}}",
                                    TENANT.replace("-", ""), ""])
def test_anything_but_a_tenant_guid_is_refused_naming_the_field(tenant: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        new_signin(tenant)
    assert set(caught.value.fields) == {"tenant_id"}


def test_public_base_url_with_a_trailing_slash_gives_the_same_redirect(auth_settings: pytest.MonkeyPatch) -> None:
    set_env(auth_settings, "PUBLIC_BASE_URL", "https://caleta.example/")
    assert new_signin(TENANT).redirect_uri == "https://caleta.example/api/onboarding/callback"


def test_missing_app_client_id_is_an_operator_error(auth_settings: pytest.MonkeyPatch) -> None:
    auth_settings.delenv("CALETA_APP_CLIENT_ID")
    set_env(auth_settings, "PUBLIC_BASE_URL", "https://caleta.example")
    with pytest.raises(RuntimeError, match="CALETA_APP_CLIENT_ID"):
        new_signin(TENANT)


def test_authority_that_is_not_https_is_refused(auth_settings: pytest.MonkeyPatch) -> None:
    set_env(auth_settings, "AZURE_AUTHORITY_HOST", "http://login.microsoftonline.com")
    with pytest.raises(RuntimeError, match="https"):
        new_signin(TENANT)


# --- redeem_code ------------------------------------------------------------------------------------------------

class RefusingIdentity:
    """A managed identity that cannot give a token (the platform's endpoint refused)."""

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        raise ClientAuthenticationError("identity endpoint refused")


@pytest.mark.parametrize("code", ["", "x" * 8193])
def test_missing_or_oversized_code_is_refused_before_calling_entra(code: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        redeem_code(TENANT, code, "v" * 43, "https://caleta.example/api/onboarding/callback",
                    assertion_source=RefusingIdentity())
    assert set(caught.value.fields) == {"code"}


def test_no_assertion_from_the_managed_identity_is_transient() -> None:
    with pytest.raises(EntraUnavailable, match="managed identity"):
        redeem_code(TENANT, "1.Acode", "v" * 43, "https://caleta.example/api/onboarding/callback",
                    assertion_source=RefusingIdentity())


def test_entra_refusal_carries_the_error_word_and_aadsts_number_never_the_description() -> None:
    body = {"error": "invalid_grant", "error_codes": [54005], "trace_id": "t",
            "error_description": "AADSTS54005: OAuth2 Authorization code was already redeemed. user@x.example"}
    refusal = token_error(400, body)
    assert isinstance(refusal, EntraRefused)
    assert (refusal.error, refusal.aadsts, refusal.status) == ("invalid_grant", 54005, 400)
    assert "redeemed" not in str(refusal) and "user@x.example" not in str(refusal) and "AADSTS54005" in str(refusal)


@pytest.mark.parametrize(("body", "error", "aadsts"), [
    ({"error": "invalid_client"}, "invalid_client", None),
    ({"error": "<script>", "error_codes": ["54005"]}, "unrecognised", None),
    ({"error_codes": [True]}, "unrecognised", None),
    ({"error": "invalid_request", "error_codes": [900144, 1]}, "invalid_request", 900144),
])
def test_odd_error_answers_are_still_typed(body: dict[str, Any], error: str, aadsts: int | None) -> None:
    refusal = token_error(401, body)
    assert isinstance(refusal, EntraRefused) and (refusal.error, refusal.aadsts) == (error, aadsts)


@pytest.mark.parametrize("status", [429, 500, 503])
def test_throttling_and_server_errors_are_transient(status: int) -> None:
    assert isinstance(token_error(status, {"error": "temporarily_unavailable"}), EntraUnavailable)
