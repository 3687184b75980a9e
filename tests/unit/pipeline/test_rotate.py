"""Rotating credentials without offboarding: a new API key, a replacement client secret."""

from __future__ import annotations

import json

import pytest

from shared.errors import Conflict, InvalidInput, NotFound
from shared.pipeline.principal_roles import COST_MANAGEMENT_READER, READER
from shared.pipeline.rotate import credential_status, replace_client_secret, rotate_api_key
from shared.secrets import secret_name
from tests.unit.fakes import API_KEY, CUSTOMER_ID, a_customer, make_world


def body(secret: object) -> bytes:
    return json.dumps({"client_secret": secret}).encode()


def test_new_api_key_works_and_the_old_one_stops_when_rotated() -> None:
    world = make_world()
    rotated = rotate_api_key(world.services, world.customers.get(CUSTOMER_ID), API_KEY)
    assert rotated.api_key != API_KEY
    assert world.customers.authenticate_key(CUSTOMER_ID, rotated.api_key).customer_id == CUSTOMER_ID
    with pytest.raises(NotFound):
        world.customers.authenticate_key(CUSTOMER_ID, API_KEY)
    events = [e["event"] for e in world.services.audit.events(CUSTOMER_ID)]
    assert events == ["api_key_rotated"] and rotated.api_key not in str(world.tables["audit"].rows)
    status = credential_status(world.services, world.customers.get(CUSTOMER_ID))
    assert status["api_key_rotated_at"] == rotated.rotated_at and status["client_secret_replaced_at"] is None


def test_rotation_with_a_key_already_replaced_is_refused_when_two_rotations_race() -> None:
    world = make_world()
    customer = world.customers.get(CUSTOMER_ID)
    winner = rotate_api_key(world.services, customer, API_KEY)
    with pytest.raises(NotFound):
        rotate_api_key(world.services, customer, API_KEY)  # read before the first rotation, sent after
    assert world.customers.authenticate_key(CUSTOMER_ID, winner.api_key)


def test_api_key_is_not_rotated_when_the_customer_is_leaving() -> None:
    world = make_world(state="offboarding")
    with pytest.raises(Conflict):
        rotate_api_key(world.services, world.customers.get(CUSTOMER_ID), API_KEY)
    assert world.customers.authenticate_key(CUSTOMER_ID, API_KEY)


def test_new_secret_is_used_and_the_old_name_deleted_when_replaced() -> None:
    world = make_world()
    world.services.secrets.put(CUSTOMER_ID, "old-secret")
    answer = replace_client_secret(world.services, world.customers.get(CUSTOMER_ID), body("new-secret"))
    assert answer.state == "active"
    assert world.secret_store.values == {f"{secret_name(CUSTOMER_ID)}-2": "new-secret"}
    assert world.services.secrets.get(CUSTOMER_ID) == "new-secret"
    assert world.services.secrets.names(CUSTOMER_ID) == [secret_name(CUSTOMER_ID), f"{secret_name(CUSTOMER_ID)}-2"]
    assert [e["event"] for e in world.services.audit.events(CUSTOMER_ID)] == ["client_secret_replaced"]
    assert "new-secret" not in str(world.tables["customers"].rows)
    again = replace_client_secret(world.services, world.customers.get(CUSTOMER_ID), body("newer"))
    assert world.secret_store.values == {f"{secret_name(CUSTOMER_ID)}-3": "newer"} and again.replaced_at


def test_refused_secret_is_never_stored_when_entra_refuses_it() -> None:
    world = make_world()
    world.services.secrets.put(CUSTOMER_ID, "old-secret")
    world.credentials.refused_secrets.add("Xq8~not-the-secret")
    with pytest.raises(InvalidInput) as refused:
        replace_client_secret(world.services, world.customers.get(CUSTOMER_ID), body("Xq8~not-the-secret"))
    assert list(refused.value.fields) == ["client_secret"] and "7000215" in refused.value.fields["client_secret"]
    assert "Xq8" not in str(refused.value.fields)
    assert world.secret_store.values == {secret_name(CUSTOMER_ID): "old-secret"}
    assert world.services.secrets.names(CUSTOMER_ID) == [secret_name(CUSTOMER_ID)]


@pytest.mark.parametrize(("raw", "field"), [(b"", "client_secret"), (b"[]", "body"), (body(""), "client_secret"),
                                            (body(7), "client_secret"), (body("a\nb"), "client_secret"),
                                            (json.dumps({"client_secret": "x", "more": 1}).encode(), "more"),
                                            (b"{" * 5000, "body")])
def test_malformed_body_names_the_field_when_a_secret_is_sent(raw: bytes, field: str) -> None:
    world = make_world()
    with pytest.raises(InvalidInput) as refused:
        replace_client_secret(world.services, world.customers.get(CUSTOMER_ID), raw)
    assert field in refused.value.fields
    assert not world.secret_store.values


def test_secret_is_not_replaced_when_the_customer_signs_in_federated() -> None:
    world = make_world(with_customer=False)
    world.add_customer(a_customer(auth_mode="federated", client_id=None))
    with pytest.raises(Conflict):
        replace_client_secret(world.services, world.customers.get(CUSTOMER_ID), body("new"))
    assert not world.secret_store.values


def test_customer_whose_secret_expired_is_active_again_when_the_secret_is_replaced() -> None:
    world = make_world()
    world.probe.add_subscription("aaaaaaaa-0000-0000-0000-000000000001")
    for role in (READER, COST_MANAGEMENT_READER):
        world.probe.assign(role, "/subscriptions/aaaaaaaa-0000-0000-0000-000000000001")
    world.customers.transition(CUSTOMER_ID, {"active"}, "access_revoked", "secret expired (AADSTS7000222)")
    answer = replace_client_secret(world.services, world.customers.get(CUSTOMER_ID), body("new-secret"))
    assert answer.state == "active" and world.customers.get(CUSTOMER_ID).is_active


def test_secret_is_not_replaced_when_the_customer_is_leaving() -> None:
    world = make_world(state="offboarding")
    with pytest.raises(Conflict):
        replace_client_secret(world.services, world.customers.get(CUSTOMER_ID), body("new"))
    assert not world.secret_store.values
