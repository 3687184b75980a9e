"""The data the broker keeps per message, and the read-only views tests get of it.

Pure values: no locking, no I/O, no clock (times are epoch seconds passed in by the caller).
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

MessageState = Literal["active", "scheduled", "deferred"]

MAX_DELIVERY_COUNT_EXCEEDED = "MaxDeliveryCountExceeded"


@dataclass(frozen=True, slots=True)
class Incoming:
    """A message as a sender handed it over, already decoded from the wire."""

    payload: bytes  # the encoded AMQP message, kept as sent; annotations are added on delivery
    message_id: str | None
    body: bytes
    application_properties: dict[str, Any]
    ttl_seconds: float | None = None
    scheduled_at: float | None = None


@dataclass(slots=True)
class Stored:
    """A message held by a queue (or its dead-letter sub-queue)."""

    sequence_number: int
    message_id: str | None
    payload: bytes
    body: bytes
    application_properties: dict[str, Any]
    enqueued_at: float
    visible_at: float
    expires_at: float | None
    state: MessageState = "active"
    delivery_count: int = 0
    dead_letter_reason: str | None = None
    dead_letter_description: str | None = None

    def expired(self, now: float) -> bool:
        """Whether the message's time-to-live has run out."""
        return self.expires_at is not None and now >= self.expires_at


@dataclass(slots=True)
class Lock:
    """A peek-lock held by one receiver link on one message."""

    token: uuid.UUID
    message: Stored
    locked_until: float
    owner: object = field(default=None)


@dataclass(frozen=True, slots=True)
class MessageView:
    """A read-only copy of one stored message, for tests and the demo."""

    message_id: str | None
    sequence_number: int
    body: bytes
    application_properties: dict[str, Any]
    delivery_count: int
    enqueued_at: datetime.datetime  # UTC
    state: MessageState
    dead_letter_reason: str | None
    dead_letter_description: str | None

    @classmethod
    def of(cls, message: Stored) -> MessageView:
        """Copy a stored message."""
        return cls(
            message_id=message.message_id, sequence_number=message.sequence_number, body=message.body,
            application_properties=dict(message.application_properties),
            delivery_count=message.delivery_count,
            enqueued_at=datetime.datetime.fromtimestamp(message.enqueued_at, datetime.UTC), state=message.state,
            dead_letter_reason=message.dead_letter_reason,
            dead_letter_description=message.dead_letter_description,
        )


@dataclass(frozen=True, slots=True)
class QueueSnapshot:
    """Everything one queue holds at one moment, grouped the way Service Bus Explorer shows it."""

    active: list[MessageView]
    scheduled: list[MessageView]
    deadletter: list[MessageView]
    locked: list[MessageView]
    deferred: list[MessageView] = field(default_factory=list)
