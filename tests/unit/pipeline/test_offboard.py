"""Offboarding on fakes: stop, fail scans in flight, open one purge request, start the purge; idempotent."""

from __future__ import annotations

import datetime as dt

import pytest

from shared.errors import NotFound
from shared.messages import PurgeCustomer
from shared.pipeline.offboard import request_offboarding
from shared.pipeline.scan import request_scan
from tests.unit.fakes import CUSTOMER_ID, make_world


def test_offboarding_stops_the_customer_and_starts_the_purge_when_asked() -> None:
    # given: a scan in flight
    world = make_world()
    scan_id = request_scan(world.services, world.customers.get(CUSTOMER_ID), "api")
    # when
    answer = request_offboarding(world.services, CUSTOMER_ID, "customer")
    # then
    assert world.customers.get(CUSTOMER_ID).state == "offboarding"
    assert world.scans.get(CUSTOMER_ID, scan_id).status == "failed"
    assert world.bus.of(PurgeCustomer) == [PurgeCustomer(customer_id=CUSTOMER_ID, request_id=answer.request_id)]
    assert answer.certificate == f"/api/deletion-certificates/{answer.request_id}"
    assert dt.datetime.fromisoformat(answer.deadline) - world.clock.now == dt.timedelta(days=7)
    assert [e.kind for e in world.outbox.sent] == ["offboarding_confirmed"]


def test_asking_again_answers_the_same_request_when_offboarding_is_under_way() -> None:
    world = make_world()
    first = request_offboarding(world.services, CUSTOMER_ID, "customer")
    again = request_offboarding(world.services, CUSTOMER_ID, "admin")
    assert again == first and len(world.outbox.sent) == 1


def test_the_open_request_is_answered_when_the_customer_row_is_already_gone() -> None:
    world = make_world()
    first = request_offboarding(world.services, CUSTOMER_ID, "customer")
    world.customers.delete(CUSTOMER_ID)
    assert request_offboarding(world.services, CUSTOMER_ID, "customer") == first
    world.services.purges.close(CUSTOMER_ID)
    with pytest.raises(NotFound):
        request_offboarding(world.services, CUSTOMER_ID, "customer")
