"""Service Bus with the azure-servicebus client: publishing pipeline messages, and browsing a queue.

Each message goes to the queue it declares, with a deterministic message_id (duplicate detection drops a
re-send) that names nothing: a keyed hash of the message's own id under the deployment's pseudonym key
(shared/messages.py:opaque_message_id; the Functions host logs every message id). subject = message type,
correlation_id = scan id and the schema version as an application property.
The client comes from a connection string (the local broker) or the namespace plus Caleta's identity (Azure).
Browsing is peek only: it neither locks a message nor counts a delivery, so it never disturbs a consumer.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Protocol

from azure.core.credentials import TokenCredential
from azure.servicebus import ServiceBusClient, ServiceBusMessage, ServiceBusReceivedMessage, ServiceBusSubQueue

from shared.auth.hashing import pseudonym
from shared.errors import IncompleteResults, TransientError
from shared.messages import Message, opaque_message_id

logger = logging.getLogger(__name__)

PEEK_BATCH = 100
MAX_PEEKED = 10_000  # the most messages looked at per queue per browse: every loop is bounded


class Publisher(Protocol):
    """Sends messages to their queues."""

    def __call__(self, *messages: Message) -> None: ...


class ScheduledPublisher(Protocol):
    """Sends one message to its queue, to become visible at `at` (Service Bus scheduled enqueue)."""

    def __call__(self, message: Message, at: dt.datetime) -> None: ...


def to_servicebus_message(message: Message, key: bytes) -> ServiceBusMessage:
    """The Service Bus message for one pipeline message (body: the JSON model; ids from the model, the message
    id hashed under `key`, the deployment's pseudonym key)."""
    return ServiceBusMessage(
        message.model_dump_json(),
        content_type="application/json",
        message_id=opaque_message_id(message, key),
        correlation_id=message.correlation_id(),
        subject=type(message).__name__,
        application_properties={"schema_version": message.schema_version, "type": type(message).__name__},
    )


def _wall_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class ServiceBus:
    """The configured namespace: a client factory and the publisher."""

    def __init__(self, connection: str | None, namespace: str | None,
                 credential: Callable[[], TokenCredential], message_key: Callable[[], bytes],
                 clock: Callable[[], dt.datetime] = _wall_clock) -> None:
        self._connection, self._namespace, self._credential = connection, namespace, credential
        self._message_key = message_key
        # The app's clock (shared.services): a time it names is that far from now on Service Bus's own clock.
        self._clock = clock

    def bus_time(self, at: dt.datetime) -> dt.datetime:
        """`at` (on the app's clock) on Service Bus's clock, the UTC wall clock: the same in Azure, and the local
        world's calendar (local/host/clock.py, days ahead) never schedules a message days away."""
        return _wall_clock() + (at - self._clock())

    def outgoing(self, message: Message, key: bytes) -> ServiceBusMessage:
        """The Service Bus message; one with a `not_before` time (a cost task's continuation) is scheduled for
        then, its id still the keyed hash of its own (its hop tells continuations apart)."""
        out = to_servicebus_message(message, key)
        not_before = getattr(message, "not_before", None)
        if isinstance(not_before, dt.datetime):
            out.scheduled_enqueue_time_utc = self.bus_time(not_before)
        return out

    def client(self) -> ServiceBusClient:
        """A new client (use it as a context manager); RuntimeError when no bus is configured."""
        if self._connection:
            return ServiceBusClient.from_connection_string(self._connection)
        if self._namespace:
            return ServiceBusClient(self._namespace, self._credential())
        raise RuntimeError("no Service Bus configured: set ServiceBusConnection or its __fullyQualifiedNamespace")

    def publish(self, *messages: Message) -> None:
        """Send each message to its queue (one batch per queue); raise TransientError if the bus refuses."""
        if not messages:
            return
        by_queue: dict[str, list[Message]] = defaultdict(list)
        for message in messages:
            if not message.QUEUE:
                raise ValueError(f"{type(message).__name__} declares no queue")
            by_queue[message.QUEUE].append(message)
        key = self._message_key()  # TransientError when the key cannot be read: nothing was sent
        client = self.client()
        try:
            with client:
                for queue_name, batch in by_queue.items():
                    with client.get_queue_sender(queue_name) as sender:
                        # Chunks keep each send well under the 256 KB batch limit (messages are ids only).
                        for start in range(0, len(batch), 100):
                            sender.send_messages([self.outgoing(m, key) for m in batch[start:start + 100]])
                    logger.info("published %d message(s) to %s", len(batch), queue_name)
        except Exception as exc:
            # Any bus failure is worth a redelivery of the message that triggered us; say so in the type.
            raise TransientError(f"could not publish to Service Bus: {type(exc).__name__}") from exc

    def publish_at(self, message: Message, at: dt.datetime) -> None:
        """Schedule one message for `at` (learn.microsoft.com/azure/service-bus-messaging/message-sequencing,
        "Scheduled messages": it is enqueued at once and becomes visible at the scheduled time)."""
        if not message.QUEUE:
            raise ValueError(f"{type(message).__name__} declares no queue")
        key = self._message_key()  # TransientError when the key cannot be read: nothing was sent
        client = self.client()
        try:
            with client, client.get_queue_sender(message.QUEUE) as sender:
                sender.schedule_messages(scheduled_message(message, at, key), self.bus_time(at))
            logger.info("scheduled 1 message on %s for %s", message.QUEUE, at.isoformat())
        except Exception as exc:
            raise TransientError(f"could not schedule on Service Bus: {type(exc).__name__}") from exc


def scheduled_message(message: Message, at: dt.datetime, key: bytes) -> ServiceBusMessage:
    """The Service Bus message for `message` due at `at`: its (opaque) id carries the time, so a re-send for the
    same time is dropped by duplicate detection while a later one (a retry) is not."""
    scheduled = to_servicebus_message(message, key)
    scheduled.message_id = pseudonym(key, f"message:{message.message_id()}@{int(at.timestamp())}")
    return scheduled


def peek_all(client: ServiceBusClient, queue: str, *, dead_letters: bool = False,
             complete: bool = True) -> list[ServiceBusReceivedMessage]:
    """Every message of a queue (or its dead-letter sub-queue) by peek, up to MAX_PEEKED.

    With `complete`, a queue longer than that raises IncompleteResults (a TransientError): a purge must not
    certify a queue it could not read to the end.
    """
    out: list[ServiceBusReceivedMessage] = []
    sub_queue = ServiceBusSubQueue.DEAD_LETTER if dead_letters else None
    with client.get_queue_receiver(queue, sub_queue=sub_queue) as receiver:
        sequence = 0
        while len(out) < MAX_PEEKED:
            batch = receiver.peek_messages(max_message_count=PEEK_BATCH, sequence_number=sequence)
            if not batch:
                break
            out.extend(batch)
            sequence = max(m.sequence_number or 0 for m in batch) + 1
    if complete and len(out) >= MAX_PEEKED:
        raise IncompleteResults(f"more than {MAX_PEEKED} messages in {queue}: cannot read it to the end")
    return out


def names_customer(message: ServiceBusReceivedMessage, customer_id: str) -> bool:
    """True when the message's body is a pipeline message for this customer."""
    try:
        body = json.loads(b"".join(message.body))
    except (ValueError, TypeError):
        return False
    return isinstance(body, dict) and body.get("customer_id") == customer_id
