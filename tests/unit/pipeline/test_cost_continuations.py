"""A cost task across many deliveries, in the pipeline over fakes (one fake clock): continuations with their own
ids, progress on the scan status, stale and concurrent deliveries dropped, one completion after the last window,
a v1 body read as "from the start" (issue 17 §2)."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from local.memtable import MemoryTable
from shared.arm import cost_management_client
from shared.collectors import cost
from shared.collectors.cost_state import Superseded
from shared.collectors.quota import QpuLedger
from shared.messages import AnalyseScan, CollectTask, ScanRequested
from shared.pipeline.collect import collect_task
from shared.pipeline.cost_progress import ScanCostProgress
from shared.pipeline.plan import plan_scan
from shared.pipeline.scan import request_scan
from shared.pipeline.watchdog import sweep
from tests.unit.collectors.fake_arm import FakeArm, FakeCredential, Reply, Seen
from tests.unit.collectors.test_cost import ARM, page
from tests.unit.fakes import CUSTOMER_ID, World, make_world

SUB = "aaaaaaaa-0000-0000-0000-000000000001"
V1 = "tests/fixtures/messages/v1/CollectTask.json"


def with_real_cost_collector(world: World, handler: Any = None, *, turn_every: float = 5.0,
                             inline_wait: float = 1.0, booked_ahead: int = 0) -> FakeArm:
    """The real cost collector over a fake ARM, its ledger and sleeps on the world's clock; a turn every few s."""
    arm = FakeArm(handler or (lambda seen: page(seen.body)))

    def clock() -> float:
        return world.clock.now.timestamp()

    ledger = QpuLedger(MemoryTable(), clock=clock, sleep=lambda s: world.clock.advance(seconds=s),
                       limits=((turn_every, 2), (60.0, 50), (3600.0, 500)))
    for i in range(booked_ahead):  # other tasks of the tenant, already in line
        ledger.reserve("11111111-1111-1111-1111-111111111111", 1, owner=f"another-task-{i}")
    world.services.collectors = {**world.services.collectors, "cost": functools.partial(
        cost.collect, history_days=90, budget=ledger, client=cost_management_client(
            FakeCredential(), transport=arm, retry_total=0, base_url=ARM), clock=clock,
        sleep=lambda s: world.clock.advance(seconds=s), inline_wait=inline_wait, arm_endpoint=ARM)}
    return arm


def planned(world: World) -> tuple[str, list[CollectTask]]:
    scan_id = request_scan(world.services, world.customers.get(CUSTOMER_ID), "manual")
    return scan_id, plan_scan(ScanRequested(customer_id=CUSTOMER_ID, scan_id=scan_id), world.services)


def collect_the_others(world: World, tasks: list[CollectTask]) -> CollectTask:
    """Collect every source but cost (the inventory sizes the cost collection); the cost task."""
    for task in tasks:
        if task.source != "cost":
            assert collect_task(task, world.services) == "succeeded"
    return next(t for t in tasks if t.source == "cost")


def run_until_final(world: World, first: CollectTask, limit: int = 100) -> list[tuple[CollectTask, str]]:
    """Deliver the task, then each continuation it schedules when it is due; every (message, outcome)."""
    seen, message = [], first
    for _ in range(limit):
        outcome = collect_task(message, world.services)
        seen.append((message, outcome))
        if outcome != "deferred":
            return seen
        sent = world.bus.of(CollectTask)[-1]
        assert isinstance(sent, CollectTask) and sent.not_before is not None
        message = sent
        world.clock.now = max(world.clock.now, sent.not_before)
    raise AssertionError("never finished")


def test_a_cost_task_continues_in_scheduled_messages_with_their_own_ids_and_completes_once():
    # given: one subscription; inventory and Advisor collected first
    world = make_world(SUB)
    arm = with_real_cost_collector(world)
    scan_id, tasks = planned(world)
    by_source = {t.source: t for t in tasks}
    collect_the_others(world, tasks)
    # when: the cost task runs, deferring to its next turn each time
    seen = run_until_final(world, by_source["cost"])
    # then: several deliveries for the six queries (meters, totals and four months of every resource's days),
    # each continuation a new message id with its hop, one request per page
    ids = [m.message_id() for m, _ in seen]
    assert len(seen) > 2 and len(ids) == len(set(ids)) and len(arm.requests) == 6
    assert ids[0] == f"collect:{scan_id}:{SUB}:cost" and ids[1] == f"collect:{scan_id}:{SUB}:cost:1"
    assert [o for _, o in seen] == ["deferred"] * (len(seen) - 1) + ["succeeded"]
    assert len(arm.requests) == len({json.dumps(r.body, sort_keys=True) for r in arm.requests})
    # and the scan moved on exactly once; one raw blob per task, the working parts gone
    assert len(world.bus.of(AnalyseScan)) == 1
    assert world.scans.get(CUSTOMER_ID, scan_id).status == "analysing"
    assert sorted(n for _, n in world.blobs) == sorted(f"raw/{scan_id}/{SUB}/{s}.json.gz" for s in by_source)


def test_progress_shows_on_the_scan_status_and_keeps_the_watchdog_away_while_a_task_waits_its_turn():
    world = make_world(SUB)
    # two turns every 83 minutes (longer than stuck_after); the 1.2 s pace between turns is waited in-process
    with_real_cost_collector(world, turn_every=5_000.0, inline_wait=2.0)
    scan_id, tasks = planned(world)
    cost_task = collect_the_others(world, tasks)
    assert collect_task(cost_task, world.services) == "deferred"
    status = world.scans.get(CUSTOMER_ID, scan_id).to_dict()
    shown = next(t for t in status["tasks"] if t["source"] == "cost")
    assert shown["outcome"] == "pending" and shown["progress"]["windows_done"] == 2
    assert shown["progress"]["windows_total"] == 6 and shown["progress"]["rows"] >= 1
    # when: the watchdog sweeps an hour later, before the task's turn is due
    world.clock.advance(minutes=61)
    sweep(world.services)
    # then: the task is still pending (it is waiting for its turn, not stuck)
    assert world.scans.task(CUSTOMER_ID, scan_id, SUB, "cost").outcome == "pending"


def test_an_older_hop_is_dropped_when_a_later_continuation_exists():
    world = make_world(SUB)
    with_real_cost_collector(world)
    _, tasks = planned(world)
    cost_task = next(t for t in tasks if t.source == "cost")
    assert collect_task(cost_task, world.services) == "deferred"
    # when: Service Bus redelivers the planned message (hop 0) after its continuation (hop 1) was scheduled
    assert collect_task(cost_task, world.services) == "duplicate"


def test_a_second_delivery_stops_when_another_saved_the_cursor_first():
    world = make_world(SUB)
    with_real_cost_collector(world)
    scan_id, tasks = planned(world)
    assert collect_task(next(t for t in tasks if t.source == "cost"), world.services) == "deferred"
    one = ScanCostProgress(world.services, CUSTOMER_ID, scan_id, SUB, (SUB,))
    two = ScanCostProgress(world.services, CUSTOMER_ID, scan_id, SUB, (SUB,))
    cursor = one.load() or {}
    two.load()
    one.save({**cursor, "page": 0})
    try:
        two.save({**cursor, "page": 0})
    except Superseded:
        return
    raise AssertionError("the stale delivery saved over the other")


def test_a_version_1_cost_body_collects_every_window_from_the_start():
    world = make_world(SUB)
    arm = with_real_cost_collector(world)
    scan_id, tasks = planned(world)
    collect_the_others(world, tasks)
    body = json.loads(Path(V1).read_text())
    message = CollectTask.model_validate({**body, "customer_id": CUSTOMER_ID, "scan_id": scan_id,
                                          "subscription_id": SUB})
    seen = run_until_final(world, message)
    assert seen[-1][1] == "succeeded"
    def groups(r: Seen) -> list[str]:
        return [g["name"] for g in r.body["dataset"]["grouping"]]

    # the meters and totals, then every month of every resource's days (C1's rows), each once
    assert [groups(r) for r in arm.requests] == [["ResourceId", "Meter"]] + [["ResourceId", "MeterCategory"]] * 5
    assert all(r.body["dataset"]["granularity"] == "Daily" for r in arm.requests[2:])


def test_a_foreign_next_link_fails_the_task_at_once_without_retry():
    world = make_world(SUB)

    def handler(seen: Seen) -> Reply:
        return page(seen.body, next_link="https://evil.example/subscriptions/x/providers/Microsoft.CostManagement/query")

    arm = with_real_cost_collector(world, handler)
    scan_id, tasks = planned(world)
    assert collect_task(next(t for t in tasks if t.source == "cost"), world.services) == "failed"
    task = world.scans.task(CUSTOMER_ID, scan_id, SUB, "cost")
    assert "outside this subscription" in (task.reason or "") and len(arm.requests) == 1


def test_a_task_whose_first_turn_is_far_off_defers_before_any_page_and_later_completes():
    # given: twenty turns of other tasks of the tenant already booked ahead of this one
    world = make_world(SUB)
    with_real_cost_collector(world, booked_ahead=20)
    scan_id, tasks = planned(world)
    cost_task = collect_the_others(world, tasks)
    # when / then: the first delivery reads nothing and hands itself on; the continuations finish the task
    seen = run_until_final(world, cost_task)
    assert seen[0][1] == "deferred" and seen[-1][1] == "succeeded"
    assert world.scans.task(CUSTOMER_ID, scan_id, SUB, "cost").outcome == "succeeded"



def test_a_continuation_writes_no_page_and_is_dropped_once_the_purge_has_begun():
    # given: a cost task that saved pages and deferred, then the customer's purge laid its tombstone
    world = make_world(SUB)
    with_real_cost_collector(world)
    scan_id, tasks = planned(world)
    assert collect_task(collect_the_others(world, tasks), world.services) == "deferred"
    kept = sorted(world.blobs)
    assert any(".parts/" in name for _, name in kept)
    world.services.tombstones.set(CUSTOMER_ID, world.clock())
    # when: its continuation comes due
    continuation = world.bus.of(CollectTask)[-1]
    assert isinstance(continuation, CollectTask) and continuation.not_before is not None
    world.clock.now = max(world.clock.now, continuation.not_before)
    # then: the write-time check refuses its next page: nothing more is written, the task is dropped, not failed
    assert collect_task(continuation, world.services) == "dropped"
    assert sorted(world.blobs) == kept
    assert world.scans.task(CUSTOMER_ID, scan_id, SUB, "cost").outcome == "pending"
