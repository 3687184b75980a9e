"""Onboarding with fakes: 202 payload, awaiting roles, secret only in the secret store, roll-back, revalidation.

The proof (handles, rate limits, repeats, crash safety) is in test_onboard_proof.py."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from shared.errors import InvalidInput, PrincipalUnusable
from shared.messages import ScanRequested
from shared.pipeline.onboard import onboard
from shared.pipeline.principal_roles import COST_MANAGEMENT_READER, READER
from shared.pipeline.revalidate import revalidate_customer
from shared.secrets import secret_name
from tests.unit.fakes import FakeCredential, World, make_world

TENANT = "11111111-1111-1111-1111-111111111111"
CLIENT = "22222222-2222-2222-2222-222222222222"
GOOD = "33333333-3333-3333-3333-333333333333"
BAD = "55555555-5555-5555-5555-555555555555"
CANARY = "CANARY-SECRET-1a2b3c"


def a_world(refusal: str | None = None) -> World:
    """Fakes for every dependency of onboarding: one subscription with both roles, one without."""
    world = make_world(with_customer=False)
    world.credentials.credential = FakeCredential(refusal)
    world.probe.add_subscription(GOOD)
    world.probe.assign(READER, f"/subscriptions/{GOOD}")
    world.probe.assign(COST_MANAGEMENT_READER, f"/subscriptions/{GOOD}")
    return world


def nothing_stored(world: World) -> bool:
    return not world.tables["customers"].rows and not world.tables["scans"].rows and not world.secret_store.values


def a_proof(world: World, tenant: str = TENANT) -> dict[str, Any]:
    """The auth of a federated request carrying a fresh proof handle for `tenant`."""
    return {"mode": "federated", "proof": world.services.proofs.issue(tenant, "o" * 36, world.clock())}


def a_body(subs: list[str], auth: dict[str, Any] | None = None) -> bytes:
    return json.dumps({"company": "Acme Ltd", "contact_email": "ops@acme.example", "tenant_id": TENANT,
                       "auth": auth or {"mode": "client_secret", "client_id": CLIENT, "client_secret": CANARY},
                       "subscription_ids": subs, "schedule": "weekly"}).encode()


def test_customer_is_recorded_and_scanned_when_one_subscription_is_ok() -> None:
    # given
    world = a_world()
    # when
    answer = onboard(a_body([GOOD, BAD]), world.services)
    # then
    customer = world.customers.get(answer.customer_id)
    assert customer.subscription_ids == (GOOD,)
    assert [s.ok for s in answer.validation.subscriptions] == [True, False]
    assert answer.first_scan_id is not None and answer.state == "active" and customer.state == "active"
    assert answer.status_url.endswith(f"/api/customers/{customer.customer_id}")
    assert world.bus.sent == [ScanRequested(customer_id=customer.customer_id, scan_id=answer.first_scan_id)]
    assert world.scans.get(customer.customer_id, answer.first_scan_id).requested_by == "onboarding"
    assert world.customers.authenticate_key(customer.customer_id, answer.api_key) == customer


def test_secret_goes_only_to_secret_store_when_client_secret_mode(caplog: pytest.LogCaptureFixture) -> None:
    world = a_world()
    with caplog.at_level(logging.DEBUG):
        answer = onboard(a_body([GOOD]), world.services)
    assert world.secret_store.values == {secret_name(answer.customer_id): CANARY}
    assert CANARY not in answer.model_dump_json()
    assert CANARY not in str(world.tables["customers"].rows)
    assert CANARY not in str(world.bus.sent)
    assert CANARY not in caplog.text


def test_no_secret_is_stored_when_federated_mode() -> None:
    world = a_world()
    answer = onboard(a_body([GOOD], a_proof(world)), world.services)
    assert world.secret_store.values == {}
    assert world.customers.get(answer.customer_id).client_id is None


def test_customer_awaits_roles_with_a_key_and_no_scan_when_no_subscription_is_readable_yet() -> None:
    # given: roles assigned moments ago are not visible yet (docs/onboarding-design.md section 4)
    world = a_world()
    # when
    answer = onboard(a_body([BAD]), world.services)
    # then
    assert (answer.state, answer.first_scan_id) == ("awaiting_roles", None)
    assert answer.validation.subscriptions[0].ok is False
    customer = world.customers.authenticate_key(answer.customer_id, answer.api_key)
    assert customer.state == "awaiting_roles" and customer.subscription_ids == (BAD,)
    assert world.bus.sent == [] and not world.tables["scans"].rows


def test_nothing_is_stored_and_field_named_when_secret_is_wrong() -> None:
    world = a_world(refusal="AADSTS7000215: Invalid client secret provided.")
    with pytest.raises(InvalidInput) as caught:
        onboard(a_body([GOOD]), world.services)
    assert "wrong secret" in caught.value.fields["auth.client_secret"]
    assert CANARY not in str(caught.value)
    assert nothing_stored(world)


def test_nothing_is_stored_when_shape_is_bad() -> None:
    world = a_world()
    with pytest.raises(InvalidInput):
        onboard(b'{"company": ""}', world.services)
    assert nothing_stored(world)


def test_customer_secret_and_scan_are_rolled_back_when_scan_request_fails() -> None:
    world = a_world()
    world.bus.fail = 1
    with pytest.raises(RuntimeError):
        onboard(a_body([GOOD]), world.services)
    assert nothing_stored(world)


def test_revalidation_records_the_new_result_when_roles_changed() -> None:
    # given: onboarded with one good subscription, then the other one gets both roles
    world = a_world()
    answer = onboard(a_body([GOOD, BAD]), world.services)
    customer = world.customers.get(answer.customer_id)
    world.probe.add_subscription(BAD)
    world.probe.assign(READER, f"/subscriptions/{BAD}")
    world.probe.assign(COST_MANAGEMENT_READER, f"/subscriptions/{BAD}")
    # when
    revalidate_customer(world.services, customer)
    # then
    assert world.customers.get(customer.customer_id).subscription_ids == (GOOD, BAD)


def test_revalidation_leaves_record_when_nothing_is_usable_any_more() -> None:
    world = a_world()
    answer = onboard(a_body([GOOD]), world.services)
    customer = world.customers.get(answer.customer_id)
    world.probe.assignments.clear()
    with pytest.raises(PrincipalUnusable):
        revalidate_customer(world.services, customer)
    assert world.customers.get(customer.customer_id) == customer
