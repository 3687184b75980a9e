"""Issue 13 section 1 on the whole local stack, through the host's HTTP routes: the proof of a tenant.

The attack of finding 1 - calling Caleta's redirect URIs by hand with the victim's tenant and an attacker's
state, or onboarding with no proof - must not onboard anyone; an honest administrator's round trip does, and
a non-administrator gets the link for their administrator. Rate limits hold per client address (the host sets
CF-Connecting-IP from the TCP peer: each test calls from its own loopback address) and per tenant.
"""

from __future__ import annotations

import http.client
import json
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from local.consent import Browser, prove
from local.demo import first_admin, onboarding_body
from local.estates.model import Estate, Tenant, load_estate
from tests.conftest import DEMO_ESTATE, Api

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def estate() -> Estate:
    return load_estate(DEMO_ESTATE)


def tenant(estate: Estate, name: str) -> Tenant:
    return next(t for t in estate.tenants if t.display_name.startswith(name))


def call(api: Api, source: str, method: str, path: str, body: Any = None,
         headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """One request to the host from the loopback address `source` (the host's TCP peer)."""
    parts = urlsplit(api.base_url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=60,
                                            source_address=(source, 0))
    data = json.dumps(body).encode() if body is not None else None
    all_headers = {"Content-Type": "application/json", **(headers or {})} if data else dict(headers or {})
    try:
        connection.request(method, path, body=data, headers=all_headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def customers_of(tenant_id: str) -> list[Any]:
    from shared.services import get_services

    return list(get_services().customers.for_tenant(tenant_id))


def proofs_issued() -> int:
    from shared.storage.clients import open_table

    return sum(1 for _ in open_table("proofs").list_entities())


def test_forged_callback_with_the_victims_tenant_and_an_attackers_state_does_not_onboard(
        api: Api, estate: Estate, stack: Any, in_process: None) -> None:
    # given: the victim's tenant (consented, a customer-to-be) and what exists for it before the attack
    victim = tenant(estate, "Tamar")
    before, proofs_before = len(customers_of(victim.tenant_id)), proofs_issued()
    attacker = "127.0.0.21"
    # when: the attacker calls the redirect URI by hand, with a made-up state and with a real state of their own
    # (from starting a sign-in for the victim's tenant, cookie included)
    forged = [call(api, attacker, "GET", "/api/onboarding/callback?" + urlencode(
        {"code": "forged-code", "state": "attackers-state", "tenant": victim.tenant_id}))]
    status, headers, _ = call(api, attacker, "GET", f"/api/onboarding/signin?tenant_id={victim.tenant_id}")
    assert status == 302
    state = parse_qs(urlsplit(headers["location"]).query)["state"][0]
    forged.append(call(api, attacker, "GET", "/api/onboarding/callback?" + urlencode(
        {"code": "forged-code", "state": state}), headers={"Cookie": f"caleta_signin={state}"}))
    # ... and the admin-consent redirect, whose tenant and admin_consent parameters are unsigned
    forged.append(call(api, attacker, "GET", "/api/onboarding/consent?" + urlencode(
        {"admin_consent": "True", "tenant": victim.tenant_id, "state": state}),
        headers={"Cookie": f"caleta_signin={state}"}))
    forged.append(call(api, attacker, "GET", "/api/onboarding/consent?" + urlencode(
        {"admin_consent": "True", "tenant": victim.tenant_id, "state": "attackers-state"})))
    # ... then tries to onboard with no proof, a made-up one, and the old request shape of finding 1
    body = onboarding_body(victim, estate, proof="attackers-guess-" + "x" * 27)
    body["contact_email"] = "mallory@evil.example"
    posts = [call(api, attacker, "POST", "/api/onboarding", body),
             call(api, attacker, "POST", "/api/onboarding", {**body, "auth": {"mode": "federated"}})]
    # then: no redirect carries a proof, no proof was issued, and no customer was recorded
    for status, headers, page in forged:
        assert status == 400 and "location" not in headers and b"could not be completed" in page
    assert [(s, list(json.loads(b)["fields"])) for s, _, b in posts] == [(400, ["auth.proof"])] * 2
    assert proofs_issued() == proofs_before
    assert len(customers_of(victim.tenant_id)) == before
    assert b"mallory" not in stack.host_log.read_bytes()


def test_code_signed_in_to_the_attackers_own_tenant_proves_nothing_for_the_victims(
        api: Api, estate: Estate, stack: Any, in_process: None) -> None:
    # given: the attacker administers their own tenant (Wessex) and starts a sign-in for the victim's (Tamar)
    victim, own = tenant(estate, "Tamar"), tenant(estate, "Wessex")
    browser = Browser(Path(api.ca_bundle))
    status, location = browser.get(f"{api.base_url}/api/onboarding/signin?tenant_id={victim.tenant_id}")
    assert status == 302
    # when: they sign in to their own tenant with Caleta's app and redirect URI, carrying the victim's state
    query = parse_qs(urlsplit(location).query)
    mine = location.replace(f"/{victim.tenant_id}/", f"/{own.tenant_id}/")
    status, back = browser.get(f"{mine}&{urlencode({'login_hint': first_admin(own)})}")
    assert status == 302 and parse_qs(urlsplit(back).query)["state"] == query["state"]
    before = proofs_issued()
    status, location = browser.get(back)
    # then: the code is redeemed at the victim's tenant, which refuses it; no proof
    assert (status, location) == (400, "") and proofs_issued() == before


def test_honest_administrator_onboards_through_the_round_trip_and_the_existing_contact_hears(
        api: Api, estate: Estate, stack: Any) -> None:
    # given: Tamar onboarded once already
    tamar = tenant(estate, "Tamar")
    first_trip = prove(api.base_url, Path(api.ca_bundle), tamar.tenant_id, first_admin(tamar))
    first = api.post("/api/onboarding", onboarding_body(tamar, estate, first_trip.proof))
    assert first.status == 202, first.body[:300]
    # when: an administrator of the tenant onboards it again, through the same proof
    trip = prove(api.base_url, Path(api.ca_bundle), tamar.tenant_id, first_admin(tamar))
    body = {**onboarding_body(tamar, estate, trip.proof), "contact_email": "second@tamar.example"}
    second = api.post("/api/onboarding", body)
    # then
    answer = second.json()
    assert second.status == 202 and answer["state"] == "active" and answer["first_scan_id"]
    assert answer["status_url"] == f"{api.base_url}/api/customers/{answer['customer_id']}"
    assert api.post("/api/onboarding", body).status == 400  # the proof was used once
    outbox = [json.loads(p.read_text()) for p in sorted((Path(stack.state_dir) / "outbox").glob("*.json"))]
    told = [m for m in outbox if m["kind"] == "tenant_onboarded_again"
            and m["customer_id"] == first.json()["customer_id"]]
    assert len(told) == 1 and "second@tamar.example" not in told[0]["body"]


def test_non_administrator_gets_the_link_for_their_administrator_when_signed_in(api: Api, estate: Estate) -> None:
    tamar = tenant(estate, "Tamar")
    analyst = next(u for u in tamar.users if not u.directory_roles)
    trip = prove(api.base_url, Path(api.ca_bundle), tamar.tenant_id, analyst.user_principal_name)
    assert (trip.outcome, trip.proof) == ("not_admin", None)


def test_administrator_consents_then_awaits_roles_when_calatas_app_was_not_in_the_tenant(
        api: Api, estate: Estate) -> None:
    # given: Pennine onboarded with its own secret; Caleta's app is not in its tenant
    pennine = tenant(estate, "Pennine")
    # when: its administrator chooses Caleta's app instead
    trip = prove(api.base_url, Path(api.ca_bundle), pennine.tenant_id, first_admin(pennine))
    body = onboarding_body(pennine, estate)
    body["auth"] = {"mode": "federated", "proof": trip.proof}
    answer = api.post("/api/onboarding", body)
    # then: the round trip went through admin consent, and no role is assigned to Caleta's app yet
    assert trip.consented and trip.outcome == "proof"
    assert answer.status == 202, answer.body[:300]
    assert (answer.json()["state"], answer.json()["first_scan_id"]) == ("awaiting_roles", None)


def test_address_gets_429_with_retry_after_past_its_allowance_and_a_sent_header_changes_nothing(
        api: Api, stack: Any, estate: Estate) -> None:
    limit = int(stack.app_settings.get("ONBOARDING_RATE_PER_ADDRESS_PER_HOUR", 60))
    some = "00000000-0000-0000-0000-00000000beef"
    statuses = [call(api, "127.0.0.31", "GET", f"/api/onboarding/signin?tenant_id={some}")[0]
                for _ in range(limit)]
    assert statuses == [302] * limit
    status, headers, _ = call(api, "127.0.0.31", "GET", f"/api/onboarding/signin?tenant_id={some}")
    assert status == 429 and int(headers["retry-after"]) >= 1
    post = call(api, "127.0.0.31", "POST", "/api/onboarding",
                onboarding_body(tenant(estate, "Tamar"), estate, proof="y" * 43))
    assert post[0] == 429 and json.loads(post[2])["error"] == "rate_limited"
    # Another client claiming to be the blocked address, or the blocked one claiming another: the peer counts.
    assert call(api, "127.0.0.32", "GET", f"/api/onboarding/signin?tenant_id={some}",
                headers={"CF-Connecting-IP": "127.0.0.31"})[0] == 302
    assert call(api, "127.0.0.31", "GET", f"/api/onboarding/signin?tenant_id={some}",
                headers={"CF-Connecting-IP": "127.0.0.33"})[0] == 429


def test_tenant_gets_429_after_its_failed_attempts_without_the_secret_being_tried(
        api: Api, estate: Estate, stack: Any) -> None:
    limit = int(stack.app_settings.get("ONBOARDING_FAILURES_PER_TENANT_PER_HOUR", 10))
    body = onboarding_body(tenant(estate, "Pennine"), estate)
    body["tenant_id"] = str(uuid.uuid4())
    body["auth"]["client_secret"] = "CANARY-stolen-secret-guess"
    statuses = [call(api, "127.0.0.41", "POST", "/api/onboarding", body)[0] for _ in range(limit)]
    assert statuses == [400] * limit
    tries_before = len(stack.simulator.request_log)
    status, headers, _ = call(api, "127.0.0.42", "POST", "/api/onboarding", body)
    assert status == 429 and int(headers["retry-after"]) >= 1
    time.sleep(0.2)
    assert [r.path for r in stack.simulator.request_log[tries_before:] if body["tenant_id"] in r.path] == []
