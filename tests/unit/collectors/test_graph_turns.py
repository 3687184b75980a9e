"""Resource Graph turns: one principal's quota shared by every task querying as it, across instances; a 429 holds
them all back; a task that will not wait gives its place up; principals and tenants do not queue behind each other."""

from __future__ import annotations

import pytest

from local.memtable import MemoryTable
from shared.collectors.graph_turns import GRAPH_AZURE_LIMITS, GRAPH_LIMITS, GraphTurnsFor
from shared.collectors.quota import QpuLedger
from shared.errors import Throttled
from shared.storage.quota import principal_row
from tests.unit.collectors.test_quota import FakeTime

TENANT = "tenant-1"
PRINCIPAL = principal_row(TENANT, "app-1")


def most_in_any_window(times: list[float], window: float) -> int:
    """The most grants any sliding window of `window` seconds holds (as Resource Graph counts them)."""
    return max(sum(1 for t in times if start <= t < start + window) for start in times)


def test_tasks_on_two_instances_stay_within_caletas_budget_when_they_query_together() -> None:
    # given: three tasks, on two instances (two factories over one table), taking 40 turns between them
    t, table = FakeTime(), MemoryTable()
    instances = [GraphTurnsFor(table, clock=t.time, sleep=t.sleep) for _ in range(2)]
    tasks = [instances[i % 2](TENANT, PRINCIPAL) for i in range(3)]
    sent: list[float] = []
    # when
    for i in range(40):
        task = tasks[i % 3]
        task.take(60.0)
        sent.append(t.time())
        task.answered()
    # then: no 5-second window held more than Caleta's 12 (Azure allows 15), and the line moved steadily
    assert most_in_any_window(sent, GRAPH_LIMITS[0][0]) <= GRAPH_LIMITS[0][1] < GRAPH_AZURE_LIMITS[0][1]
    assert sent[-1] - sent[0] == pytest.approx(39 * 5.0 / 12, abs=0.5)


def test_a_429_holds_back_every_task_of_the_principal() -> None:
    t, table = FakeTime(), MemoryTable()
    turns_for = GraphTurnsFor(table, clock=t.time, sleep=t.sleep)
    turns_for(TENANT, PRINCIPAL).throttled(7.0)
    started = t.time()
    turns_for(TENANT, PRINCIPAL).take(60.0)
    assert t.time() - started == pytest.approx(7.0, abs=0.2)


def test_a_task_that_will_not_wait_gives_up_its_place_when_the_turn_is_too_far_off() -> None:
    # given: a principal blocked for 30 s
    t, table = FakeTime(), MemoryTable()
    turns_for = GraphTurnsFor(table, clock=t.time, sleep=t.sleep)
    turns_for(TENANT, PRINCIPAL).throttled(30.0)
    # when: a task that waits at most 5 s asks
    with pytest.raises(Throttled) as caught:
        turns_for(TENANT, PRINCIPAL).take(5.0)
    # then: it is told how long, and no booking of it is left in the line
    assert caught.value.retry_after == pytest.approx(30.0, abs=0.2)
    assert t.slept == [] and [s for _, _, s in QpuLedger(table, row_key=PRINCIPAL).snapshot(TENANT)] == []


def test_principals_and_tenants_do_not_queue_behind_each_other() -> None:
    t, table = FakeTime(), MemoryTable()
    turns_for = GraphTurnsFor(table, clock=t.time, sleep=t.sleep)
    for _ in range(12):
        turns_for(TENANT, PRINCIPAL).take(60.0)
    started = t.time()
    turns_for(TENANT, principal_row(TENANT, "app-2")).take(60.0)
    turns_for("tenant-2", principal_row("tenant-2", "app-1")).take(60.0)
    assert t.time() == started


def test_principal_rows_are_opaque_and_name_caletas_app_when_the_customer_named_none() -> None:
    row = principal_row("Tenant-1", "App-1")
    assert row == principal_row("tenant-1", "app-1") and "app" not in row.removeprefix("graph-")
    assert principal_row("tenant-1", None) == principal_row("tenant-1", "caleta-app") != row
