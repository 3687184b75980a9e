"""Revocation and re-validation on fakes: revoked once, active again after a passing check, refused when leaving;
awaiting roles (not refused) when nothing is readable yet."""

from __future__ import annotations

import pytest

from shared.errors import Conflict, IllegalTransition, PrincipalUnusable
from shared.pipeline.principal_roles import COST_MANAGEMENT_READER, READER
from shared.pipeline.revalidate import mark_access_revoked, revalidate
from tests.unit.fakes import CUSTOMER_ID, SUB, World, make_world


def a_world(state: str = "active") -> World:
    world = make_world(state=state)  # type: ignore[arg-type]
    world.probe.add_subscription(SUB)
    world.probe.assign(READER, f"/subscriptions/{SUB}")
    world.probe.assign(COST_MANAGEMENT_READER, f"/subscriptions/{SUB}")
    return world


def test_revocation_is_announced_once_when_two_tasks_are_refused() -> None:
    world = a_world()
    assert mark_access_revoked(world.services, CUSTOMER_ID, "HTTP 403") is True
    assert mark_access_revoked(world.services, CUSTOMER_ID, "HTTP 403") is False
    customer = world.customers.get(CUSTOMER_ID)
    assert (customer.state, customer.state_reason) == ("access_revoked", "HTTP 403")
    assert [e.kind for e in world.outbox.sent] == ["access_revoked"]
    assert [e["event"] for e in world.services.audit.events(CUSTOMER_ID)] == ["access_revoked"]


def test_customer_is_active_again_when_revalidation_passes() -> None:
    world = a_world()
    mark_access_revoked(world.services, CUSTOMER_ID, "HTTP 403")
    answer = revalidate(world.services, world.customers.get(CUSTOMER_ID))
    assert answer.state == "active" and answer.validation.subscriptions[0].ok
    assert world.customers.get(CUSTOMER_ID).is_active
    validated = [e["details"] for e in world.services.audit.events(CUSTOMER_ID) if e["event"] == "validated"]
    assert validated == [{"usable_subscriptions": 1, "previous_state": "access_revoked"}]


def test_active_customer_stays_active_when_revalidated() -> None:
    world = a_world()
    assert revalidate(world.services, world.customers.get(CUSTOMER_ID)).state == "active"
    assert world.customers.get(CUSTOMER_ID).state == "active"


def test_revalidation_is_refused_when_the_customer_is_offboarding() -> None:
    world = a_world(state="offboarding")
    with pytest.raises(Conflict):
        revalidate(world.services, world.customers.get(CUSTOMER_ID))
    assert world.probe.cost_calls == []


def test_a_leaving_customer_is_never_revoked_when_a_late_task_is_refused() -> None:
    world = a_world(state="offboarding")
    assert mark_access_revoked(world.services, CUSTOMER_ID, "HTTP 403") is False
    assert world.customers.get(CUSTOMER_ID).state == "offboarding" and world.outbox.sent == []


def test_store_refuses_a_move_the_state_table_does_not_allow() -> None:
    world = a_world()
    with pytest.raises(IllegalTransition):
        world.customers.transition(CUSTOMER_ID, {"offboarding"}, "active", None)


# --- the same verdict as onboarding: awaiting roles instead of a refusal (issue 14 B4) ----------------------

def an_awaiting_world(state: str = "awaiting_roles") -> World:
    """A customer whose subscription is visible but whose roles have not reached ARM yet."""
    world = make_world(state=state)  # type: ignore[arg-type]
    world.probe.add_subscription(SUB)
    return world


def test_awaiting_customer_is_active_and_scanned_when_validated_after_roles_appear() -> None:
    world = an_awaiting_world()
    world.probe.assign(READER, f"/subscriptions/{SUB}")
    answer = revalidate(world.services, world.customers.get(CUSTOMER_ID))
    assert (answer.state, answer.validation.usable) == ("active", (SUB,))
    assert answer.scan_id is not None and world.scans.get(CUSTOMER_ID, answer.scan_id).requested_by == "roles_visible"
    assert world.customers.get(CUSTOMER_ID).state == "active"


def test_revoked_customer_awaits_roles_instead_of_a_refusal_when_nothing_is_readable_yet() -> None:
    world = an_awaiting_world(state="access_revoked")
    answer = revalidate(world.services, world.customers.get(CUSTOMER_ID))
    assert (answer.state, answer.scan_id) == ("awaiting_roles", None)
    assert answer.validation.awaiting == (SUB,) and answer.validation.awaiting_since == world.clock().isoformat()
    assert world.customers.get(CUSTOMER_ID).state == "awaiting_roles"
    assert [c.customer_id for c in world.customers.awaiting_roles()] == [CUSTOMER_ID]


def test_the_wait_starts_again_when_an_awaiting_customer_asks_after_it_ended() -> None:
    # given: told after the wait, re-checks stopped
    world = an_awaiting_world()
    world.customers.update_validation(CUSTOMER_ID, {"validated_at": "2026-11-27T10:00:00+00:00",
                                                    "awaiting_since": "2026-11-27T10:00:00+00:00",
                                                    "wait_ended_at": "2026-11-27T11:00:00+00:00",
                                                    "subscriptions": [{"subscription_id": SUB, "ok": False}]}, ())
    assert world.customers.awaiting_roles() == []
    # when
    answer = revalidate(world.services, world.customers.get(CUSTOMER_ID))
    # then
    assert answer.state == "awaiting_roles" and answer.validation.wait_ended_at is None
    assert [c.customer_id for c in world.customers.awaiting_roles()] == [CUSTOMER_ID]


def test_active_customer_is_refused_and_left_as_it_was_when_nothing_is_readable() -> None:
    world = an_awaiting_world(state="active")
    before = world.customers.get(CUSTOMER_ID)
    with pytest.raises(PrincipalUnusable):
        revalidate(world.services, before)
    assert world.customers.get(CUSTOMER_ID) == before
