"""Service Bus delivery accounting on the bench's scaled clock: a fake clock, no sleeps, deterministic."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from local.bench.host import FunctionsHost, busy_seconds, instance_seconds
from local.bench.hostconfig import ROOT, cron_period_seconds, load, timespan_seconds
from local.bench.servicebus import Delivery, DeliveryClock, DeliveryRules, FunctionTimeout, QueueModel
from shared.messages import COLLECT_TASKS

RULES = DeliveryRules(lock_s=30.0, renewal_s=60.0, timeout_s=120.0, max_deliveries=3)


class FakeClock:
    """Time that moves only when someone sleeps."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def _queue(clock: FakeClock, rules: DeliveryRules = RULES) -> QueueModel[str]:
    queue: QueueModel[str] = QueueModel(rules, clock)
    queue.send("task")
    return queue


def test_the_deployed_clocks_are_read_from_the_queue_spec_and_host_json_when_scaled() -> None:
    host = json.loads((ROOT / "host.json").read_text())
    rules = DeliveryRules.scaled(load(), 0.05)
    assert rules.lock_s == pytest.approx(COLLECT_TASKS.lock_duration_seconds * 0.05)
    assert rules.max_deliveries == COLLECT_TASKS.max_delivery_count
    assert rules.timeout_s == pytest.approx(timespan_seconds(host["functionTimeout"]) * 0.05)
    assert rules.renewal_s == pytest.approx(
        timespan_seconds(host["extensions"]["serviceBus"]["maxAutoLockRenewalDuration"]) * 0.05)


def test_timespans_and_timer_periods_parse_when_written_as_host_json_and_ncrontab_do() -> None:
    assert timespan_seconds("00:10:00") == 600.0
    assert timespan_seconds("1.02:00:30") == 86400 + 7200 + 30
    assert cron_period_seconds("0 */5 * * * *") == 300.0
    with pytest.raises(ValueError):
        timespan_seconds("ten minutes")


def test_a_message_is_completed_once_when_its_trigger_returns_in_time() -> None:
    clock = FakeClock()
    queue = _queue(clock)
    delivery = queue.receive()
    assert delivery is not None and delivery.number == 1
    clock.sleep(10.0)
    assert queue.settle(delivery, succeeded=True) == "completed"
    assert queue.receive() is None and queue.wait_hint() is None
    assert (queue.counts.deliveries, queue.counts.redeliveries, queue.counts.completed) == (1, 0, 1)


def test_a_raising_trigger_is_redelivered_at_once_and_dead_lettered_after_max_deliveries() -> None:
    clock = FakeClock()
    queue = _queue(clock)
    outcomes = []
    for _ in range(RULES.max_deliveries):
        delivery = queue.receive()
        assert delivery is not None
        clock.sleep(5.0)
        outcomes.append(queue.settle(delivery, succeeded=False))
    assert outcomes == ["abandoned", "abandoned", "dead_lettered"]
    assert queue.receive() is None and queue.wait_hint() is None
    counts = queue.counts
    assert (counts.deliveries, counts.redeliveries, counts.abandoned, counts.dead_lettered) == (3, 2, 3, 1)
    assert counts.dead_lettered_bodies == ["task"]


def test_the_lock_holds_past_its_duration_when_the_host_renews_it() -> None:
    clock = FakeClock()
    queue = _queue(clock)
    delivery = queue.receive()
    assert delivery is not None
    clock.sleep(RULES.lock_s + RULES.renewal_s - 1.0)  # past one lock duration, inside the renewal
    assert queue.receive() is None
    assert queue.settle(delivery, succeeded=True) == "completed"
    assert queue.counts.lock_lost == 0


def test_a_lost_lock_redelivers_while_the_first_invocation_runs_and_its_completion_then_fails() -> None:
    clock = FakeClock()
    queue = _queue(clock)
    first = queue.receive()
    assert first is not None
    clock.sleep(RULES.lock_lost_after)  # renewal ended one lock duration ago
    second = queue.receive()
    assert second is not None and second.number == 2 and second.started_at == RULES.lock_lost_after
    clock.sleep(1.0)
    assert queue.settle(first, succeeded=True) == "lock_lost"
    assert queue.settle(second, succeeded=True) == "completed"
    assert (queue.counts.lock_lost, queue.counts.redeliveries, queue.counts.completed) == (1, 1, 1)


def test_a_lost_lock_on_the_last_delivery_dead_letters_the_message() -> None:
    clock = FakeClock()
    queue = _queue(clock, DeliveryRules(lock_s=30.0, renewal_s=0.0, timeout_s=120.0, max_deliveries=1))
    delivery = queue.receive()
    assert delivery is not None
    clock.sleep(31.0)
    assert queue.settle(delivery, succeeded=True) == "dead_lettered"
    assert queue.counts.dead_lettered == 1


def test_sleeping_past_the_function_timeout_cancels_the_invocation_at_the_timeout() -> None:
    fake = FakeClock()
    clock = DeliveryClock(fake, fake.sleep)
    clock.arm(100.0)
    with pytest.raises(FunctionTimeout):
        clock.sleep(150.0)
    assert fake.now == 100.0
    with pytest.raises(FunctionTimeout):
        clock.now()
    clock.arm(None)
    assert clock.now() == 100.0


def _host(fake: FakeClock, trigger: Callable[[Delivery[str]], str], workers: int = 1,
          rules: DeliveryRules = RULES, messages: int = 1) -> FunctionsHost[str]:
    queue: QueueModel[str] = QueueModel(rules, fake)
    for n in range(messages):
        queue.send(f"m{n}")
    return FunctionsHost(queue, trigger, DeliveryClock(fake, fake.sleep), workers=workers)


def test_the_host_redelivers_a_timed_out_invocation_until_it_dead_letters() -> None:
    fake = FakeClock()
    product_clock = DeliveryClock(fake, fake.sleep)

    def trigger(delivery: Delivery[str]) -> str:
        product_clock.sleep(1000.0)  # waits for a quota far beyond functionTimeout
        return "succeeded"

    rules = DeliveryRules(lock_s=300.0, renewal_s=300.0, timeout_s=120.0, max_deliveries=3)
    queue: QueueModel[str] = QueueModel(rules, fake)
    queue.send("m0")
    runs = FunctionsHost(queue, trigger, product_clock, workers=1).run()
    assert [r.outcome for r in runs] == ["timed_out"] * 3
    assert [r.settled for r in runs] == ["abandoned", "abandoned", "dead_lettered"]
    assert fake.now == pytest.approx(3 * 120.0)


def test_the_host_completes_after_a_transient_failure_with_one_redelivery() -> None:
    fake = FakeClock()
    calls: list[int] = []

    def trigger(delivery: Delivery[str]) -> str:
        fake.sleep(10.0)
        calls.append(delivery.number)
        if delivery.number == 1:
            raise ConnectionError("the tenant hung up")
        return "succeeded"

    host = _host(fake, trigger)
    runs = host.run()
    assert calls == [1, 2]
    assert [(r.outcome, r.settled) for r in runs] == [("raised", "abandoned"), ("succeeded", "completed")]
    assert host.queue.counts.redeliveries == 1 and host.queue.counts.dead_lettered == 0


def test_instance_time_is_the_union_of_its_invocations_when_they_overlap() -> None:
    assert busy_seconds([(0.0, 10.0), (5.0, 12.0), (20.0, 25.0)]) == 17.0
    fake = FakeClock()

    def trigger(delivery: Delivery[str]) -> str:
        fake.sleep(10.0)
        return "succeeded"

    runs = _host(fake, trigger, messages=3).run()
    assert instance_seconds(runs, concurrent_calls=4) == [30.0]  # one worker: back to back on one instance


def test_the_repository_root_holds_the_files_the_clocks_come_from() -> None:
    for name in ("host.json", "infra/modules/functionapp.bicep", "infra/modules/storage.bicep"):
        assert (ROOT / Path(name)).is_file(), name


def test_an_invocation_that_ends_past_the_timeout_without_a_check_point_counts_as_timed_out() -> None:
    fake = FakeClock()

    def trigger(delivery: Delivery[str]) -> str:
        fake.sleep(RULES.timeout_s + 1.0)  # one long call the product cannot interrupt
        return "succeeded"

    runs = _host(fake, trigger, rules=DeliveryRules(30.0, 600.0, 120.0, 1)).run()
    assert [(r.outcome, r.settled) for r in runs] == [("timed_out", "dead_lettered")]


def test_a_trigger_can_schedule_a_follow_up_message_that_is_delivered_when_due() -> None:
    fake = FakeClock()
    seen: list[tuple[str, float]] = []
    hosts: list[FunctionsHost[str]] = []

    def trigger(delivery: Delivery[str]) -> str:
        seen.append((delivery.body, fake.now))
        if delivery.body == "m0":
            hosts[0].send("m0:next-window", delay_s=100.0)  # a checkpointed collector hands on the rest
        return "succeeded"

    hosts.append(_host(fake, trigger))
    runs = hosts[0].run()
    assert seen[0] == ("m0", 0.0)
    assert seen[1][0] == "m0:next-window" and seen[1][1] >= 100.0
    assert [r.settled for r in runs] == ["completed", "completed"]
