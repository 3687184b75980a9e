"""A stand-in for the Functions host on one queue: workers take deliveries and run the trigger under its clocks.

Each worker is one concurrent call; `concurrent_calls` workers make one instance (host.json maxConcurrentCalls),
which is what Flex Consumption bills: the time an instance has at least one invocation running.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from local.bench.servicebus import Delivery, DeliveryClock, FunctionTimeout, QueueModel, Settled

logger = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class Invocation(Generic[T]):
    """One delivery as the host ran it."""

    worker: int
    delivery: Delivery[T]
    ended_at: float
    outcome: str  # what the trigger returned, "raised" or "timed_out"
    settled: Settled


def busy_seconds(intervals: list[tuple[float, float]]) -> float:
    """Length of the union of [start, end) intervals."""
    total, reach = 0.0, float("-inf")
    for start, end in sorted(intervals):
        if end <= reach:
            continue
        total += end - max(start, reach)
        reach = end
    return total


def instance_seconds(invocations: list[Invocation[T]], concurrent_calls: int) -> list[float]:
    """Seconds each instance had an invocation running (worker w belongs to instance w // concurrent_calls)."""
    by_instance: dict[int, list[tuple[float, float]]] = {}
    for inv in invocations:
        by_instance.setdefault(inv.worker // concurrent_calls, []).append((inv.delivery.started_at, inv.ended_at))
    return [busy_seconds(spans) for _, spans in sorted(by_instance.items())]


class FunctionsHost(Generic[T]):
    """Runs `trigger` for every message of `queue` on `workers` threads until every message is final."""

    def __init__(self, queue: QueueModel[T], trigger: Callable[[Delivery[T]], str], clock: DeliveryClock, *,
                 workers: int, idle_poll_s: float = 0.02) -> None:
        self.queue, self.trigger, self.clock = queue, trigger, clock
        self.workers, self.idle_poll_s = workers, idle_poll_s
        self.invocations: list[Invocation[T]] = []
        self._lock = threading.Lock()

    def send(self, body: T, delay_s: float = 0.0) -> None:
        """What a trigger's output binding does: enqueue a message (scheduled when `delay_s` > 0)."""
        with self._lock:
            self.queue.send(body, delay_s)

    def _invoke(self, delivery: Delivery[T]) -> str:
        self.clock.arm(delivery.kill_at)
        try:
            outcome = self.trigger(delivery)
        except FunctionTimeout:
            return "timed_out"
        except Exception as exc:  # the host abandons the message; Service Bus redelivers it
            logger.warning("delivery %d of message %d raised %s: %s", delivery.number, delivery.seq,
                           type(exc).__name__, exc)
            return "raised"
        finally:
            self.clock.arm(None)
        # No cancellation point after the deadline: the host would have killed it all the same.
        return "timed_out" if self.clock.raw() >= delivery.kill_at else outcome

    def _work(self, worker: int) -> None:
        while True:
            with self._lock:
                delivery = self.queue.receive()
                wait = self.queue.wait_hint() if delivery is None else 0.0
            if delivery is None:
                if wait is None:
                    return
                self.clock.sleep(min(wait, self.idle_poll_s) if wait > 0 else self.idle_poll_s)
                continue
            outcome = self._invoke(delivery)
            with self._lock:
                settled = self.queue.settle(delivery, outcome not in ("raised", "timed_out"))
                self.invocations.append(Invocation(worker, delivery, self.clock.raw(), outcome, settled))

    def run(self) -> list[Invocation[T]]:
        """Drain the queue; the invocations in the order they ended."""
        threads = [threading.Thread(target=self._work, args=(w,), name=f"bench-worker-{w}", daemon=True)
                   for w in range(self.workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return self.invocations
