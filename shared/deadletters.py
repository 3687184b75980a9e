"""Dead-lettered pipeline messages: counted per queue (admin view) and one customer's drained (the purge).

Dead-lettered messages have no time-to-live, so the purge must remove those naming the customer. A
dead-letter sub-queue has no "delete by sequence number", so each message is received under lock: completed
when its body names the customer, abandoned (left in place) otherwise. Abandoning there moves nothing: "you
can't dead-letter a message from a DLQ" (learn.microsoft.com/azure/service-bus-messaging/
service-bus-dead-letter-queues). Active queues are never drained this way (see shared/queued.py), because
abandoning there counts a delivery against another customer's message. Every loop is bounded.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from azure.servicebus import ServiceBusClient, ServiceBusSubQueue

from shared.bus import MAX_PEEKED, names_customer, peek_all
from shared.messages import QueueSpec
from shared.storage.retention import Purged, PurgeSubject

logger = logging.getLogger(__name__)

_RECEIVE_BATCH = 50
_RECEIVE_WAIT_SECONDS = 2


class DeadLetters:
    """The dead-letter sub-queues of the pipeline's queues."""

    name = "dead_letters"
    declaration = Purged(holds="dead-lettered messages naming the customer (ids only; they never expire)")

    def __init__(self, client: Callable[[], ServiceBusClient], queues: Sequence[QueueSpec]) -> None:
        self._client, self._queues = client, queues

    def counts(self) -> dict[str, int]:
        """Dead-lettered messages per queue, up to MAX_PEEKED each (ids only ever: no customer data)."""
        with self._client() as client:
            return {spec.name: len(peek_all(client, spec.name, dead_letters=True, complete=False))
                    for spec in self._queues}

    def count_customer(self, subject: PurgeSubject) -> int:
        """How many dead-lettered messages name the customer."""
        with self._client() as client:
            return sum(1 for spec in self._queues for m in peek_all(client, spec.name, dead_letters=True)
                       if names_customer(m, subject.customer_id))

    def delete_customer(self, subject: PurgeSubject) -> int:
        """Remove every dead-lettered message naming the customer; how many went."""
        removed = 0
        with self._client() as client:
            for spec in self._queues:
                removed += self._drain(client, spec.name, subject.customer_id)
        if removed:
            logger.info("purge drained %d dead-lettered message(s) customer=%s", removed, subject.customer_id)
        return removed

    @staticmethod
    def _drain(client: ServiceBusClient, queue: str, customer_id: str) -> int:
        wanted = sum(1 for m in peek_all(client, queue, dead_letters=True) if names_customer(m, customer_id))
        removed = 0
        seen: set[int] = set()
        if not wanted:
            return 0
        with client.get_queue_receiver(queue, sub_queue=ServiceBusSubQueue.DEAD_LETTER,
                                       max_wait_time=_RECEIVE_WAIT_SECONDS) as receiver:
            while wanted and len(seen) < MAX_PEEKED:
                batch = receiver.receive_messages(max_message_count=_RECEIVE_BATCH,
                                                  max_wait_time=_RECEIVE_WAIT_SECONDS)
                fresh = [m for m in batch if (m.sequence_number or 0) not in seen]
                if not fresh:
                    break
                for message in fresh:
                    seen.add(message.sequence_number or 0)
                    if names_customer(message, customer_id):
                        receiver.complete_message(message)
                        removed += 1
                        wanted -= 1
                    else:
                        receiver.abandon_message(message)
        return removed
