"""One Service Bus queue's semantics: sequence numbers, peek-locks, delivery counts, dead-lettering,
scheduling, deferral, duplicate detection and time-to-live.

Pure and single-threaded: the caller serialises access and passes the time in (epoch seconds).
"""

from __future__ import annotations

import heapq
import uuid
from collections.abc import Callable, Iterable

from local.broker.model import MAX_DELIVERY_COUNT_EXCEEDED, Incoming, Lock, MessageView, Stored


class QueueState:
    """A queue; `dead_letter` is its `$deadletterqueue` sub-queue (None for the sub-queue itself)."""

    def __init__(self, name: str, *, max_delivery_count: int | None, lock_duration: float,
                 duplicate_window: float = 0.0, default_ttl: float | None = None,
                 dead_letter: QueueState | None = None) -> None:
        self.name = name
        self.max_delivery_count = max_delivery_count
        self.lock_duration = lock_duration
        self.duplicate_window = duplicate_window
        self.default_ttl = default_ttl
        self.dead_letter_queue = dead_letter
        self._next_sequence = 1
        self._messages: dict[int, Stored] = {}  # active, scheduled and deferred, by sequence number
        # Heaps, so receiving stays cheap on long queues; entries for messages that have since moved
        # (locked, cancelled, dropped) are skipped when they surface.
        self._ready: list[int] = []  # sequence numbers of active messages
        self._due: list[tuple[float, int]] = []  # (visible_at, sequence number) of scheduled messages
        self._locks: dict[uuid.UUID, Lock] = {}
        self._seen_ids: dict[str, float] = {}  # message id -> time first accepted (duplicate detection)

    # -- sending -----------------------------------------------------------------------------------

    def enqueue(self, message: Incoming, now: float) -> int | None:
        """Accept a message; its sequence number, or None when it is a duplicate inside the window."""
        if self._is_duplicate(message.message_id, now):
            return None
        visible_at = message.scheduled_at if message.scheduled_at and message.scheduled_at > now else now
        ttls = [t for t in (message.ttl_seconds, self.default_ttl) if t]
        stored = Stored(
            sequence_number=self._take_sequence(), message_id=message.message_id, payload=message.payload,
            body=message.body, application_properties=dict(message.application_properties),
            enqueued_at=visible_at, visible_at=visible_at,
            # Service Bus counts time-to-live from the (scheduled) enqueue time; the shorter one wins.
            expires_at=visible_at + min(ttls) if ttls else None,
            state="scheduled" if visible_at > now else "active",
        )
        self._messages[stored.sequence_number] = stored
        if stored.state == "active":
            heapq.heappush(self._ready, stored.sequence_number)
        else:
            heapq.heappush(self._due, (stored.visible_at, stored.sequence_number))
        return stored.sequence_number

    def cancel_scheduled(self, sequence_number: int) -> bool:
        """Remove a scheduled message before it becomes visible; False if there is none."""
        stored = self._messages.get(sequence_number)
        if stored is None or stored.state != "scheduled":
            return False
        del self._messages[sequence_number]
        return True

    def add_dead_lettered(self, message: Stored) -> None:
        """Take a message that its queue dead-lettered (sub-queue side)."""
        message.state = "active"
        message.expires_at = None  # the dead-letter queue keeps messages until someone reads them
        self._make_ready(message)

    # -- receiving ---------------------------------------------------------------------------------

    def acquire(self, now: float, owner: object) -> Lock | None:
        """Lock the next visible message for `owner` (peek-lock), or None when there is none."""
        stored = self._next_visible(now)
        if stored is None:
            return None
        del self._messages[stored.sequence_number]
        lock = Lock(token=uuid.uuid4(), message=stored, locked_until=now + self.lock_duration, owner=owner)
        self._locks[lock.token] = lock
        return lock

    def take(self, now: float) -> Stored | None:
        """Remove and return the next visible message (receive-and-delete), or None."""
        stored = self._next_visible(now)
        if stored is not None:
            del self._messages[stored.sequence_number]
        return stored

    def lock_deferred(self, sequence_numbers: Iterable[int], now: float, owner: object) -> list[Lock]:
        """Lock deferred messages by sequence number (receive_deferred_messages)."""
        locks = []
        for number in sequence_numbers:
            stored = self._messages.get(number)
            if stored is None or stored.state != "deferred":
                continue
            del self._messages[number]
            lock = Lock(token=uuid.uuid4(), message=stored, locked_until=now + self.lock_duration, owner=owner)
            self._locks[lock.token] = lock
            locks.append(lock)
        return locks

    # -- settling ----------------------------------------------------------------------------------

    def is_locked(self, token: uuid.UUID, now: float) -> bool:
        """Whether `token` is a lock this queue still holds."""
        lock = self._locks.get(token)
        return lock is not None and lock.locked_until > now

    def complete(self, token: uuid.UUID) -> bool:
        """Delete a locked message; False if the lock is unknown (lost)."""
        return self._locks.pop(token, None) is not None

    def abandon(self, token: uuid.UUID, now: float) -> bool:
        """Give a locked message back, counting a failed delivery."""
        lock = self._locks.pop(token, None)
        if lock is None:
            return False
        self._return(lock.message, failed=True, now=now)
        return True

    def release(self, token: uuid.UUID, now: float) -> bool:
        """Give a locked message back without counting a delivery (never processed by the client)."""
        lock = self._locks.pop(token, None)
        if lock is None:
            return False
        self._return(lock.message, failed=False, now=now)
        return True

    def defer(self, token: uuid.UUID) -> bool:
        """Set a locked message aside; only receive-by-sequence-number gets it again."""
        lock = self._locks.pop(token, None)
        if lock is None:
            return False
        lock.message.state = "deferred"
        self._messages[lock.message.sequence_number] = lock.message
        return True

    def dead_letter(self, token: uuid.UUID, reason: str | None, description: str | None) -> bool:
        """Move a locked message to the dead-letter sub-queue with a reason and description."""
        lock = self._locks.pop(token, None)
        if lock is None:
            return False
        self._move_to_dead_letter(lock.message, reason, description)
        return True

    def renew(self, token: uuid.UUID, now: float) -> float | None:
        """Extend a lock by the lock duration; the new expiry, or None if the lock is lost."""
        lock = self._locks.get(token)
        if lock is None or lock.locked_until <= now:
            return None
        lock.locked_until = now + self.lock_duration
        return lock.locked_until

    def release_owner(self, owner: object, now: float) -> None:
        """A receiver link went away: its locks are lost, as if they had expired."""
        for token in [t for t, lock in self._locks.items() if lock.owner is owner]:
            self._return(self._locks.pop(token).message, failed=True, now=now)

    # -- housekeeping and views --------------------------------------------------------------------

    def tick(self, now: float) -> None:
        """Expire locks, make due scheduled messages visible and drop expired ones."""
        for token in [t for t, lock in self._locks.items() if lock.locked_until <= now]:
            self._return(self._locks.pop(token).message, failed=True, now=now)
        self._promote(now)
        for stored in [m for m in self._messages.values() if m.expired(now) and m.state != "deferred"]:
            del self._messages[stored.sequence_number]
        horizon = now - self.duplicate_window
        for message_id in [m for m, seen in self._seen_ids.items() if seen <= horizon]:
            del self._seen_ids[message_id]

    def peek(self, from_sequence: int, count: int) -> list[Stored]:
        """Messages in any state, locked ones included, from a sequence number on, without locking them.

        Service Bus peek returns active, locked, deferred and scheduled messages of a queue ("Peek also returns
        messages that were locked and are currently being processed by other receivers":
        learn.microsoft.com/azure/service-bus-messaging/message-browsing).
        """
        held = {**self._messages, **{lock.message.sequence_number: lock.message for lock in self._locks.values()}}
        numbers = sorted(n for n in held if n >= from_sequence)[:max(count, 0)]
        return [held[n] for n in numbers]

    def views(self) -> dict[str, list[MessageView]]:
        """Copies of the messages, grouped by state (locked ones separately)."""
        groups: dict[str, list[MessageView]] = {"active": [], "scheduled": [], "deferred": [], "locked": []}
        for number in sorted(self._messages):
            stored = self._messages[number]
            groups[stored.state].append(MessageView.of(stored))
        groups["locked"] = [MessageView.of(lock.message) for lock in self._locks.values()]
        return groups

    def drop_where(self, predicate: Callable[[MessageView], bool]) -> int:
        """Delete unlocked messages matching `predicate`; how many went."""
        doomed = [n for n, stored in self._messages.items() if predicate(MessageView.of(stored))]
        for number in doomed:
            del self._messages[number]
        return len(doomed)

    # -- internals ---------------------------------------------------------------------------------

    def _take_sequence(self) -> int:
        number = self._next_sequence
        self._next_sequence += 1
        return number

    def _is_duplicate(self, message_id: str | None, now: float) -> bool:
        if not message_id or self.duplicate_window <= 0:
            return False
        seen = self._seen_ids.get(message_id)
        if seen is not None and now - seen < self.duplicate_window:
            return True
        self._seen_ids[message_id] = now
        return False

    def _next_visible(self, now: float) -> Stored | None:
        self._promote(now)
        while self._ready:
            number = heapq.heappop(self._ready)
            stored = self._messages.get(number)
            if stored is None or stored.state != "active":
                continue
            if stored.expired(now):
                del self._messages[number]
                continue
            return stored
        return None

    def _promote(self, now: float) -> None:
        while self._due and self._due[0][0] <= now:
            _, number = heapq.heappop(self._due)
            stored = self._messages.get(number)
            if stored is not None and stored.state == "scheduled":
                self._make_ready(stored)

    def _make_ready(self, message: Stored) -> None:
        message.state = "active"
        self._messages[message.sequence_number] = message
        heapq.heappush(self._ready, message.sequence_number)

    def _return(self, message: Stored, *, failed: bool, now: float) -> None:
        if failed:
            message.delivery_count += 1
        limit = self.max_delivery_count
        if failed and limit is not None and message.delivery_count >= limit:
            self._move_to_dead_letter(message, MAX_DELIVERY_COUNT_EXCEEDED,
                                      f"Message could not be consumed after {limit} delivery attempts.")
            return
        if message.expired(now):
            return  # expired while locked: Service Bus drops it once the lock ends
        self._make_ready(message)

    def _move_to_dead_letter(self, message: Stored, reason: str | None, description: str | None) -> None:
        message.dead_letter_reason = reason
        message.dead_letter_description = description
        if self.dead_letter_queue is not None:
            self.dead_letter_queue.add_dead_lettered(message)
