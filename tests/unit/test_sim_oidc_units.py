"""Pure parts of the simulated Entra sign-in: redirect URI matching, scopes, PKCE and code lifetimes."""

from __future__ import annotations

import pytest

from local.simulator.oidc_codes import CodeState, CodeStore
from local.simulator.oidc_directory import split_scopes
from local.simulator.oidc_pages import acceptable, matches, redirect, with_path

REGISTERED = ["https://caleta.example/api/onboarding/callback", "http://127.0.0.1/api/onboarding/callback",
              "http://localhost"]


@pytest.mark.parametrize(("uri", "ok"), [
    ("https://caleta.example/api/onboarding/callback", True),
    ("https://CALETA.example/api/onboarding/callback", True),
    ("https://caleta.example/api/onboarding/Callback", False),
    ("https://caleta.example:8443/api/onboarding/callback", False),
    ("https://caleta.example/api/onboarding/callback?x=1", False),
    ("http://caleta.example/api/onboarding/callback", False),
    ("http://127.0.0.1:7071/api/onboarding/callback", True),
    ("http://127.0.0.1:7071/api/onboarding/consent", False),
    ("http://localhost:8400", True),
    ("http://localhost:8400/", True),
    ("http://localhost.evil.example/", False),
])
def test_redirect_uri_matches_like_entra_when_compared(uri, ok):
    assert matches(uri, REGISTERED) is ok


def test_plain_http_is_acceptable_only_on_loopback():
    assert acceptable("http://127.0.0.1:1/x") and not acceptable("http://caleta.example/x")


def test_uri_without_path_gets_a_trailing_slash_when_redirected():
    assert with_path("http://localhost:8400") == "http://localhost:8400/"
    assert redirect("http://localhost:8400", {"code": "c"}).headers["Location"] == "http://localhost:8400/?code=c"


def test_scopes_split_into_openid_and_resource_scopes():
    assert split_scopes("openid  profile https://management.azure.com/.default offline_access") == (
        ["openid", "profile", "offline_access"], ["https://management.azure.com/.default"])


def test_code_is_spent_by_its_first_redemption_and_expires_on_demand():
    store = CodeStore()

    def issue() -> str:
        return store.issue(tenant_id="t", client_id="c", redirect_uri="u", challenge=None, challenge_method=None,
                           nonce=None, user_object_id="o", scopes=("openid",))
    first, second = issue(), issue()
    assert store.redeem(first)[0] is CodeState.OK and store.redeem(first)[0] is CodeState.USED
    assert store.expire_all() == 2 and store.redeem(second)[0] is CodeState.EXPIRED
    assert store.redeem("nope")[0] is CodeState.UNKNOWN
