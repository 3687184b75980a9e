"""Fan-in: every task final -> analysis requested exactly once, whatever the order, duplicates or races."""

from __future__ import annotations

import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.messages import SOURCES, AnalyseScan, CollectTask, ScanRequested
from shared.pipeline.collect import collect_task
from shared.pipeline.complete import record_outcome
from shared.pipeline.plan import plan_scan
from shared.pipeline.scan import request_scan
from tests.unit.fakes import CUSTOMER_ID, World, make_world

SUBS = tuple(f"aaaaaaaa-0000-0000-0000-00000000000{i}" for i in range(1, 5))


def planned(world: World) -> tuple[str, list[CollectTask]]:
    scan_id = request_scan(world.services, world.customers.get(CUSTOMER_ID), "manual")
    return scan_id, plan_scan(ScanRequested(customer_id=CUSTOMER_ID, scan_id=scan_id), world.services)


def finish(world: World, task: CollectTask, outcome: str = "succeeded") -> bool:
    return record_outcome(world.services, CUSTOMER_ID, task.scan_id, task.subscription_id, task.source,
                          outcome, None if outcome == "succeeded" else "refused")  # type: ignore[arg-type]


def test_last_completion_requests_analysis_once_when_every_task_is_final():
    # given
    world = make_world(*SUBS[:2])
    scan_id, tasks = planned(world)
    # when
    published = [finish(world, t) for t in tasks]
    # then
    assert published == [False] * (len(tasks) - 1) + [True]
    assert world.bus.of(AnalyseScan) == [AnalyseScan(customer_id=CUSTOMER_ID, scan_id=scan_id)]
    assert world.services.scans.get(CUSTOMER_ID, scan_id).status == "analysing"


def test_duplicate_completion_changes_nothing_when_the_task_is_already_final():
    world = make_world(SUBS[0])
    scan_id, tasks = planned(world)
    for t in tasks:
        finish(world, t)
    before = world.services.scans.get(CUSTOMER_ID, scan_id)
    assert finish(world, tasks[-1], "failed") is False
    after = world.services.scans.get(CUSTOMER_ID, scan_id)
    assert (after.status, after.tasks, after.updated_at) == (before.status, before.tasks, before.updated_at)
    assert len(world.bus.of(AnalyseScan)) == 1


def test_scan_fails_without_analysis_when_every_task_failed():
    world = make_world(SUBS[0])
    scan_id, tasks = planned(world)
    for t in tasks:
        finish(world, t, "failed")
    scan = world.services.scans.get(CUSTOMER_ID, scan_id)
    assert (scan.status, scan.reason) == ("failed", "every collection task failed")
    assert world.bus.of(AnalyseScan) == []


@settings(max_examples=60, deadline=None)
@given(data=st.data(), n_subs=st.integers(min_value=1, max_value=4))
def test_analysis_is_requested_exactly_once_when_deliveries_repeat_in_any_order(data, n_subs):
    # given: every completion delivered 1-3 times, shuffled, each with a random outcome
    world = make_world(*SUBS[:n_subs])
    scan_id, tasks = planned(world)
    outcomes = {t.message_id(): data.draw(st.sampled_from(["succeeded", "failed"])) for t in tasks}
    deliveries = [t for t in tasks for _ in range(data.draw(st.integers(min_value=1, max_value=3)))]
    deliveries = data.draw(st.permutations(deliveries))
    # when
    for t in deliveries:
        finish(world, t, outcomes[t.message_id()])
    # then
    scan = world.services.scans.get(CUSTOMER_ID, scan_id)
    assert scan.progress == f"{len(tasks)} of {len(tasks)}"
    assert {(t.subscription_id, t.source): t.outcome for t in scan.tasks} == {
        (t.subscription_id, t.source): outcomes[t.message_id()] for t in tasks}
    any_success = "succeeded" in outcomes.values()
    assert len(world.bus.of(AnalyseScan)) == (1 if any_success else 0)
    assert scan.status == ("analysing" if any_success else "failed")


def test_analysis_is_requested_exactly_once_when_workers_race_with_duplicates():
    # given: 4 subscriptions x 3 sources, every completion sent twice, 8 threads
    world = make_world(*SUBS)
    scan_id, tasks = planned(world)
    work = tasks * 2
    lock = threading.Lock()

    def worker() -> None:
        while True:
            with lock:
                if not work:
                    return
                t = work.pop()
            finish(world, t)

    # when
    threads = [threading.Thread(target=worker) for _ in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=30)
    # then
    assert not any(th.is_alive() for th in threads)
    assert len(world.bus.of(AnalyseScan)) == 1
    assert world.services.scans.get(CUSTOMER_ID, scan_id).progress == f"{4 * len(SOURCES)} of {4 * len(SOURCES)}"


def test_completion_rereads_and_wins_when_another_writer_changed_the_task_row_first():
    # given: a competing write lands between our read and our conditional update
    world = make_world(SUBS[0])
    scan_id, _ = planned(world)
    raced: list[bool] = []

    def competing_write(entity):
        if not raced and entity["RowKey"].endswith("~cost"):
            raced.append(True)
            row = world.tables["scans"].rows[(entity["PartitionKey"], entity["RowKey"])]
            world.tables["scans"]._store({**row, "reason": "touched"})

    world.tables["scans"].before_update.append(competing_write)
    # when
    changed = world.services.scans.finish_task(CUSTOMER_ID, scan_id, SUBS[0], "cost", "succeeded", None)
    # then
    assert raced and changed
    assert world.services.scans.task(CUSTOMER_ID, scan_id, SUBS[0], "cost").outcome == "succeeded"


def test_same_end_state_when_a_crash_hits_between_the_blob_write_and_the_completion():
    # given: the first completion of one task raises after its blob was written
    world = make_world(SUBS[0])
    scan_id, tasks = planned(world)
    crashed: list[bool] = []

    def crash_once(entity):
        if not crashed and entity.get("outcome") == "succeeded":
            crashed.append(True)
            raise RuntimeError("process died")

    world.tables["scans"].before_update.append(crash_once)
    first = tasks[0]
    with pytest.raises(RuntimeError):
        collect_task(first, world.services)
    blobs_after_crash = dict(world.blobs)
    # when: the message is redelivered, and every task completes (twice each)
    for t in tasks + tasks:
        collect_task(t, world.services)
    # then
    assert crashed
    assert set(blobs_after_crash) <= set(world.blobs)
    assert len(world.blobs) == len(SOURCES)
    assert len(world.bus.of(AnalyseScan)) == 1
    assert world.services.scans.get(CUSTOMER_ID, scan_id).progress == f"{len(SOURCES)} of {len(SOURCES)}"


def test_redelivery_settles_the_scan_when_the_first_delivery_died_after_recording():
    # given: the last task recorded, but the scan transition never happened (crash in between)
    world = make_world(SUBS[0])
    scan_id, tasks = planned(world)
    for t in tasks:
        world.services.scans.finish_task(CUSTOMER_ID, scan_id, t.subscription_id, t.source, "succeeded", None)
    assert world.services.scans.get(CUSTOMER_ID, scan_id).status == "collecting"
    # when
    result = collect_task(tasks[0], world.services)
    # then
    assert result == "duplicate"
    assert world.services.scans.get(CUSTOMER_ID, scan_id).status == "analysing"
    assert len(world.bus.of(AnalyseScan)) == 1
