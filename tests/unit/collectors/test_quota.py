"""The per-tenant QPU ledger: documented windows, shared across instances, blocks after a 429."""

from __future__ import annotations

import json

import pytest

from local.memtable import MemoryTable
from shared.collectors.quota import QpuLedger, TokenBucket, wait_for
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


def test_token_bucket_refuses_then_refills_when_drained():
    t = FakeTime()
    bucket = TokenBucket(rate=1.0, capacity=2, clock=t.time)
    assert bucket.take() == 0.0 and bucket.take() == 0.0
    assert bucket.take() == pytest.approx(1.0)
    t.sleep(1.0)
    assert bucket.take() == 0.0


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
    grants = [g[0] for g in json.loads(table.rows[("tenant-1", "qpu")]["grants"])]
    assert all(sum(1 for g in grants if s <= g < s + 10.0) <= 10 for s in grants)


def test_tenants_have_separate_budgets_when_both_query():
    t, table = FakeTime(), MemoryTable()
    ledger = QpuLedger(table, clock=t.time, sleep=t.sleep)
    for _ in range(10):
        ledger.acquire("tenant-1")
        ledger.acquire("tenant-2")
    assert t.slept == []


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
