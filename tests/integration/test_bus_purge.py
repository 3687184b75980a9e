"""The purge's reach into Service Bus, against the local broker with the real azure-servicebus client.

Queued messages of the leaving customer are found by peek (locked ones included, no delivery counted),
scheduled ones cancelled, deferred ones completed; dead-lettered ones drained. Another customer's messages
are never received, locked or counted against.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from azure.servicebus import ServiceBusClient, ServiceBusMessage

from local.broker import Broker
from shared.bus import ServiceBus, to_servicebus_message
from shared.deadletters import DeadLetters
from shared.identity import caleta_credential
from shared.messages import AnalyseScan, QueueSpec
from shared.queued import QueuedMessages
from shared.storage.retention import PurgeSubject

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]

QUEUE = QueueSpec("purge-reach", max_delivery_count=5, lock_duration_seconds=30,
                  duplicate_detection_window_seconds=60, default_ttl_seconds=3600)
LATER = dt.timedelta(hours=1)


@pytest.fixture(scope="module")
def broker() -> Iterator[Broker]:
    with Broker(queues=(QUEUE,), host="127.0.0.1", port=0) as running:
        yield running


@pytest.fixture
def bus(broker: Broker) -> ServiceBus:
    return ServiceBus(broker.connection_string, None, caleta_credential, lambda: b"k" * 32)


def a_message(customer_id: str) -> ServiceBusMessage:
    message = to_servicebus_message(AnalyseScan(customer_id=customer_id, scan_id=uuid.uuid4().hex[:24]), b"k" * 32)
    message.message_id = uuid.uuid4().hex  # each one distinct for duplicate detection
    return message


def send(client: ServiceBusClient, *messages: ServiceBusMessage, scheduled: bool = False) -> None:
    with client.get_queue_sender(QUEUE.name) as sender:
        if scheduled:
            sender.schedule_messages(list(messages), dt.datetime.now(dt.UTC) + LATER)
        else:
            sender.send_messages(list(messages))


def naming(broker: Broker, customer_id: str) -> dict[str, list[Any]]:
    snap = broker.snapshot(QUEUE.name)
    groups = {"active": snap.active, "scheduled": snap.scheduled, "deferred": snap.deferred, "locked": snap.locked,
              "deadletter": snap.deadletter}
    return {k: [v for v in views if customer_id.encode() in v.body] for k, views in groups.items()}


def test_the_leavers_queued_messages_go_or_are_counted_and_no_other_is_touched_when_purged(
        broker: Broker, bus: ServiceBus) -> None:
    # given: a leaving customer and another one, each with active, scheduled and deferred messages
    leaver, other = uuid.uuid4().hex, uuid.uuid4().hex
    with bus.client() as client:
        for customer in (leaver, other):
            send(client, a_message(customer), a_message(customer))
            send(client, a_message(customer), scheduled=True)
        send(client, a_message(leaver))
        with client.get_queue_receiver(QUEUE.name, max_wait_time=2) as receiver:
            deferred = 0
            while not deferred:
                for message in receiver.receive_messages(max_message_count=10, max_wait_time=2):
                    if leaver.encode() in b"".join(message.body) and not deferred:
                        receiver.defer_message(message)
                        deferred += 1
                    else:
                        receiver.abandon_message(message)
    before_other = {m.sequence_number: m.delivery_count for m in broker.snapshot(QUEUE.name).active
                    if other.encode() in m.body}
    queued = QueuedMessages(bus.client, [QUEUE])
    subject = PurgeSubject(leaver, "t")
    assert queued.count_customer(subject) == 4  # 2 active, 1 scheduled, 1 deferred
    # when
    removed = queued.delete_customer(subject)
    # then: the scheduled and the deferred message went; the two active ones wait for a consumer to drop them
    assert removed == 2
    left = naming(broker, leaver)
    assert (len(left["active"]), left["scheduled"], left["deferred"]) == (2, [], [])
    assert queued.count_customer(subject) == 2
    others = naming(broker, other)
    assert (len(others["active"]), len(others["scheduled"])) == (2, 1)
    after_other = {m.sequence_number: m.delivery_count for m in others["active"]}
    assert after_other == {n: c for n, c in before_other.items() if n in after_other}  # no delivery counted


def test_a_message_being_processed_is_still_counted_when_peeked(broker: Broker, bus: ServiceBus) -> None:
    # given: a consumer holds the leaver's message under lock
    leaver = uuid.uuid4().hex
    queued = QueuedMessages(bus.client, [QUEUE])
    with bus.client() as client:
        send(client, a_message(leaver))
        with client.get_queue_receiver(QUEUE.name, max_wait_time=2) as receiver:
            held = [m for m in receiver.receive_messages(max_message_count=50, max_wait_time=2)
                    if leaver.encode() in b"".join(m.body)]
            assert held and naming(broker, leaver)["locked"]
            # when / then: the purge's verification still sees it
            assert queued.count_customer(PurgeSubject(leaver, "t")) == 1
            for message in held:
                receiver.complete_message(message)
    assert queued.count_customer(PurgeSubject(leaver, "t")) == 0


def test_only_the_leavers_dead_letters_are_drained_when_purged(broker: Broker, bus: ServiceBus) -> None:
    # given: dead letters of two customers
    leaver, other = uuid.uuid4().hex, uuid.uuid4().hex
    with bus.client() as client:
        send(client, a_message(leaver), a_message(other), a_message(leaver))
        with client.get_queue_receiver(QUEUE.name, max_wait_time=2) as receiver:
            wanted = 3
            while wanted:
                for message in receiver.receive_messages(max_message_count=10, max_wait_time=2):
                    body = b"".join(message.body)
                    if leaver.encode() in body or other.encode() in body:
                        receiver.dead_letter_message(message, reason="test")
                        wanted -= 1
                    else:
                        receiver.abandon_message(message)
    dead = DeadLetters(bus.client, [QUEUE])
    # when
    removed = dead.delete_customer(PurgeSubject(leaver, "t"))
    # then
    assert removed == 2 and dead.count_customer(PurgeSubject(leaver, "t")) == 0
    assert dead.count_customer(PurgeSubject(other, "t")) == 1 and len(naming(broker, other)["deadletter"]) == 1
