"""Scan now under concurrency: any number of simultaneous requests (API and scheduler) start one scan."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

from shared.messages import ScanRequested
from shared.pipeline.scan import request_scan
from shared.pipeline.schedule import schedule_due
from tests.unit.fakes import CUSTOMER_ID, World, make_world


def at_once(n: int, call: Callable[[], str]) -> list[str]:
    """Run `call` on n threads released together; every answer."""
    gate = threading.Barrier(n)
    answers: list[str] = []
    lock = threading.Lock()

    def run() -> None:
        gate.wait()
        answer = call()
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return answers


def scans(world: World) -> list[str]:
    return [s.scan_id for s in world.scans.for_customer(CUSTOMER_ID)]


def test_thirty_parallel_requests_start_exactly_one_scan_when_the_customer_is_idle() -> None:
    world = make_world()
    customer = world.customers.get(CUSTOMER_ID)
    answers = at_once(30, lambda: request_scan(world.services, customer, "api"))
    assert len(answers) == 30 and len(set(answers)) == 1
    assert scans(world) == [answers[0]]
    # A queued scan's request is sent again with its deterministic id (duplicate detection drops the copies).
    assert {m.message_id() for m in world.bus.of(ScanRequested)} == {f"scan:{answers[0]}"}
    started = [e for e in world.services.audit.events(CUSTOMER_ID) if e["event"] == "scan_started"]
    assert len(started) == 1


def test_scheduler_and_api_racing_start_one_scan_when_both_ask_at_once() -> None:
    world = make_world()
    customer = world.customers.get(CUSTOMER_ID)
    answers = at_once(10, lambda: request_scan(world.services, customer, "api"))
    counts = schedule_due(world.services)
    assert counts["requested"] == 1 and len(scans(world)) == 1
    assert world.services.schedules.claim(CUSTOMER_ID, "x", world.clock.now)  # the store still works
    assert set(answers) == set(scans(world))


def test_a_new_scan_starts_when_the_marked_one_has_finished() -> None:
    world = make_world()
    customer = world.customers.get(CUSTOMER_ID)
    first = request_scan(world.services, customer, "api")
    world.scans.transition(CUSTOMER_ID, first, {"queued"}, "failed", reason="done")
    answers = at_once(10, lambda: request_scan(world.services, customer, "api"))
    assert len(set(answers)) == 1 and answers[0] != first
    assert sorted(scans(world)) == sorted([first, answers[0]])


def test_a_stuck_scan_is_replaced_when_scan_now_is_asked_again() -> None:
    world = make_world()
    customer = world.customers.get(CUSTOMER_ID)
    first = request_scan(world.services, customer, "api")
    world.clock.now += world.services.stuck_after + dt.timedelta(seconds=1)
    second = request_scan(world.services, customer, "api")
    assert second != first and world.scans.marker.read(CUSTOMER_ID).scan_id == second  # type: ignore[union-attr]


def test_a_scan_in_flight_from_before_markers_is_returned_when_no_marker_exists() -> None:
    world = make_world()
    world.scans.create(CUSTOMER_ID, "0" * 24, ["s"], "api")  # recorded by an older version: no marker
    customer = world.customers.get(CUSTOMER_ID)
    answers = at_once(10, lambda: request_scan(world.services, customer, "api"))
    assert set(answers) == {"0" * 24} and scans(world) == ["0" * 24]


def test_a_lost_request_message_is_sent_again_when_scan_now_is_asked_while_queued() -> None:
    world = make_world()
    customer = world.customers.get(CUSTOMER_ID)
    first = request_scan(world.services, customer, "api")
    assert request_scan(world.services, customer, "api") == first
    assert [m.message_id() for m in world.bus.of(ScanRequested)] == [f"scan:{first}"] * 2
