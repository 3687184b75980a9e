"""Pipeline messages still queued for a customer: found by peek, cancelled when scheduled, counted for the purge.

Peek neither locks a message nor counts a delivery, and it returns active, locked, deferred and scheduled
messages of a queue (learn.microsoft.com/azure/service-bus-messaging/message-browsing), so browsing never
disturbs another customer's message. What the purge can remove without touching anyone else's:

- scheduled messages naming the customer: cancelled by sequence number (ServiceBusSender.
  cancel_scheduled_messages, the `com.microsoft:cancel-scheduled-message` operation);
- deferred ones: received by sequence number (receive_deferred_messages) and completed.

Active (and locked) messages cannot be deleted by sequence number. Every consumer completes and drops a
message of a customer who is offboarding or gone, so they drain within a delivery; until then
`count_customer` counts them and the purge's verification raises TransientError, so the purge is
redelivered and verifies again. The purge queue itself is not browsed: its messages are the purge (the one
running is locked by this very run) and carry only ids.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from azure.servicebus import ServiceBusClient, ServiceBusMessageState, ServiceBusReceivedMessage
from azure.servicebus.exceptions import ServiceBusError

from shared.bus import names_customer, peek_all
from shared.messages import QueueSpec
from shared.storage.retention import Purged, PurgeSubject

logger = logging.getLogger(__name__)


class QueuedMessages:
    """The active, scheduled and deferred messages of the pipeline queues."""

    name = "messages"
    declaration = Purged(holds="queued pipeline messages naming the customer (ids only; they expire in 2 days)",
                         kept="active messages until a consumer drops them, within one delivery; verification "
                              "waits for that by failing until none is left")

    def __init__(self, client: Callable[[], ServiceBusClient], queues: Sequence[QueueSpec]) -> None:
        self._client, self._queues = client, queues

    def _mine(self, client: ServiceBusClient, queue: str, customer_id: str) -> list[ServiceBusReceivedMessage]:
        return [m for m in peek_all(client, queue) if names_customer(m, customer_id)]

    def count_customer(self, subject: PurgeSubject) -> int:
        """Messages naming the customer in any state (active, locked, scheduled, deferred)."""
        with self._client() as client:
            return sum(len(self._mine(client, spec.name, subject.customer_id)) for spec in self._queues)

    def delete_customer(self, subject: PurgeSubject) -> int:
        """Cancel the customer's scheduled messages and complete its deferred ones; how many went."""
        removed = 0
        with self._client() as client:
            for spec in self._queues:
                mine = self._mine(client, spec.name, subject.customer_id)
                scheduled = [m.sequence_number for m in mine
                             if m.state == ServiceBusMessageState.SCHEDULED and m.sequence_number is not None]
                deferred = [m.sequence_number for m in mine
                            if m.state == ServiceBusMessageState.DEFERRED and m.sequence_number is not None]
                if scheduled:
                    scheduled = _cancel(client, spec.name, scheduled)
                if deferred:
                    with client.get_queue_receiver(spec.name) as receiver:
                        for message in receiver.receive_deferred_messages(deferred):
                            receiver.complete_message(message)
                removed += len(scheduled) + len(deferred)
        if removed:
            logger.info("purge removed %d queued message(s) customer=%s", removed, subject.customer_id)
        return removed


def _cancel(client: ServiceBusClient, queue: str, numbers: list[int]) -> list[int]:
    """Cancel scheduled messages; the sequence numbers actually cancelled.

    One that became active since the peek makes the whole call fail, so the rest are then cancelled one by
    one; one that did become active is left to the consumers like any active message.
    """
    with client.get_queue_sender(queue) as sender:
        try:
            sender.cancel_scheduled_messages(numbers)
            return numbers
        except ServiceBusError:
            done = []
            for number in numbers:
                try:
                    sender.cancel_scheduled_messages(number)
                    done.append(number)
                except ServiceBusError:
                    logger.info("scheduled message %d was enqueued before it could be cancelled", number)
            return done
