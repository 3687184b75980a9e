"""Dead-lettered pipeline messages: count them per queue (admin view) and drain one customer's (purge).

Dead-lettered messages have no time-to-live, so the purge must remove those naming the customer: each is
received under lock and completed when its body names the customer, abandoned (left in place) otherwise.
Every loop is bounded.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from azure.servicebus import ServiceBusReceivedMessage, ServiceBusSubQueue

from shared.messages import QUEUES

logger = logging.getLogger(__name__)

_PEEK_BATCH = 100
_MAX_MESSAGES = 10_000  # the most dead letters looked at per queue per call


def _client() -> Any:
    from shared.bus import _client as bus_client

    return bus_client()


def _names_customer(message: ServiceBusReceivedMessage, customer_id: str) -> bool:
    try:
        body = json.loads(b"".join(message.body))
    except (ValueError, TypeError):
        return False
    return isinstance(body, dict) and body.get("customer_id") == customer_id


def _peek_all(client: Any, queue: str) -> list[ServiceBusReceivedMessage]:
    out: list[ServiceBusReceivedMessage] = []
    with client.get_queue_receiver(queue, sub_queue=ServiceBusSubQueue.DEAD_LETTER) as receiver:
        sequence = 0
        while len(out) < _MAX_MESSAGES:
            batch = receiver.peek_messages(max_message_count=_PEEK_BATCH, sequence_number=sequence)
            if not batch:
                break
            out.extend(batch)
            sequence = max(m.sequence_number or 0 for m in batch) + 1
    return out


def counts() -> dict[str, int]:
    """Dead-lettered messages per queue (ids only ever: messages carry no customer data)."""
    with _client() as client:
        return {spec.name: len(_peek_all(client, spec.name)) for spec in QUEUES}


def count_for(customer_id: str) -> int:
    """How many dead-lettered messages name the customer (purge verification)."""
    with _client() as client:
        return sum(1 for spec in QUEUES for m in _peek_all(client, spec.name) if _names_customer(m, customer_id))


def drain(customer_id: str) -> int:
    """Remove every dead-lettered message naming the customer; how many went."""
    removed = 0
    with _client() as client:
        for spec in QUEUES:
            wanted = sum(1 for m in _peek_all(client, spec.name) if _names_customer(m, customer_id))
            if not wanted:
                continue
            seen: set[int] = set()
            with client.get_queue_receiver(spec.name, sub_queue=ServiceBusSubQueue.DEAD_LETTER,
                                           max_wait_time=2) as receiver:
                while wanted and len(seen) < _MAX_MESSAGES:
                    batch = receiver.receive_messages(max_message_count=50, max_wait_time=2)
                    fresh = [m for m in batch if (m.sequence_number or 0) not in seen]
                    if not fresh:
                        break
                    for message in fresh:
                        seen.add(message.sequence_number or 0)
                        if _names_customer(message, customer_id):
                            receiver.complete_message(message)
                            removed += 1
                            wanted -= 1
                        else:
                            receiver.abandon_message(message)
    if removed:
        logger.info("purge drained %d dead-lettered message(s) customer=%s", removed, customer_id)
    return removed
