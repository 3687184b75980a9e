"""The sign-in round trip's use cases with a fake Entra: start, callback, consent, and every forged way back.

Issue 13 section 1: the proof is a verified administrator's ID token; the consent redirect's unsigned `tenant`
and `admin_consent` never prove anything; the state is single use and bound to the browser by its cookie.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from shared.auth.errors import TokenRejected
from shared.auth.signin import pkce_challenge
from shared.config import reset_settings
from shared.errors import InvalidInput, Misconfigured
from shared.pipeline import signin
from shared.pipeline.signin import Answer
from tests.unit.fakes import World, make_world

TENANT = "11111111-1111-1111-1111-111111111111"
VICTIM = "aaaaaaaa-1111-1111-1111-111111111111"
APP = "bd8dba6b-cf6e-51da-b5bb-b8038200a519"
ADMIN = "66666666-6666-6666-6666-666666666666"
BASE = "https://caleta.example"
AUTHORITY = "https://login.microsoftonline.com"
ADDRESS = "203.0.113.7"


@pytest.fixture(autouse=True)
def settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in {"AZURE_AUTHORITY_HOST": AUTHORITY, "CALETA_APP_CLIENT_ID": APP,
                        "PUBLIC_BASE_URL": BASE}.items():
        monkeypatch.setenv(name, value)
    reset_settings()
    yield
    monkeypatch.undo()
    reset_settings()


@pytest.fixture
def world() -> World:
    return make_world(with_customer=False)


def started(world: World, tenant: str = TENANT) -> tuple[Answer, dict[str, str]]:
    answer = signin.start(world.services, tenant, ADDRESS)
    assert answer.location is not None
    return answer, {k: v[0] for k, v in parse_qs(urlsplit(answer.location).query).items()}


def back(world: World, state: str, cookie: str | None, code: str = "code-1") -> Answer:
    return signin.callback(world.services, {"code": code, "state": state, "session_state": "s"}, cookie, ADDRESS)


def proof_of(answer: Answer) -> str:
    assert answer.location is not None
    parts = urlsplit(answer.location)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{BASE}/api/onboarding"
    return parse_qs(parts.fragment)["proof"][0]


def test_start_sends_the_browser_to_authorize_with_state_nonce_and_pkce_when_asked(world: World) -> None:
    answer, params = started(world, TENANT.upper())
    assert answer.location is not None
    assert answer.location.startswith(f"{AUTHORITY}/{TENANT}/oauth2/v2.0/authorize?")
    assert params["client_id"] == APP and params["response_type"] == "code" and params["scope"] == "openid profile"
    assert params["redirect_uri"] == f"{BASE}/api/onboarding/callback"
    assert params["code_challenge_method"] == "S256" and params["nonce"] and answer.cookie == params["state"]
    # The state is kept only as its hash; the nonce and verifier are kept readable (Entra needs the verifier).
    (row,) = world.tables["signins"].rows.values()
    assert params["state"] not in json.dumps(dict(row)) and row["nonce"] == params["nonce"]
    assert pkce_challenge(row["code_verifier"]) == params["code_challenge"]


def test_start_refuses_a_tenant_that_is_not_a_guid_when_asked(world: World) -> None:
    with pytest.raises(InvalidInput):
        signin.start(world.services, "contoso.onmicrosoft.com", ADDRESS)
    assert not world.tables["signins"].rows


def test_admin_gets_a_proof_for_the_tenant_when_the_sign_in_verifies(world: World) -> None:
    # given
    _, params = started(world)
    world.entra.signs_in("code-1", TENANT, ADMIN)
    # when
    answer = back(world, params["state"], params["state"])
    # then
    handle = proof_of(answer)
    assert answer.cookie == ""
    assert world.services.proofs.consume(handle, TENANT, world.clock()).user_oid == ADMIN
    (redeemed,) = world.entra.redeemed
    assert redeemed[:2] == (TENANT, "code-1") and redeemed[4] == params["nonce"]


def test_callback_is_refused_when_the_cookie_does_not_match_the_state(world: World) -> None:
    _, params = started(world)
    world.entra.signs_in("code-1")
    assert back(world, params["state"], None).notice == "failed"
    assert back(world, params["state"], "another-browser").notice == "failed"
    assert not world.tables["proofs"].rows and world.entra.redeemed == []


def test_callback_is_refused_when_the_state_is_replayed(world: World) -> None:
    _, params = started(world)
    world.entra.signs_in("code-1")
    proof_of(back(world, params["state"], params["state"]))
    assert back(world, params["state"], params["state"]).notice == "failed"
    assert len(world.tables["proofs"].rows) == 1


def test_callback_is_refused_when_the_session_is_older_than_ten_minutes(world: World) -> None:
    _, params = started(world)
    world.entra.signs_in("code-1")
    world.clock.advance(minutes=10)
    assert back(world, params["state"], params["state"]).notice == "failed"


def test_error_answer_is_a_failure_and_spends_the_session_whatever_else_it_carries(world: World) -> None:
    _, params = started(world)
    world.entra.signs_in("code-1")
    answer = signin.callback(world.services, {"error": "access_denied", "code": "code-1", "state": params["state"]},
                             params["state"], ADDRESS)
    assert answer.notice == "failed"
    assert back(world, params["state"], params["state"]).notice == "failed"  # the session is gone
    assert world.entra.redeemed == []


def test_forged_callback_with_the_victims_tenant_and_an_attackers_state_proves_nothing(world: World) -> None:
    # given: the attacker started a sign-in for the victim's tenant (so they hold a real state and cookie),
    # but cannot sign in as the victim's administrator; they call the redirect URI by hand
    _, params = started(world, VICTIM)
    # when
    answer = signin.callback(world.services, {"code": "made-up", "state": params["state"], "tenant": VICTIM},
                             params["state"], ADDRESS)
    # then
    assert answer.notice == "failed" and not world.tables["proofs"].rows


def test_code_from_another_tenant_proves_nothing_when_the_id_token_names_it(world: World) -> None:
    _, params = started(world, VICTIM)
    world.entra.users["code-1"] = TokenRejected("iss")
    assert back(world, params["state"], params["state"]).notice == "failed"
    assert not world.tables["proofs"].rows


def test_non_administrator_is_sent_to_the_page_with_the_link_for_their_admin(world: World) -> None:
    _, params = started(world)
    world.entra.signs_in("code-1", admin=False)
    answer = back(world, params["state"], params["state"])
    assert answer.location == f"{BASE}/api/onboarding?tenant_id={TENANT}#outcome=not_admin"
    assert not world.tables["proofs"].rows


def test_token_without_wids_is_an_operator_error_when_the_registration_emits_no_roles(world: World) -> None:
    _, params = started(world)
    world.entra.signs_in("code-1", wids=False)
    with pytest.raises(Misconfigured):
        back(world, params["state"], params["state"])
    assert not world.tables["proofs"].rows


def test_disabled_app_is_explained_when_an_admin_disabled_it_in_the_tenant(world: World) -> None:
    _, params = started(world)
    world.entra.signs_in("code-1")
    world.entra.access[TENANT] = "disabled"
    assert back(world, params["state"], params["state"]).notice == "app_disabled"


def consent_state(world: World) -> tuple[Answer, dict[str, str]]:
    _, params = started(world)
    world.entra.signs_in("code-1", TENANT, ADMIN)
    world.entra.access[TENANT] = "consent_needed"
    answer = back(world, params["state"], params["state"])
    assert answer.location is not None
    return answer, {k: v[0] for k, v in parse_qs(urlsplit(answer.location).query).items()}


def test_verified_admin_is_sent_to_admin_consent_when_calatas_app_is_not_in_the_tenant(world: World) -> None:
    answer, params = consent_state(world)
    assert answer.location is not None
    assert answer.location.startswith(f"{AUTHORITY}/{TENANT}/v2.0/adminconsent?")
    assert params == {"client_id": APP, "scope": "openid profile", "state": params["state"],
                      "redirect_uri": f"{BASE}/api/onboarding/consent"}
    assert answer.cookie == params["state"] and not world.tables["proofs"].rows


def test_granted_consent_gives_the_proof_when_it_comes_back_for_the_proven_tenant(world: World) -> None:
    _, params = consent_state(world)
    answer = signin.consent(world.services, {"admin_consent": "True", "tenant": TENANT, "state": params["state"],
                                             "scope": "openid profile"}, params["state"], ADDRESS)
    assert world.services.proofs.consume(proof_of(answer), TENANT, world.clock()).user_oid == ADMIN


@pytest.mark.parametrize("query", [
    {"admin_consent": "True", "tenant": VICTIM},                          # another tenant than the one proven
    {"admin_consent": "True", "tenant": TENANT, "error": "access_denied"},  # any error is a failure
    {"admin_consent": "False", "tenant": TENANT},
    {"tenant": TENANT},
])
def test_consent_redirect_proves_nothing_when_it_is_not_a_clean_grant_for_the_proven_tenant(
        world: World, query: dict[str, str]) -> None:
    _, params = consent_state(world)
    answer = signin.consent(world.services, {**query, "state": params["state"]}, params["state"], ADDRESS)
    assert answer.notice == "failed" and not world.tables["proofs"].rows


def test_forged_consent_redirect_proves_nothing_without_a_verified_sign_in_behind_its_state(world: World) -> None:
    # The attacker's own state from a sign-in start (never verified), and no state at all.
    _, started_params = started(world, VICTIM)
    for state in (started_params["state"], "attacker-made-this-up", ""):
        answer = signin.consent(world.services, {"admin_consent": "True", "tenant": VICTIM, "state": state}, state,
                                ADDRESS)
        assert answer.notice == "failed"
    assert not world.tables["proofs"].rows


def test_consent_redirect_is_refused_in_another_browser_when_the_cookie_differs(world: World) -> None:
    _, params = consent_state(world)
    answer = signin.consent(world.services, {"admin_consent": "True", "tenant": TENANT, "state": params["state"]},
                            "someone-elses-cookie", ADDRESS)
    assert answer.notice == "failed" and not world.tables["proofs"].rows


def test_sweep_deletes_the_rows_of_past_days_when_it_runs(world: World) -> None:
    started(world)
    world.services.proofs.issue(TENANT, ADMIN, world.clock())
    world.clock.advance(days=2)
    assert signin.sweep(world.services) >= 3  # a session, a proof, the address counter
    assert not world.tables["signins"].rows and not world.tables["proofs"].rows
