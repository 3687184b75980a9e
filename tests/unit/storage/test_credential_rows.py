"""The credential columns of a customer row: conditional, refused once the customer is leaving."""

from __future__ import annotations

import datetime as dt

import pytest

from shared.errors import Conflict, NotFound
from shared.storage.customers import hash_api_key
from tests.unit.fakes import API_KEY, CUSTOMER_ID, make_world

NOW = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
NAME = f"customer-{CUSTOMER_ID}-2"


def test_secret_names_are_kept_in_order_and_only_registered_ones_can_be_used() -> None:
    rows = make_world().customers.credentials
    assert rows.secret_names(CUSTOMER_ID).registered == () and rows.secret_names(CUSTOMER_ID).current == ""
    with pytest.raises(ValueError):
        rows.use_secret_name(CUSTOMER_ID, NAME, NOW)
    rows.register_secret_name(CUSTOMER_ID, NAME)
    rows.register_secret_name(CUSTOMER_ID, NAME)  # a retry adds nothing
    rows.use_secret_name(CUSTOMER_ID, NAME, NOW)
    names = rows.secret_names(CUSTOMER_ID)
    assert names.registered == (NAME,) and names.current == NAME
    assert rows.changed_at(CUSTOMER_ID)["client_secret_replaced_at"] == NOW.isoformat()


def test_credential_changes_are_refused_when_the_customer_is_leaving() -> None:
    world = make_world(state="offboarding")
    rows = world.customers.credentials
    with pytest.raises(Conflict):
        rows.register_secret_name(CUSTOMER_ID, NAME)
    with pytest.raises(Conflict):
        rows.replace_key_hash(CUSTOMER_ID, hash_api_key(API_KEY), hash_api_key("n" * 43), NOW)
    assert rows.secret_names(CUSTOMER_ID).registered == ()


def test_key_hash_is_replaced_only_while_the_presented_key_is_the_stored_one() -> None:
    world = make_world()
    rows = world.customers.credentials
    assert not rows.replace_key_hash(CUSTOMER_ID, hash_api_key("x" * 43), hash_api_key("n" * 43), NOW)
    assert rows.replace_key_hash(CUSTOMER_ID, hash_api_key(API_KEY), hash_api_key("n" * 43), NOW)
    assert world.customers.authenticate_key(CUSTOMER_ID, "n" * 43).customer_id == CUSTOMER_ID


def test_unknown_customer_has_no_credentials_when_asked() -> None:
    with pytest.raises(NotFound):
        make_world().customers.credentials.secret_names("f" * 32)
