"""Customer records: round trip, state changes and API-key authentication (in-memory table)."""

from __future__ import annotations

import datetime as dt

import pytest

from shared.errors import Conflict, NotFound, Unauthorized
from shared.storage import customers
from shared.storage.customers import Customer
from tests.unit.onboarding_fakes import FakeTable


def a_customer(**overrides: object) -> Customer:
    values: dict[str, object] = {
        "customer_id": customers.new_customer_id(),
        "company": "Acme Ltd",
        "contact_email": "ops@acme.example",
        "tenant_id": "11111111-1111-1111-1111-111111111111",
        "auth_mode": "client_secret",
        "client_id": "22222222-2222-2222-2222-222222222222",
        "subscription_ids": ("33333333-3333-3333-3333-333333333333",),
        "schedule": "weekly",
        "state": "active",
        "state_reason": None,
        "created_at": dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC),
        "validation": {"subscriptions": [{"subscription_id": "33333333-3333-3333-3333-333333333333", "ok": True}]},
    }
    values.update(overrides)
    return Customer(**values)  # type: ignore[arg-type]


def test_customer_round_trips_when_stored_and_read_back() -> None:
    store, customer = FakeTable(), a_customer()
    customers.create_customer(customer, "k" * 43, store=store)
    assert customers.get_customer(customer.customer_id, store=store) == customer


def test_api_key_is_stored_only_as_hash_when_customer_created() -> None:
    store, customer, key = FakeTable(), a_customer(), customers.new_api_key()
    customers.create_customer(customer, key, store=store)
    (row,) = store.rows.values()
    assert key not in str(row)
    assert row["api_key_sha256"] == customers.hash_api_key(key)


def test_large_validation_is_split_across_columns_when_over_one_property() -> None:
    store = FakeTable()
    subs = tuple(f"{i:08d}-0000-0000-0000-000000000000" for i in range(1000))
    big = {"subscriptions": [{"subscription_id": s, "ok": True, "notes": ["x" * 40]} for s in subs]}
    customer = a_customer(subscription_ids=subs, validation=big)
    customers.create_customer(customer, "k" * 43, store=store)
    (row,) = store.rows.values()
    assert max(len(str(v)) for v in row.values()) <= 30_000
    assert customers.get_customer(customer.customer_id, store=store) == customer


def test_create_refuses_when_id_already_used() -> None:
    store, customer = FakeTable(), a_customer()
    customers.create_customer(customer, "k" * 43, store=store)
    with pytest.raises(Conflict):
        customers.create_customer(customer, "k" * 43, store=store)


def test_get_raises_not_found_when_id_unknown() -> None:
    with pytest.raises(NotFound):
        customers.get_customer(customers.new_customer_id(), store=FakeTable())


def test_state_changes_when_updated() -> None:
    store, customer = FakeTable(), a_customer()
    customers.create_customer(customer, "k" * 43, store=store)
    customers.update_customer_state(customer.customer_id, "access_revoked", "wrong secret", store=store)
    got = customers.get_customer(customer.customer_id, store=store)
    assert (got.state, got.state_reason) == ("access_revoked", "wrong secret")


def test_update_validation_leaves_no_stale_chunks_when_value_shrinks() -> None:
    store = FakeTable()
    customer = a_customer(validation={"blob": "y" * 70_000})
    customers.create_customer(customer, "k" * 43, store=store)
    customers.update_validation(customer.customer_id, {"small": True}, ("s",), store=store)
    got = customers.get_customer(customer.customer_id, store=store)
    assert (got.validation, got.subscription_ids) == ({"small": True}, ("s",))


def test_authenticate_returns_customer_when_key_matches() -> None:
    store, customer, key = FakeTable(), a_customer(), customers.new_api_key()
    customers.create_customer(customer, key, store=store)
    assert customers.authenticate(customer.customer_id, f"Bearer {key}", store=store) == customer


@pytest.mark.parametrize("header", [None, "", "Basic abc", "Bearer", "Bearer short", "bearer " + "a" * 43])
def test_authenticate_raises_unauthorized_when_header_missing_or_malformed(header: str | None) -> None:
    store, customer = FakeTable(), a_customer()
    customers.create_customer(customer, "k" * 43, store=store)
    with pytest.raises(Unauthorized):
        customers.authenticate(customer.customer_id, header, store=store)


def test_authenticate_raises_not_found_when_key_belongs_to_another_customer() -> None:
    store, mine, theirs = FakeTable(), a_customer(), a_customer()
    my_key, their_key = customers.new_api_key(), customers.new_api_key()
    customers.create_customer(mine, my_key, store=store)
    customers.create_customer(theirs, their_key, store=store)
    with pytest.raises(NotFound):
        customers.authenticate(theirs.customer_id, f"Bearer {my_key}", store=store)


def test_authenticate_raises_not_found_when_id_unknown_or_malformed() -> None:
    store = FakeTable()
    for customer_id in (customers.new_customer_id(), "../etc", "X" * 32):
        with pytest.raises(NotFound):
            customers.authenticate(customer_id, "Bearer " + "a" * 43, store=store)
