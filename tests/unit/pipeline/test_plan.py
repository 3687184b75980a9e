"""Requesting and planning a scan: tasks per subscription and source, deterministic ids, safe redelivery."""

from __future__ import annotations

import pytest

from shared.errors import Conflict
from shared.messages import SOURCES, CollectTask, ScanRequested
from shared.pipeline.plan import plan_scan
from shared.pipeline.scan import new_scan_id, request_scan
from tests.unit.fakes import CUSTOMER_ID, make_world

SUB_A = "aaaaaaaa-0000-0000-0000-000000000001"
SUB_B = "BBBBBBBB-0000-0000-0000-000000000002"


def test_request_scan_records_queued_scan_and_publishes_when_customer_active():
    world = make_world(SUB_A, SUB_B)
    scan_id = request_scan(world.services, world.customers.get(CUSTOMER_ID), "manual")
    scan = world.services.scans.get(CUSTOMER_ID, scan_id)
    assert (scan.status, scan.subscription_ids) == ("queued", (SUB_A, SUB_B.lower()))
    assert world.bus.sent == [ScanRequested(customer_id=CUSTOMER_ID, scan_id=scan_id)]


def test_request_scan_returns_the_scan_in_flight_when_asked_twice():
    world = make_world(SUB_A)
    customer = world.customers.get(CUSTOMER_ID)
    first = request_scan(world.services, customer, "manual")
    second = request_scan(world.services, customer, "manual")
    assert first == second
    assert len(world.services.scans.for_customer(CUSTOMER_ID)) == 1
    assert {m.message_id() for m in world.bus.sent} == {f"scan:{first}"}


def test_request_scan_starts_a_new_scan_when_the_previous_one_is_stuck():
    world = make_world(SUB_A)
    customer = world.customers.get(CUSTOMER_ID)
    first = request_scan(world.services, customer, "manual")
    world.clock.advance(minutes=61)
    assert request_scan(world.services, customer, "manual") != first


def test_request_scan_refuses_when_customer_is_not_active():
    world = make_world(SUB_A, state="access_revoked")
    with pytest.raises(Conflict):
        request_scan(world.services, world.customers.get(CUSTOMER_ID), "manual")
    assert world.bus.sent == []


def test_scan_ids_sort_by_creation_time_when_created_later():
    earlier, later = new_scan_id(1_700_000_000_000), new_scan_id(1_700_000_000_001)
    assert earlier < later
    assert len(earlier) == 24 and earlier.isalnum()


def test_plan_sends_one_task_per_subscription_and_source_when_scan_is_queued():
    # given
    world = make_world(SUB_A, SUB_B)
    scan_id = request_scan(world.services, world.customers.get(CUSTOMER_ID), "manual")
    # when
    sent = plan_scan(ScanRequested(customer_id=CUSTOMER_ID, scan_id=scan_id), world.services)
    # then
    assert {(t.subscription_id, t.source) for t in sent} == {
        (s, src) for s in (SUB_A, SUB_B.lower()) for src in ("resource-graph", "cost", "advisor", "cost-config")}
    scan = world.services.scans.get(CUSTOMER_ID, scan_id)
    assert (scan.status, scan.progress) == ("collecting", f"0 of {2 * len(SOURCES)}")


def test_plan_gives_the_same_message_ids_when_the_request_is_delivered_twice():
    world = make_world(SUB_A, SUB_B)
    scan_id = request_scan(world.services, world.customers.get(CUSTOMER_ID), "manual")
    message = ScanRequested(customer_id=CUSTOMER_ID, scan_id=scan_id)
    first = [t.message_id() for t in plan_scan(message, world.services)]
    second = [t.message_id() for t in plan_scan(message, world.services)]
    assert first == second
    assert len(world.services.scans.tasks(CUSTOMER_ID, scan_id)) == 2 * len(SOURCES)


def test_plan_resends_only_pending_tasks_when_redelivered_after_some_finished():
    world = make_world(SUB_A)
    scan_id = request_scan(world.services, world.customers.get(CUSTOMER_ID), "manual")
    message = ScanRequested(customer_id=CUSTOMER_ID, scan_id=scan_id)
    plan_scan(message, world.services)
    world.services.scans.finish_task(CUSTOMER_ID, scan_id, SUB_A, "cost", "succeeded", None)
    again = plan_scan(message, world.services)
    assert {t.source for t in again} == {"resource-graph", "advisor", "cost-config"}
    assert world.services.scans.task(CUSTOMER_ID, scan_id, SUB_A, "cost").outcome == "succeeded"


def test_plan_cancels_the_scan_when_the_customer_is_offboarding():
    world = make_world(SUB_A)
    scan_id = request_scan(world.services, world.customers.get(CUSTOMER_ID), "manual")
    world.customers.transition(CUSTOMER_ID, {"active"}, "offboarding", "customer asked")
    sent = plan_scan(ScanRequested(customer_id=CUSTOMER_ID, scan_id=scan_id), world.services)
    assert sent == []
    assert world.services.scans.get(CUSTOMER_ID, scan_id).status == "failed"
    assert world.bus.of(CollectTask) == []


def test_plan_does_nothing_when_the_scan_is_unknown():
    world = make_world(SUB_A)
    assert plan_scan(ScanRequested(customer_id=CUSTOMER_ID, scan_id="0" * 24), world.services) == []
    assert world.bus.sent == []
