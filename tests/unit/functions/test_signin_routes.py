"""The sign-in routes and the onboarding POST as HTTP: cookie attributes, redirects, notice pages, 429s."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import azure.functions as func
import pytest
from azure.functions.decorators.function_app import FunctionBuilder

from functions import onboarding, signin
from shared.config import reset_settings
from shared.services import OnboardingLimits, use_services
from tests.unit.fakes import World, make_world

FUNCTIONS = {b.build().get_function_name(): b.build() for m in (onboarding, signin)
             for b in vars(m).values() if isinstance(b, FunctionBuilder)}
TENANT = "11111111-1111-1111-1111-111111111111"


@pytest.fixture(params=["https://caleta.example", "http://127.0.0.1:7071"])
def base(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    for name, value in {"AZURE_AUTHORITY_HOST": "https://login.microsoftonline.com",
                        "CALETA_APP_CLIENT_ID": "bd8dba6b-cf6e-51da-b5bb-b8038200a519",
                        "PUBLIC_BASE_URL": request.param}.items():
        monkeypatch.setenv(name, value)
    reset_settings()
    yield str(request.param)
    monkeypatch.undo()
    reset_settings()


@pytest.fixture
def world(base: str) -> Iterator[World]:
    built = make_world(with_customer=False)
    with use_services(built.services):
        yield built


def get(name: str, params: dict[str, str], headers: dict[str, str] | None = None) -> Any:
    request = func.HttpRequest(method="GET", url=f"http://localhost/api/{name}", body=b"", params=params,
                               headers={"CF-Connecting-IP": "203.0.113.7", **(headers or {})})
    return FUNCTIONS[name.replace("/", "_")].get_user_function()(request)


def test_signin_redirects_and_binds_the_browser_with_a_strict_cookie_when_started(world: World, base: str) -> None:
    response = get("onboarding/signin", {"tenant_id": TENANT})
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("caleta_signin=") and "; Path=/api/onboarding;" in cookie
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=600" in cookie
    assert ("Secure" in cookie) is base.startswith("https://")


def test_signin_answers_a_notice_page_when_the_tenant_is_not_a_guid(world: World) -> None:
    response = get("onboarding/signin", {"tenant_id": "contoso.com"})
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert b"Enter your tenant id first" in response.get_body()
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_forged_callback_answers_400_and_clears_the_cookie_when_no_session_matches(world: World) -> None:
    response = get("onboarding/callback", {"code": "x", "state": "attacker"}, {"Cookie": "caleta_signin=attacker"})
    assert response.status_code == 400 and b"could not be completed" in response.get_body()
    assert "Max-Age=0" in response.headers["Set-Cookie"] and "Location" not in response.headers


def test_callback_returns_the_proof_in_the_fragment_when_the_admin_signed_in(world: World, base: str) -> None:
    start = get("onboarding/signin", {"tenant_id": TENANT})
    state = start.headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
    world.entra.signs_in("good-code")
    response = get("onboarding/callback", {"code": "good-code", "state": state}, {"Cookie": f"caleta_signin={state}"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"{base}/api/onboarding?tenant_id={TENANT}#proof=")


def test_address_over_its_allowance_gets_429_with_retry_after_on_every_route(world: World) -> None:
    world.services.onboarding_limits = OnboardingLimits(45.0, 1, 10)
    get("onboarding/signin", {"tenant_id": TENANT})
    page = get("onboarding/callback", {"code": "x", "state": "y"})
    assert page.status_code == 429 and int(page.headers["Retry-After"]) >= 1
    post = FUNCTIONS["onboard_customer"].get_user_function()(func.HttpRequest(
        method="POST", url="http://localhost/api/onboarding", headers={"CF-Connecting-IP": "203.0.113.7"},
        body=json.dumps({"company": "A", "contact_email": "a@b.example", "tenant_id": TENANT,
                         "auth": {"mode": "federated", "proof": "p" * 43}, "subscription_ids": [TENANT]}).encode()))
    assert post.status_code == 429 and json.loads(post.get_body())["error"] == "rate_limited"
    assert int(post.headers["Retry-After"]) >= 1


def test_operator_error_answers_503_when_caletas_registration_emits_no_roles(world: World) -> None:
    start = get("onboarding/signin", {"tenant_id": TENANT})
    state = start.headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
    world.entra.signs_in("code", wids=False)
    response = get("onboarding/callback", {"code": "code", "state": state}, {"Cookie": f"caleta_signin={state}"})
    assert response.status_code == 503 and b"has been alerted" in response.get_body()
