"""Customer records: round trip, state moves and API-key authentication (in-memory table)."""

from __future__ import annotations

import datetime as dt

import pytest

from local.memtable import MemoryTable
from shared.domain import Customer
from shared.errors import Conflict, IllegalTransition, NotFound, Unauthorized
from shared.storage import customers
from shared.storage.customers import CustomerStore


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


def a_store() -> tuple[MemoryTable, CustomerStore]:
    table = MemoryTable()
    return table, CustomerStore(table)


def test_customer_round_trips_when_stored_and_read_back() -> None:
    store = CustomerStore(MemoryTable())
    customer = a_customer()
    store.create(customer, "k" * 43)
    assert store.get(customer.customer_id) == customer


def test_api_key_is_stored_only_as_hash_when_customer_created() -> None:
    table, store = a_store()
    customer, key = a_customer(), customers.new_api_key()
    store.create(customer, key)
    (row,) = table.rows.values()
    assert key not in str(row)
    assert row["api_key_sha256"] == customers.hash_api_key(key)


def test_large_validation_is_split_across_columns_when_over_one_property() -> None:
    table, store = a_store()
    subs = tuple(f"{i:08d}-0000-0000-0000-000000000000" for i in range(1000))
    big = {"subscriptions": [{"subscription_id": s, "ok": True, "notes": ["x" * 40]} for s in subs]}
    customer = a_customer(subscription_ids=subs, validation=big)
    store.create(customer, "k" * 43)
    (row,) = table.rows.values()
    assert max(len(str(v)) for v in row.values()) <= 30_000
    assert store.get(customer.customer_id) == customer


def test_create_refuses_when_id_already_used() -> None:
    store = CustomerStore(MemoryTable())
    customer = a_customer()
    store.create(customer, "k" * 43)
    with pytest.raises(Conflict):
        store.create(customer, "k" * 43)


def test_get_raises_not_found_when_id_unknown() -> None:
    with pytest.raises(NotFound):
        a_store()[1].get(customers.new_customer_id())


def test_state_changes_when_updated() -> None:
    store = CustomerStore(MemoryTable())
    customer = a_customer()
    store.create(customer, "k" * 43)
    assert store.transition(customer.customer_id, {"active"}, "access_revoked", "wrong secret")
    got = store.get(customer.customer_id)
    assert (got.state, got.state_reason) == ("access_revoked", "wrong secret")


def test_update_validation_leaves_no_stale_chunks_when_value_shrinks() -> None:
    store = CustomerStore(MemoryTable())
    customer = a_customer(validation={"blob": "y" * 70_000})
    store.create(customer, "k" * 43)
    store.update_validation(customer.customer_id, {"small": True}, ("s",))
    got = store.get(customer.customer_id)
    assert (got.validation, got.subscription_ids) == ({"small": True}, ("s",))


def test_authenticate_returns_customer_when_key_matches() -> None:
    store = CustomerStore(MemoryTable())
    customer, key = a_customer(), customers.new_api_key()
    store.create(customer, key)
    assert store.authenticate_key(customer.customer_id, key) == customer


@pytest.mark.parametrize("key", ["", "short", "a" * 201, "a" * 30 + " " + "b" * 12, "ä" * 43])
def test_authenticate_raises_unauthorized_when_key_is_malformed(key: str) -> None:
    store = CustomerStore(MemoryTable())
    customer = a_customer()
    store.create(customer, "k" * 43)
    with pytest.raises(Unauthorized):
        store.authenticate_key(customer.customer_id, key)


def test_authenticate_raises_not_found_when_key_belongs_to_another_customer() -> None:
    store = CustomerStore(MemoryTable())
    mine, theirs = a_customer(), a_customer()
    my_key, their_key = customers.new_api_key(), customers.new_api_key()
    store.create(mine, my_key)
    store.create(theirs, their_key)
    with pytest.raises(NotFound):
        store.authenticate_key(theirs.customer_id, my_key)


def test_authenticate_raises_not_found_when_id_unknown_or_malformed() -> None:
    store = CustomerStore(MemoryTable())
    for customer_id in (customers.new_customer_id(), "../etc", "X" * 32):
        with pytest.raises(NotFound):
            store.authenticate_key(customer_id, "a" * 43)


def test_state_moves_once_when_two_callers_race_for_it() -> None:
    store = CustomerStore(MemoryTable())
    customer = a_customer()
    store.create(customer, "k" * 43)
    assert store.transition(customer.customer_id, {"active"}, "access_revoked", "first") is True
    assert store.transition(customer.customer_id, {"active"}, "access_revoked", "second") is False
    assert store.get(customer.customer_id).state_reason == "first"


def test_state_move_is_refused_when_the_table_does_not_allow_it() -> None:
    store = CustomerStore(MemoryTable())
    customer = a_customer(state="offboarding")
    store.create(customer, "k" * 43)
    with pytest.raises(IllegalTransition):
        store.transition(customer.customer_id, {"offboarding"}, "active", None)
    assert store.get(customer.customer_id).state == "offboarding"


def test_tenant_principals_name_only_the_other_customers_of_the_tenant() -> None:
    store = CustomerStore(MemoryTable())
    first, second = a_customer(), a_customer()
    store.create(first, "k" * 43)
    assert store.tenant_principals(first.tenant_id, first.customer_id) == []
    store.create(second, "k" * 43)
    assert store.tenant_principals(first.tenant_id, first.customer_id) == [second.client_id]
