"""The per-tenant QPU ledger: documented windows, shared across instances, blocks after a 429; turns taken in the
order asked (across tasks, scans and customers of a tenant), bookings claimed late only within Azure's limits."""

from __future__ import annotations

import pytest

from local.memtable import MemoryTable
from shared.collectors.quota import AZURE_LIMITS, LIMITS, QpuLedger, owner_key, wait_for
from shared.collectors.quota_schedule import fits_at
from shared.errors import Throttled


class FakeTime:
    """A clock that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = 1_000.0
        self.slept: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_no_wait_when_the_windows_have_room():
    assert wait_for([(995.0, 5)], 1, 1_000.0) == 0.0


def test_waits_until_the_oldest_grant_leaves_the_ten_second_window_when_ten_are_used():
    grants = [(991.0 + i * 0.5, 1) for i in range(10)]
    assert wait_for(grants, 1, 1_000.0) == pytest.approx(1.0)


def test_the_hourly_limit_applies_when_the_short_windows_have_room():
    grants = [(1_000.0 - 3_000.0 + i * 4, 1) for i in range(500)]
    assert wait_for(grants, 1, 1_000.0) > 60.0


def test_two_instances_share_one_budget_when_they_use_the_same_table():
    # given: two function instances (two ledgers) over one table, one tenant
    t, table = FakeTime(), MemoryTable()
    a = QpuLedger(table, clock=t.time, sleep=t.sleep)
    b = QpuLedger(table, clock=t.time, sleep=t.sleep)
    # when: 24 queries alternate between them, all at the same instant unless told to wait
    for i in range(24):
        (a if i % 2 else b).acquire("tenant-1")
    # then: the shared 10-second window (10 QPU) forced waits; no 10 s window held more than 10
    assert sum(t.slept) >= 20.0
    grants = [ts for ts, _, _ in a.snapshot("tenant-1")]
    assert all(sum(1 for g in grants if s <= g < s + 10.0) <= 10 for s in grants)


def test_tenants_have_separate_budgets_when_both_query():
    # Turns are paced 1.2 s apart within a tenant; a second tenant's tasks never queue behind the first's.
    t, table = FakeTime(), MemoryTable()
    ledger = QpuLedger(table, clock=t.time, sleep=t.sleep)
    waits = {tenant: [ledger.reserve(tenant, 1, owner=f"{tenant}-{i}") for i in range(10)]
             for tenant in ("tenant-1", "tenant-2")}
    assert waits["tenant-1"] == waits["tenant-2"]
    assert waits["tenant-1"][0] == 0.0 and waits["tenant-1"][-1] == pytest.approx(10.8)


def test_every_instance_waits_when_the_service_blocked_the_tenant():
    t, table = FakeTime(), MemoryTable()
    QpuLedger(table, clock=t.time, sleep=t.sleep).block("tenant-1", 30.0)
    QpuLedger(table, clock=t.time, sleep=t.sleep).acquire("tenant-1")
    assert sum(t.slept) == pytest.approx(30.0)


def test_raises_throttled_when_the_wait_would_exceed_the_limit():
    t, table = FakeTime(), MemoryTable()
    QpuLedger(table, clock=t.time, sleep=t.sleep).block("tenant-1", 600.0)
    with pytest.raises(Throttled):
        QpuLedger(table, clock=t.time, sleep=t.sleep, max_wait=60.0).acquire("tenant-1")


def windows_hold(grants: list[float], limits: tuple[tuple[float, int], ...]) -> bool:
    """Every window of every limit, ending at any grant, holds no more than its cap (a grant exactly `window`
    before the end is outside it, as Cost Management counts: to a microsecond, floats being floats)."""
    return all(sum(1 for g in grants if e - window + 1e-6 < g <= e) <= cap for window, cap in limits for e in grants)


def test_tasks_take_turns_in_the_order_they_asked_when_the_budget_is_short():
    # given: three tasks of one tenant (two scans, two customers: the ledger only sees owners), one QPU a turn
    t, table = FakeTime(), MemoryTable()
    ledger = QpuLedger(table, clock=t.time, sleep=t.sleep)
    owners = [owner_key("scan-a", "sub-1", "cost"), owner_key("scan-a", "sub-2", "cost"),
              owner_key("scan-b", "sub-9", "cost")]
    order: list[str] = []
    due: dict[str, float] = {}

    def ask(owner: str) -> None:  # a granted turn is used at once and settled; a booked one waits
        wait = ledger.reserve("tenant-1", 1, owner=owner)
        if wait == 0.0:
            ledger.settle("tenant-1", owner)
            order.append(owner)
            wait = ledger.reserve("tenant-1", 1, owner=owner)
            assert wait > 0.0  # never two turns in a row
        due[owner] = t.now + wait

    for owner in owners:
        ask(owner)
    # when: whichever booking is due next is claimed, used, and the task asks again (250 turns: past the hour)
    while len(order) < 250:
        owner = min(due, key=lambda o: due[o])
        t.now = max(t.now, due.pop(owner))
        ask(owner)
    # then: strict rotation (every three turns in a row serve all three tasks), within Caleta's budget
    assert all(sorted(order[i:i + 3]) == sorted(owners) for i in range(2, 247))
    assert windows_hold([ts for ts, _, state in ledger.snapshot("tenant-1") if state != "b"], LIMITS)


def test_a_new_task_waits_behind_booked_ones_when_it_asks_after_them():
    t, table = FakeTime(), MemoryTable()
    ledger = QpuLedger(table, clock=t.time, sleep=t.sleep)
    waits = [ledger.reserve("tenant-1", 1, owner=f"task-{i}") for i in range(12)]
    assert waits == sorted(waits) and waits[0] == 0.0
    late = ledger.reserve("tenant-1", 1, owner="newcomer")
    assert late > waits[-1]


def test_a_booking_not_yet_due_answers_the_same_turn_when_asked_again():
    t, table = FakeTime(), MemoryTable()
    ledger = QpuLedger(table, clock=t.time, sleep=t.sleep)
    for i in range(3):
        ledger.reserve("tenant-1", 1, owner=f"task-{i}")
    first = ledger.reserve("tenant-1", 1, owner="me")
    t.now += first / 2
    assert ledger.reserve("tenant-1", 1, owner="me") == pytest.approx(first / 2)


def test_a_late_claim_goes_now_when_azures_limits_allow_it_there():
    # given: a booking claimed 5 s late while later bookings keep Caleta's pace
    t, table = FakeTime(), MemoryTable()
    ledger = QpuLedger(table, clock=t.time, sleep=t.sleep)
    ledger.reserve("tenant-1", 1, owner="first")
    mine = ledger.reserve("tenant-1", 1, owner="me")
    for i in range(20):
        ledger.reserve("tenant-1", 1, owner=f"other-{i}")
    t.now += mine + 5.0
    # when / then: it goes now, and no window breaks Azure's limits with every booking counted
    assert ledger.reserve("tenant-1", 1, owner="me") == 0.0
    everything = [(ts, q) for ts, q, _ in ledger.snapshot("tenant-1")]
    assert all(fits_at([g for g in everything if g != (ts, q)], q, ts, AZURE_LIMITS) for ts, q in everything)


def test_a_late_claim_is_booked_again_when_it_would_break_azures_limits_now():
    # given: Azure (as configured here) takes 9 a 10-second window: exactly what Caleta's 1.2 s pace fills
    t, table = FakeTime(), MemoryTable()
    ledger = QpuLedger(table, clock=t.time, sleep=t.sleep, hard_limits=((10.0, 9), (60.0, 60), (3600.0, 600)))
    ledger.reserve("tenant-1", 1, owner="first")
    mine = ledger.reserve("tenant-1", 1, owner="me")
    for i in range(30):
        ledger.reserve("tenant-1", 1, owner=f"other-{i}")
    # when: my turn is claimed 5 s late, amid the others' bookings
    t.now += mine + 5.0
    wait = ledger.reserve("tenant-1", 1, owner="me")
    # then: it is not squeezed in: booked again at the end of the line
    assert wait > 30.0


def test_settle_counts_the_grant_when_the_answer_arrived_with_what_azure_charged():
    t, table = FakeTime(), MemoryTable()
    ledger = QpuLedger(table, clock=t.time, sleep=t.sleep)
    assert ledger.reserve("tenant-1", 3, owner="me") == 0.0
    t.now += 2.5
    ledger.settle("tenant-1", "me", consumed=0)
    assert ledger.snapshot("tenant-1") == [(1_002.5, 0, "u")]


def test_an_unanswered_grant_counts_as_arriving_now_when_a_late_claim_is_checked():
    # given: a request granted 5 s ago and never settled (its answer is still awaited)
    t, table = FakeTime(), MemoryTable()
    ledger = QpuLedger(table, clock=t.time, sleep=t.sleep, limits=((10.0, 1), (60.0, 50), (3600.0, 500)),
                       hard_limits=((10.0, 1), (60.0, 60), (3600.0, 600)))
    assert ledger.reserve("tenant-1", 1, owner="slow") == 0.0
    mine = ledger.reserve("tenant-1", 1, owner="me")
    t.now += mine + 1.0
    # when / then: the late claim may not go now (the slow one may still reach Azure in this window)
    assert ledger.reserve("tenant-1", 1, owner="me") > 0.0


def test_the_ledger_row_stays_within_a_table_property_when_hundreds_of_tasks_book():
    t, table = FakeTime(), MemoryTable()
    ledger = QpuLedger(table, clock=t.time, sleep=t.sleep)
    for i in range(1_200):
        ledger.reserve("tenant-1", 1, owner=owner_key("scan", f"sub-{i}", "cost"))
    row = table.rows[("tenant-1", "qpu")]
    assert len(ledger.snapshot("tenant-1")) == 1_200
    assert all(len(v) <= 30_000 for k, v in row.items() if k.startswith("grants_"))


def test_a_released_booking_leaves_the_line_when_its_task_will_not_wait() -> None:
    t, table = FakeTime(), MemoryTable()
    ledger = QpuLedger(table, clock=t.time, sleep=t.sleep)
    ledger.block("tenant-1", 30.0)
    assert ledger.reserve("tenant-1", 1, owner="gives-up") > 0
    ledger.release("tenant-1", "gives-up")
    assert ledger.snapshot("tenant-1") == []


def test_a_booking_an_hour_overdue_is_dropped_when_its_task_never_came_back() -> None:
    # given: a task booked a turn and was never seen again
    t, table = FakeTime(), MemoryTable()
    ledger = QpuLedger(table, clock=t.time, sleep=t.sleep)
    ledger.reserve("tenant-1", 1, owner="first")
    ledger.settle("tenant-1", "first")
    assert ledger.reserve("tenant-1", 1, owner="gone") > 0
    # when: an hour and more later another task asks
    t.now += 3_700.0
    # then: it goes at once, and the abandoned booking is no longer kept
    assert ledger.reserve("tenant-1", 1, owner="later") == 0.0
    assert [state for _, _, state in ledger.snapshot("tenant-1")] == ["f"]


def test_ledgers_of_two_row_keys_keep_separate_lines_when_they_share_a_partition() -> None:
    t, table = FakeTime(), MemoryTable()
    qpu = QpuLedger(table, clock=t.time, sleep=t.sleep)
    other = QpuLedger(table, clock=t.time, sleep=t.sleep, row_key="graph-x", limits=((5.0, 12),),
                      hard_limits=((5.0, 15),))
    qpu.block("tenant-1", 60.0)
    assert other.reserve("tenant-1", 1, owner="a") == 0.0
    assert {r["RowKey"] for r in table.partition("tenant-1")} == {"qpu", "graph-x"}
