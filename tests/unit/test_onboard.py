"""Onboarding with fakes: 202 payload, 422 with nothing stored, secret only in the secret store, roll-back."""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
from typing import Any

import pytest
from azure.core.credentials import AccessToken
from azure.core.exceptions import ClientAuthenticationError

from shared.errors import InvalidInput
from shared.pipeline.onboard import OnboardingDeps, PrincipalUnusable, onboard, revalidate_customer
from shared.pipeline.principal_roles import COST_MANAGEMENT_READER, READER
from shared.secrets import secret_name
from shared.storage import customers
from shared.storage.customers import Customer
from tests.unit.onboarding_fakes import FakeSecretStore, FakeTable
from tests.unit.test_validate_principal import FakeProbe

TENANT = "11111111-1111-1111-1111-111111111111"
CLIENT = "22222222-2222-2222-2222-222222222222"
GOOD = "33333333-3333-3333-3333-333333333333"
BAD = "55555555-5555-5555-5555-555555555555"
OID = "44444444-4444-4444-4444-444444444444"
CANARY = "CANARY-SECRET-1a2b3c"


def a_token(oid: str = OID) -> str:
    claims = base64.urlsafe_b64encode(json.dumps({"oid": oid, "tid": TENANT}).encode()).decode().rstrip("=")
    return f"e30.{claims}.sig"


class FakeCredential:
    def __init__(self, refusal: str | None = None) -> None:
        self.refusal = refusal

    def get_token(self, *scopes: str, **kwargs: object) -> AccessToken:
        if self.refusal:
            raise ClientAuthenticationError(message=self.refusal)
        return AccessToken(a_token(), 2_000_000_000)


class World:
    """Fakes for every dependency of onboarding, and what they saw."""

    def __init__(self, refusal: str | None = None) -> None:
        self.table = FakeTable()
        self.store = FakeSecretStore()
        self.probe = FakeProbe()
        self.probe.add_subscription(GOOD)
        self.probe.assign(READER, f"/subscriptions/{GOOD}")
        self.probe.assign(COST_MANAGEMENT_READER, f"/subscriptions/{GOOD}")
        self.scans: list[tuple[Customer, str]] = []
        self.scan_error: Exception | None = None
        self.refusal = refusal

    def request_scan(self, customer: Customer, reason: str) -> str:
        if self.scan_error:
            raise self.scan_error
        self.scans.append((customer, reason))
        return "scan-1"

    def deps(self) -> OnboardingDeps:
        return OnboardingDeps(credential_for=lambda _r: FakeCredential(self.refusal),
                              probe_for=lambda _c: self.probe, secrets=lambda: self.store,
                              request_scan=self.request_scan, customer_table=self.table,
                              clock=lambda: dt.datetime(2026, 11, 27, tzinfo=dt.UTC))


def a_body(subs: list[str], auth: dict[str, Any] | None = None) -> bytes:
    return json.dumps({"company": "Acme Ltd", "contact_email": "ops@acme.example", "tenant_id": TENANT,
                       "auth": auth or {"mode": "client_secret", "client_id": CLIENT, "client_secret": CANARY},
                       "subscription_ids": subs, "schedule": "weekly"}).encode()


def test_customer_is_recorded_and_scanned_when_one_subscription_is_ok() -> None:
    # given
    world = World()
    # when
    answer = onboard(a_body([GOOD, BAD]), world.deps())
    # then
    customer = customers.get_customer(answer["customer_id"], store=world.table)
    assert customer.subscription_ids == (GOOD,)
    assert [s["ok"] for s in answer["validation"]["subscriptions"]] == [True, False]
    assert answer["first_scan_id"] == "scan-1"
    assert world.scans == [(customer, "onboarding")]
    assert customers.authenticate(customer.customer_id, f"Bearer {answer['api_key']}", store=world.table) == customer


def test_secret_goes_only_to_secret_store_when_client_secret_mode(caplog: pytest.LogCaptureFixture) -> None:
    world = World()
    with caplog.at_level(logging.DEBUG):
        answer = onboard(a_body([GOOD]), world.deps())
    assert world.store.values == {secret_name(answer["customer_id"]): CANARY}
    assert CANARY not in json.dumps(answer)
    assert CANARY not in str(world.table.rows)
    assert CANARY not in str(world.scans)
    assert CANARY not in caplog.text


def test_no_secret_is_stored_when_federated_mode() -> None:
    world = World()
    answer = onboard(a_body([GOOD], {"mode": "federated"}), world.deps())
    assert world.store.values == {}
    assert customers.get_customer(answer["customer_id"], store=world.table).client_id is None


def test_nothing_is_stored_and_validation_returned_when_no_subscription_is_ok() -> None:
    world = World()
    with pytest.raises(PrincipalUnusable) as caught:
        onboard(a_body([BAD]), world.deps())
    assert caught.value.validation["subscriptions"][0]["ok"] is False
    assert (world.table.rows, world.store.values, world.scans) == ({}, {}, [])


def test_nothing_is_stored_and_field_named_when_secret_is_wrong() -> None:
    world = World(refusal="AADSTS7000215: Invalid client secret provided.")
    with pytest.raises(InvalidInput) as caught:
        onboard(a_body([GOOD]), world.deps())
    assert "wrong secret" in caught.value.fields["auth.client_secret"]
    assert CANARY not in str(caught.value)
    assert (world.table.rows, world.store.values) == ({}, {})


def test_nothing_is_stored_when_shape_is_bad() -> None:
    world = World()
    with pytest.raises(InvalidInput):
        onboard(b'{"company": ""}', world.deps())
    assert (world.table.rows, world.store.values) == ({}, {})


def test_customer_and_secret_are_rolled_back_when_scan_request_fails() -> None:
    world = World()
    world.scan_error = RuntimeError("bus down")
    with pytest.raises(RuntimeError):
        onboard(a_body([GOOD]), world.deps())
    assert (world.table.rows, world.store.values) == ({}, {})


def test_revalidation_records_the_new_result_when_roles_changed() -> None:
    # given: onboarded with one good subscription, then the other one gets both roles
    world = World()
    answer = onboard(a_body([GOOD, BAD]), world.deps())
    customer = customers.get_customer(answer["customer_id"], store=world.table)
    world.probe.add_subscription(BAD)
    world.probe.assign(READER, f"/subscriptions/{BAD}")
    world.probe.assign(COST_MANAGEMENT_READER, f"/subscriptions/{BAD}")
    # when
    revalidate_customer(customer, world.deps(), credential=FakeCredential())
    # then
    assert customers.get_customer(customer.customer_id, store=world.table).subscription_ids == (GOOD, BAD)


def test_revalidation_leaves_record_when_nothing_is_usable_any_more() -> None:
    world = World()
    answer = onboard(a_body([GOOD]), world.deps())
    customer = customers.get_customer(answer["customer_id"], store=world.table)
    world.probe.assignments.clear()
    with pytest.raises(PrincipalUnusable):
        revalidate_customer(customer, world.deps(), credential=FakeCredential())
    assert customers.get_customer(customer.customer_id, store=world.table) == customer
