"""Delivering to client receivers and applying their settlements (peek-lock and receive-and-delete).

Works on one consumer link at a time; the server decides when to call in, under the broker lock.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from proton import Condition, Delivery, Endpoint, Link

from local.broker import codec
from local.broker.queue import QueueState

LOCK_LOST = "com.microsoft:message-lock-lost"
_OUTCOMES = (Delivery.ACCEPTED, Delivery.RELEASED, Delivery.MODIFIED, Delivery.REJECTED)


@dataclass(eq=False)
class Consumer:
    """A client receiver: a broker sender link attached to a queue or its dead-letter sub-queue."""

    link: Link
    queue: QueueState
    presettled: bool  # receive-and-delete mode
    tokens: dict[Delivery, uuid.UUID] = field(default_factory=dict)  # unsettled deliveries -> lock tokens


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes | bytearray) else str(value)


def send(link: Link, payload: bytes, tag: bytes, *, settle: bool) -> Delivery:
    """Transfer one encoded message on a link, pre-settled or not."""
    delivery = link.delivery(tag)  # type: ignore[arg-type]  # proton sends bytes tags as they are
    link.send(payload)
    link.advance()
    if settle:
        delivery.settle()
    return delivery


def pump(consumer: Consumer, now: float) -> None:
    """Send a consumer as many visible messages as its link credit allows."""
    link, queue = consumer.link, consumer.queue
    while link.credit > 0 and link.state & Endpoint.LOCAL_ACTIVE:
        if consumer.presettled:
            stored = queue.take(now)
            if stored is None:
                break
            send(link, codec.render(stored), uuid.uuid4().bytes_le, settle=True)
            continue
        lock = queue.acquire(now, consumer)
        if lock is None:
            break
        payload = codec.render(lock.message, locked_until=lock.locked_until)
        # The tag is the lock token's bytes_le: the client reads lock_token as UUID(bytes_le=tag).
        consumer.tokens[send(link, payload, lock.token.bytes_le, settle=False)] = lock.token
    if link.drain_mode and link.credit > 0:
        link.drained()


def settle(consumer: Consumer, delivery: Delivery, now: float) -> bool:
    """Apply the client's outcome for one delivery and confirm it; True if the queue changed."""
    queue, state = consumer.queue, delivery.remote_state
    if consumer.presettled:
        delivery.settle()
        return False
    if state not in _OUTCOMES:
        return False  # a non-terminal state (received): nothing to do yet
    token = consumer.tokens.pop(delivery, None)
    if token is None or not queue.is_locked(token, now):
        if not delivery.settled:
            delivery.local.condition = Condition(LOCK_LOST, "The lock on the message was lost.")
            delivery.update(Delivery.REJECTED)
        delivery.settle()
        return False
    remote = delivery.remote
    if state == Delivery.ACCEPTED:
        queue.complete(token)
    elif state == Delivery.RELEASED:
        queue.release(token, now)  # never handed to the application: the count stays
    elif state == Delivery.MODIFIED and remote.undeliverable:
        queue.defer(token)
    elif state == Delivery.MODIFIED:
        if remote.failed:
            queue.abandon(token, now)
        else:
            queue.release(token, now)
        delivery.local.failed = remote.failed
    else:
        info = remote.condition.info if remote.condition else None
        details = {_text(k): _text(v) for k, v in info.items() if v is not None} if isinstance(info, dict) else {}
        queue.dead_letter(token, details.get("DeadLetterReason"), details.get("DeadLetterErrorDescription"))
    if not delivery.settled:
        # Echo the outcome, without an error: the client (rcv-settle-mode second) waits for it and
        # reads a rejected outcome that carries an error as a failed settlement.
        delivery.update(state)
    delivery.settle()
    return True
