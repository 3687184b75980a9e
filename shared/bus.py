"""Service Bus with the azure-servicebus client: publishing pipeline messages, and browsing a queue.

Each message goes to the queue it declares, with a deterministic message_id (duplicate detection drops a
re-send), subject = message type, correlation_id = scan id and the schema version as an application property.
The client comes from a connection string (the local broker) or the namespace plus Caleta's identity (Azure).
Browsing is peek only: it neither locks a message nor counts a delivery, so it never disturbs a consumer.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Protocol

from azure.core.credentials import TokenCredential
from azure.servicebus import ServiceBusClient, ServiceBusMessage, ServiceBusReceivedMessage, ServiceBusSubQueue

from shared.errors import IncompleteResults, TransientError
from shared.messages import Message

logger = logging.getLogger(__name__)

PEEK_BATCH = 100
MAX_PEEKED = 10_000  # the most messages looked at per queue per browse: every loop is bounded


class Publisher(Protocol):
    """Sends messages to their queues."""

    def __call__(self, *messages: Message) -> None: ...


def to_servicebus_message(message: Message) -> ServiceBusMessage:
    """The Service Bus message for one pipeline message (body: the JSON model; ids from the model); a message
    with a `not_before` time is scheduled for then."""
    out = ServiceBusMessage(
        message.model_dump_json(),
        content_type="application/json",
        message_id=message.message_id(),
        correlation_id=message.correlation_id(),
        subject=type(message).__name__,
        application_properties={"schema_version": message.schema_version, "type": type(message).__name__},
    )
    not_before = getattr(message, "not_before", None)
    if not_before is not None:
        out.scheduled_enqueue_time_utc = not_before
    return out


class ServiceBus:
    """The configured namespace: a client factory and the publisher."""

    def __init__(self, connection: str | None, namespace: str | None,
                 credential: Callable[[], TokenCredential]) -> None:
        self._connection, self._namespace, self._credential = connection, namespace, credential

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
        client = self.client()
        try:
            with client:
                for queue_name, batch in by_queue.items():
                    with client.get_queue_sender(queue_name) as sender:
                        # Chunks keep each send well under the 256 KB batch limit (messages are ids only).
                        for start in range(0, len(batch), 100):
                            sender.send_messages([to_servicebus_message(m) for m in batch[start:start + 100]])
                    logger.info("published %d message(s) to %s", len(batch), queue_name)
        except Exception as exc:
            # Any bus failure is worth a redelivery of the message that triggered us; say so in the type.
            raise TransientError(f"could not publish to Service Bus: {type(exc).__name__}") from exc


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
