"""The broker's queue model (no AMQP): locks, delivery counts, dead-lettering, scheduling, TTL, dedupe."""

from __future__ import annotations

from local.broker.model import Incoming
from local.broker.queue import QueueState

OWNER = object()


def a_queue(*, max_delivery_count: int = 3, lock: float = 10.0, dedupe: float = 60.0,
            ttl: float | None = None) -> QueueState:
    dead_letter = QueueState("q/$deadletterqueue", max_delivery_count=None, lock_duration=lock)
    return QueueState("q", max_delivery_count=max_delivery_count, lock_duration=lock, duplicate_window=dedupe,
                      default_ttl=ttl, dead_letter=dead_letter)


def a_message(message_id: str | None = "m1", *, ttl: float | None = None,
              scheduled_at: float | None = None) -> Incoming:
    return Incoming(payload=b"", message_id=message_id, body=b"{}", application_properties={"kind": "cost"},
                    ttl_seconds=ttl, scheduled_at=scheduled_at)


def dead_letters(queue: QueueState) -> list[str | None]:
    assert queue.dead_letter_queue is not None
    return [(v.dead_letter_reason) for v in queue.dead_letter_queue.views()["active"]]


def test_sequence_numbers_increase_when_messages_are_enqueued() -> None:
    queue = a_queue()
    assert [queue.enqueue(a_message(f"m{i}"), now=0.0) for i in range(3)] == [1, 2, 3]


def test_duplicate_is_dropped_when_its_id_was_seen_inside_the_window() -> None:
    queue = a_queue(dedupe=60.0)
    queue.enqueue(a_message("same"), now=0.0)
    assert queue.enqueue(a_message("same"), now=59.0) is None
    assert len(queue.views()["active"]) == 1


def test_duplicate_is_accepted_again_when_the_window_has_passed() -> None:
    queue = a_queue(dedupe=60.0)
    queue.enqueue(a_message("same"), now=0.0)
    queue.tick(now=61.0)
    assert queue.enqueue(a_message("same"), now=61.0) == 2


def test_message_is_locked_and_invisible_when_acquired() -> None:
    queue = a_queue()
    queue.enqueue(a_message(), now=0.0)
    lock = queue.acquire(now=1.0, owner=OWNER)
    assert lock is not None and lock.locked_until == 11.0
    assert queue.acquire(now=1.0, owner=OWNER) is None


def test_message_is_gone_when_completed() -> None:
    queue = a_queue()
    queue.enqueue(a_message(), now=0.0)
    lock = queue.acquire(now=0.0, owner=OWNER)
    assert lock is not None and queue.complete(lock.token)
    assert queue.views() == {"active": [], "scheduled": [], "deferred": [], "locked": []}


def test_delivery_count_grows_when_abandoned() -> None:
    queue = a_queue()
    queue.enqueue(a_message(), now=0.0)
    lock = queue.acquire(now=0.0, owner=OWNER)
    assert lock is not None and queue.abandon(lock.token, now=0.0)
    again = queue.acquire(now=0.0, owner=OWNER)
    assert again is not None and again.message.delivery_count == 1


def test_delivery_count_is_unchanged_when_released() -> None:
    queue = a_queue()
    queue.enqueue(a_message(), now=0.0)
    lock = queue.acquire(now=0.0, owner=OWNER)
    assert lock is not None and queue.release(lock.token, now=0.0)
    again = queue.acquire(now=0.0, owner=OWNER)
    assert again is not None and again.message.delivery_count == 0


def test_message_is_dead_lettered_when_max_delivery_count_is_reached() -> None:
    # given
    queue = a_queue(max_delivery_count=2)
    queue.enqueue(a_message(), now=0.0)
    # when
    for _ in range(2):
        lock = queue.acquire(now=0.0, owner=OWNER)
        assert lock is not None
        queue.abandon(lock.token, now=0.0)
    # then
    assert queue.acquire(now=0.0, owner=OWNER) is None
    assert dead_letters(queue) == ["MaxDeliveryCountExceeded"]


def test_dead_letter_keeps_reason_and_description_when_dead_lettered_explicitly() -> None:
    queue = a_queue()
    queue.enqueue(a_message(), now=0.0)
    lock = queue.acquire(now=0.0, owner=OWNER)
    assert lock is not None and queue.dead_letter(lock.token, "InvalidInput", "no scan_id")
    assert queue.dead_letter_queue is not None
    [view] = queue.dead_letter_queue.views()["active"]
    assert (view.dead_letter_reason, view.dead_letter_description) == ("InvalidInput", "no scan_id")


def test_message_is_visible_again_with_count_plus_one_when_its_lock_expires() -> None:
    queue = a_queue(lock=10.0)
    queue.enqueue(a_message(), now=0.0)
    lock = queue.acquire(now=0.0, owner=OWNER)
    assert lock is not None
    queue.tick(now=10.0)
    again = queue.acquire(now=10.0, owner=OWNER)
    assert again is not None and again.message.delivery_count == 1
    assert not queue.complete(lock.token)


def test_lock_lasts_longer_when_renewed() -> None:
    queue = a_queue(lock=10.0)
    queue.enqueue(a_message(), now=0.0)
    lock = queue.acquire(now=0.0, owner=OWNER)
    assert lock is not None and queue.renew(lock.token, now=8.0) == 18.0
    queue.tick(now=12.0)
    assert queue.is_locked(lock.token, now=12.0)


def test_renewal_fails_when_the_lock_has_expired() -> None:
    queue = a_queue(lock=10.0)
    queue.enqueue(a_message(), now=0.0)
    lock = queue.acquire(now=0.0, owner=OWNER)
    assert lock is not None and queue.renew(lock.token, now=10.5) is None


def test_locks_of_an_owner_are_lost_when_it_goes_away() -> None:
    queue = a_queue()
    queue.enqueue(a_message(), now=0.0)
    assert queue.acquire(now=0.0, owner=OWNER) is not None
    queue.release_owner(OWNER, now=1.0)
    [view] = queue.views()["active"]
    assert view.delivery_count == 1


def test_scheduled_message_is_invisible_when_its_time_has_not_come() -> None:
    queue = a_queue()
    queue.enqueue(a_message(scheduled_at=100.0), now=0.0)
    assert queue.acquire(now=99.0, owner=OWNER) is None
    assert queue.acquire(now=100.0, owner=OWNER) is not None


def test_scheduled_message_is_gone_when_cancelled() -> None:
    queue = a_queue()
    number = queue.enqueue(a_message(scheduled_at=100.0), now=0.0)
    assert number is not None and queue.cancel_scheduled(number)
    assert queue.acquire(now=200.0, owner=OWNER) is None


def test_expired_message_is_dropped_when_its_own_ttl_passes() -> None:
    queue = a_queue(ttl=3600.0)
    queue.enqueue(a_message(ttl=5.0), now=0.0)
    assert queue.acquire(now=5.0, owner=OWNER) is None


def test_shorter_queue_default_ttl_applies_when_the_message_ttl_is_longer() -> None:
    queue = a_queue(ttl=5.0)
    queue.enqueue(a_message(ttl=3600.0), now=0.0)
    queue.tick(now=6.0)
    assert queue.views()["active"] == []


def test_deferred_message_is_only_received_by_sequence_number_when_deferred() -> None:
    queue = a_queue()
    number = queue.enqueue(a_message(), now=0.0)
    lock = queue.acquire(now=0.0, owner=OWNER)
    assert lock is not None and queue.defer(lock.token)
    assert queue.acquire(now=0.0, owner=OWNER) is None
    [again] = queue.lock_deferred([number or 0], now=0.0, owner=OWNER)
    assert again.message.message_id == "m1"


def test_peek_returns_from_a_sequence_number_when_peeked() -> None:
    queue = a_queue()
    for i in range(4):
        queue.enqueue(a_message(f"m{i}"), now=0.0)
    assert [m.message_id for m in queue.peek(from_sequence=2, count=2)] == ["m1", "m2"]


def test_peek_returns_locked_and_scheduled_messages_without_counting_a_delivery_when_peeked() -> None:
    # Service Bus peek includes locked, deferred and scheduled messages of a queue (message-browsing doc).
    queue = a_queue()
    queue.enqueue(a_message("locked"), now=0.0)
    queue.enqueue(a_message("waiting"), now=0.0)
    queue.enqueue(a_message("later", scheduled_at=100.0), now=0.0)
    lock = queue.acquire(now=0.0, owner=OWNER)
    assert lock is not None and lock.message.message_id == "locked"
    peeked = queue.peek(from_sequence=1, count=10)
    assert [m.message_id for m in peeked] == ["locked", "waiting", "later"]
    assert [m.delivery_count for m in peeked] == [0, 0, 0] and queue.is_locked(lock.token, now=1.0)


def test_matching_messages_are_removed_when_dropped() -> None:
    queue = a_queue()
    queue.enqueue(a_message("keep"), now=0.0)
    queue.enqueue(a_message("drop"), now=0.0)
    assert queue.drop_where(lambda view: view.message_id == "drop") == 1
    assert [v.message_id for v in queue.views()["active"]] == ["keep"]
