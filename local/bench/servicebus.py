"""Service Bus delivery accounting on the bench's clock: locks, renewal, redelivery and dead-lettering.

How Service Bus and the Functions host count (MicrosoftDocs azure-docs functions-bindings-service-bus.md and
the .NET QueueProperties reference, see /work/shared/reference/azure-apis.md §5.2, §7.2):
- every receive under PeekLock is a delivery and raises the message's delivery count;
- the function returning completes the message; raising (or timing out) abandons it: it is available again
  at once;
- the host renews the lock while the function runs, for at most maxAutoLockRenewalDuration; the last renewal
  holds it for one more lock duration, so the lock is lost `renewal + lock` seconds after the receive (at the
  latest: the SDK renews a little before expiry). A lost lock makes the message available again while the
  first invocation may still run; that invocation's completion then fails;
- once a message has failed its maxDeliveryCount-th delivery it is dead-lettered.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, Literal, TypeVar

from local.bench.hostconfig import HostConfig

T = TypeVar("T")
Settled = Literal["completed", "abandoned", "lock_lost", "dead_lettered"]


class FunctionTimeout(BaseException):
    """The host cancelled the invocation at functionTimeout (BaseException: product code must not catch it)."""


@dataclass(frozen=True)
class DeliveryRules:
    """The clocks of one queue and its trigger, in the bench's (scaled) seconds."""

    lock_s: float
    renewal_s: float
    timeout_s: float
    max_deliveries: int

    @classmethod
    def scaled(cls, config: HostConfig, time_scale: float) -> DeliveryRules:
        """The deployed clocks multiplied by `time_scale`."""
        return cls(config.lock_s * time_scale, config.lock_renewal_s * time_scale,
                   config.function_timeout_s * time_scale, config.max_deliveries)

    @property
    def lock_lost_after(self) -> float:
        """Seconds from receive until the lock is gone even while renewed."""
        return self.lock_s + self.renewal_s


@dataclass(frozen=True)
class Delivery(Generic[T]):
    """One receive of one message."""

    seq: int
    body: T
    number: int
    started_at: float
    lock_lost_at: float
    kill_at: float


@dataclass
class _Message(Generic[T]):
    seq: int
    body: T
    deliveries: int = 0
    available_at: float = 0.0
    state: Literal["ready", "locked", "completed", "dead"] = "ready"
    current: Delivery[T] | None = None


@dataclass
class QueueCounts:
    """What Service Bus would show for the run."""

    sent: int = 0
    deliveries: int = 0
    redeliveries: int = 0
    completed: int = 0
    abandoned: int = 0
    lock_lost: int = 0
    dead_lettered: int = 0
    dead_lettered_bodies: list[object] = field(default_factory=list)


class QueueModel(Generic[T]):
    """The messages of one queue; not thread-safe (the host holds its lock around every call)."""

    def __init__(self, rules: DeliveryRules, clock: Callable[[], float]) -> None:
        self.rules, self._clock = rules, clock
        self._messages: list[_Message[T]] = []
        self.counts = QueueCounts()

    def send(self, body: T, delay_s: float = 0.0) -> None:
        """Enqueue a message, available now or, scheduled, `delay_s` from now."""
        self._messages.append(_Message(len(self._messages), body, available_at=self._clock() + delay_s))
        self.counts.sent += 1

    def _fail(self, message: _Message[T], available_at: float) -> Settled | None:
        """A delivery ended without completing: back to the queue, or to the dead-letter queue."""
        message.current = None
        if message.deliveries >= self.rules.max_deliveries:
            message.state = "dead"
            self.counts.dead_lettered += 1
            self.counts.dead_lettered_bodies.append(message.body)
            return "dead_lettered"
        message.state, message.available_at = "ready", available_at
        return None

    def _expire_locks(self, now: float) -> None:
        for message in self._messages:
            if message.state == "locked" and message.current and now >= message.current.lock_lost_at:
                self.counts.lock_lost += 1
                self._fail(message, message.current.lock_lost_at)

    def receive(self) -> Delivery[T] | None:
        """Lock the oldest available message (lowest sequence number), or None."""
        now = self._clock()
        self._expire_locks(now)
        ready = [m for m in self._messages if m.state == "ready" and m.available_at <= now]
        if not ready:
            return None
        message = min(ready, key=lambda m: m.seq)
        message.deliveries += 1
        self.counts.deliveries += 1
        self.counts.redeliveries += message.deliveries > 1
        message.state = "locked"
        message.current = Delivery(message.seq, message.body, message.deliveries, now,
                                   now + self.rules.lock_lost_after, now + self.rules.timeout_s)
        return message.current

    def settle(self, delivery: Delivery[T], succeeded: bool) -> Settled:
        """The invocation ended now: complete it, abandon it, or find its lock already gone."""
        now = self._clock()
        message = self._messages[delivery.seq]
        if message.current is not delivery:
            return "lock_lost"  # expired earlier (and counted then); completing with a lost lock fails
        if now >= delivery.lock_lost_at:
            self.counts.lock_lost += 1
            return self._fail(message, delivery.lock_lost_at) or "lock_lost"
        if not succeeded:
            self.counts.abandoned += 1
            return self._fail(message, now) or "abandoned"
        message.state, message.current = "completed", None
        self.counts.completed += 1
        return "completed"

    def wait_hint(self) -> float | None:
        """Seconds until something could change (a message due, a lock lost); None when all are final."""
        now = self._clock()
        self._expire_locks(now)
        times = [m.available_at for m in self._messages if m.state == "ready"]
        times += [m.current.lock_lost_at for m in self._messages if m.state == "locked" and m.current]
        return max(0.0, min(times) - now) if times else None


class DeliveryClock:
    """The bench's clock as product code sees it inside an invocation: sleeping past the timeout cancels it."""

    def __init__(self, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._clock, self._sleep = clock, sleep
        self._local = threading.local()

    def arm(self, kill_at: float | None) -> None:
        """Set (or clear, with None) this thread's invocation deadline."""
        self._local.kill_at = kill_at

    def _kill_at(self) -> float | None:
        return getattr(self._local, "kill_at", None)

    def raw(self) -> float:
        """The time, never raising."""
        return self._clock()

    def now(self) -> float:
        """The time; FunctionTimeout when this thread's invocation is past its deadline."""
        now, kill_at = self._clock(), self._kill_at()
        if kill_at is not None and now >= kill_at:
            raise FunctionTimeout()
        return now

    def sleep(self, seconds: float) -> None:
        """Sleep; an invocation whose deadline comes first sleeps until then and is cancelled."""
        kill_at = self._kill_at()
        if kill_at is not None and self._clock() + seconds >= kill_at:
            self._sleep(max(0.0, kill_at - self._clock()))
            raise FunctionTimeout()
        self._sleep(seconds)
