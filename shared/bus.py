"""Publishing pipeline messages to Service Bus with the azure-servicebus client.

Each message goes to the queue it declares, with a deterministic message_id (duplicate detection drops a
re-send), subject = message type, correlation_id = scan id and the schema version as an application property.
The client comes from a connection string (the local broker) or the namespace plus Caleta's identity (Azure).
"""

from __future__ import annotations

import logging
from collections import defaultdict

from azure.servicebus import ServiceBusClient, ServiceBusMessage

from shared.config import get_settings
from shared.errors import TransientError
from shared.identity import caleta_credential
from shared.messages import Message

logger = logging.getLogger(__name__)


def to_servicebus_message(message: Message) -> ServiceBusMessage:
    """The Service Bus message for one pipeline message (body: the JSON model; ids from the model)."""
    return ServiceBusMessage(
        message.model_dump_json(),
        content_type="application/json",
        message_id=message.message_id(),
        correlation_id=message.correlation_id(),
        subject=type(message).__name__,
        application_properties={"schema_version": message.schema_version, "type": type(message).__name__},
    )


def _client() -> ServiceBusClient:
    settings = get_settings()
    if settings.servicebus_connection:
        return ServiceBusClient.from_connection_string(settings.servicebus_connection)
    if settings.servicebus_namespace:
        return ServiceBusClient(settings.servicebus_namespace, caleta_credential())
    raise RuntimeError("no Service Bus configured: set ServiceBusConnection or its __fullyQualifiedNamespace")


def publish(*messages: Message) -> None:
    """Send each message to its queue (one batch per queue); raise TransientError if the bus refuses."""
    if not messages:
        return
    by_queue: dict[str, list[Message]] = defaultdict(list)
    for message in messages:
        if not message.QUEUE:
            raise ValueError(f"{type(message).__name__} declares no queue")
        by_queue[message.QUEUE].append(message)
    client = _client()
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
