"""The local broker against the real azure-servicebus client (emulator mode), sync and async."""

from __future__ import annotations

import asyncio
import datetime
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from azure.servicebus import (
    ServiceBusClient,
    ServiceBusMessage,
    ServiceBusReceiveMode,
    ServiceBusSubQueue,
)
from azure.servicebus.aio import ServiceBusClient as AsyncServiceBusClient
from azure.servicebus.exceptions import MessageLockLostError, MessagingEntityNotFoundError

from local.broker import Broker
from shared.messages import QueueSpec

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]

HOUR = 3600


def _spec(name: str, *, max_delivery_count: int = 5, lock: int = 30, dedupe: int = 60,
          ttl: int = HOUR) -> QueueSpec:
    return QueueSpec(name, max_delivery_count=max_delivery_count, lock_duration_seconds=lock,
                     duplicate_detection_window_seconds=dedupe, default_ttl_seconds=ttl)


TEST_QUEUES = (
    _spec("batch"), _spec("abandon"), _spec("max-deliveries", max_delivery_count=2), _spec("explicit-dlq"),
    _spec("lock-expiry", lock=1), _spec("lock-renewal", lock=1), _spec("scheduled"), _spec("cancel"),
    _spec("dedupe"), _spec("ttl"), _spec("queue-ttl", ttl=1), _spec("async"), _spec("peek"),
    _spec("defer"), _spec("receive-delete"), _spec("link-close"),
    _spec("garbage"), _spec("concurrent"), _spec("killed"),
)


@pytest.fixture(scope="module")
def broker() -> Iterator[Broker]:
    with Broker(queues=TEST_QUEUES, host="127.0.0.1", port=0) as running:
        yield running


# Client-side only, to keep the file's wall time down: a short socket timeout makes the client poll
# more often (it waits 2 idle reads when closing a receiver), and a sender without keep-alive closes
# without waiting for its keep-alive thread's 1 s sleep.
CLIENT_OPTIONS: dict[str, Any] = {"retry_total": 0, "socket_timeout": 0.05}
SENDER_OPTIONS: dict[str, Any] = {"keep_alive": 0}


@pytest.fixture()
def client(broker: Broker) -> Iterator[ServiceBusClient]:
    with ServiceBusClient.from_connection_string(broker.connection_string, **CLIENT_OPTIONS) as sb:
        yield sb


def _send(client: ServiceBusClient, queue: str, *messages: ServiceBusMessage) -> None:
    with client.get_queue_sender(queue, **SENDER_OPTIONS) as sender:
        sender.send_messages(list(messages) if len(messages) > 1 else messages[0])


def _ids(messages: Sequence[object]) -> list[str | None]:
    return [getattr(m, "message_id", None) for m in messages]


def test_batch_is_unpacked_into_messages_when_sent_as_one_batch(client: ServiceBusClient,
                                                                broker: Broker) -> None:
    # given
    with client.get_queue_sender("batch", **SENDER_OPTIONS) as sender:
        batch = sender.create_message_batch()
        for i in range(3):
            batch.add_message(ServiceBusMessage(f'{{"i": {i}}}', message_id=f"b{i}",
                                                application_properties={"kind": "cost"}))
        sender.send_messages(batch)
    # when
    with client.get_queue_receiver("batch", max_wait_time=2) as receiver:
        got = receiver.receive_messages(max_message_count=3, max_wait_time=2)
        locked_until = [m.locked_until_utc for m in got]
        for message in got:
            receiver.complete_message(message)
    # then
    assert _ids(got) == ["b0", "b1", "b2"]
    assert [str(m) for m in got] == ['{"i": 0}', '{"i": 1}', '{"i": 2}']
    assert got[0].application_properties == {b"kind": b"cost"}
    assert [m.sequence_number for m in got] == [1, 2, 3]
    assert got[0].enqueued_time_utc is not None and None not in locked_until
    assert broker.snapshot("batch").active == []


def test_abandoned_message_is_redelivered_with_delivery_count_plus_one_when_abandoned(
        client: ServiceBusClient) -> None:
    # given
    _send(client, "abandon", ServiceBusMessage("a", message_id="a1"))
    with client.get_queue_receiver("abandon", max_wait_time=2) as receiver:
        first = receiver.receive_messages(max_message_count=1, max_wait_time=2)
        # when
        receiver.abandon_message(first[0])
        again = receiver.receive_messages(max_message_count=1, max_wait_time=2)
        receiver.complete_message(again[0])
    # then: the wire count starts at 0, as Service Bus sends it (the .NET SDK shows it plus one)
    assert (first[0].delivery_count, again[0].delivery_count) == (0, 1)
    assert again[0].message_id == "a1"


def test_message_is_dead_lettered_with_reason_when_max_delivery_count_is_exceeded(
        client: ServiceBusClient, broker: Broker) -> None:
    # given a queue with maxDeliveryCount 2
    _send(client, "max-deliveries", ServiceBusMessage("poison", message_id="p1"))
    # when it is abandoned twice
    with client.get_queue_receiver("max-deliveries", max_wait_time=1) as receiver:
        for _ in range(2):
            got = receiver.receive_messages(max_message_count=1, max_wait_time=2)
            receiver.abandon_message(got[0])
        left = receiver.receive_messages(max_message_count=1, max_wait_time=0.5)
    # then it is in the dead-letter queue with the reason, readable there
    assert left == []
    with client.get_queue_receiver("max-deliveries", sub_queue=ServiceBusSubQueue.DEAD_LETTER,
                                   max_wait_time=2) as dlq:
        dead = dlq.receive_messages(max_message_count=1, max_wait_time=2)
        dlq.complete_message(dead[0])
    assert dead[0].message_id == "p1"
    assert dead[0].dead_letter_reason == "MaxDeliveryCountExceeded"
    assert broker.snapshot("max-deliveries").deadletter == []


def test_dead_letter_queue_shows_reason_and_description_when_dead_lettered_explicitly(
        client: ServiceBusClient, broker: Broker) -> None:
    # given
    _send(client, "explicit-dlq", ServiceBusMessage("bad", message_id="d1"))
    with client.get_queue_receiver("explicit-dlq", max_wait_time=2) as receiver:
        got = receiver.receive_messages(max_message_count=1, max_wait_time=2)
        # when
        receiver.dead_letter_message(got[0], reason="InvalidInput", error_description="no scan_id")
    # then: the broker holds it with both texts, and a dead-letter receiver reads them
    [dead] = broker.snapshot("explicit-dlq").deadletter
    assert (dead.message_id, dead.dead_letter_reason, dead.dead_letter_description) == (
        "d1", "InvalidInput", "no scan_id")
    with client.get_queue_receiver("explicit-dlq", sub_queue=ServiceBusSubQueue.DEAD_LETTER,
                                   max_wait_time=2) as dlq:
        read = dlq.receive_messages(max_message_count=1, max_wait_time=2)
        dlq.complete_message(read[0])
    assert (read[0].dead_letter_reason, read[0].dead_letter_error_description) == ("InvalidInput", "no scan_id")


def test_message_is_redelivered_when_its_lock_expires(client: ServiceBusClient) -> None:
    # given
    _send(client, "lock-expiry", ServiceBusMessage("slow", message_id="l1"))
    with client.get_queue_receiver("lock-expiry", max_wait_time=2) as receiver:
        first = receiver.receive_messages(max_message_count=1, max_wait_time=2)
        # when the 1 s lock runs out unsettled
        time.sleep(1.3)
        # then
        again = receiver.receive_messages(max_message_count=1, max_wait_time=2)
        receiver.complete_message(again[0])
    assert _ids(first) == _ids(again) == ["l1"]
    assert again[0].delivery_count == 1


def test_lock_renewal_keeps_the_message_locked_when_renewed_before_expiry(
        client: ServiceBusClient, broker: Broker) -> None:
    # given a 1 s lock
    _send(client, "lock-renewal", ServiceBusMessage("long job", message_id="r1"))
    with client.get_queue_receiver("lock-renewal", max_wait_time=2) as receiver:
        [message] = receiver.receive_messages(max_message_count=1, max_wait_time=2)
        first_expiry = message.locked_until_utc
        # when it is renewed every 0.6 s for 1.8 s
        for _ in range(3):
            time.sleep(0.6)
            receiver.renew_message_lock(message)
        # then it stayed locked, and completing it still works
        snapshot = broker.snapshot("lock-renewal")
        renewed_expiry = message.locked_until_utc
        receiver.complete_message(message)
    assert first_expiry is not None and renewed_expiry is not None
    assert renewed_expiry > first_expiry
    assert (_ids(snapshot.locked), snapshot.active) == (["r1"], [])


def test_scheduled_message_is_invisible_until_its_enqueue_time_when_scheduled(
        client: ServiceBusClient, broker: Broker) -> None:
    with client.get_queue_sender("scheduled", **SENDER_OPTIONS) as sender, \
            client.get_queue_receiver("scheduled", max_wait_time=1) as receiver:
        receiver.receive_messages(max_message_count=1, max_wait_time=1)  # links open before the clock starts
        # given one message scheduled through the management op and one through scheduled_enqueue_time_utc
        at = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=1.5)
        [number] = sender.schedule_messages(ServiceBusMessage("later", message_id="sch1"), at)
        sender.send_messages(ServiceBusMessage("on send", message_id="sch2", scheduled_enqueue_time_utc=at))
        snapshot = broker.snapshot("scheduled")
        # when / then: nothing before the time, both after it
        early = receiver.receive_messages(max_message_count=2, max_wait_time=0.5)
        time.sleep(max(0.0, (at - datetime.datetime.now(datetime.UTC)).total_seconds()))
        late = receiver.receive_messages(max_message_count=2, max_wait_time=2)
        for message in late:
            receiver.complete_message(message)
    assert number > 0 and _ids(snapshot.scheduled) == ["sch1", "sch2"]
    assert early == []
    assert sorted(m.message_id or "" for m in late) == ["sch1", "sch2"]


def test_scheduled_message_is_gone_when_cancelled(client: ServiceBusClient, broker: Broker) -> None:
    at = datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=5)
    with client.get_queue_sender("cancel", **SENDER_OPTIONS) as sender:
        numbers = sender.schedule_messages([ServiceBusMessage("x", message_id="c1")], at)
        sender.cancel_scheduled_messages(numbers)
    snapshot = broker.snapshot("cancel")
    assert (snapshot.scheduled, snapshot.active) == ([], [])


def test_duplicate_message_id_is_dropped_when_sent_inside_the_window(
        client: ServiceBusClient, broker: Broker) -> None:
    _send(client, "dedupe", ServiceBusMessage("one", message_id="same"))
    _send(client, "dedupe", ServiceBusMessage("two", message_id="same"), ServiceBusMessage("3", message_id="other"))
    assert [(m.message_id, m.body) for m in broker.snapshot("dedupe").active] == [
        ("same", b"one"), ("other", b"3")]


def test_expired_message_is_never_delivered_when_its_time_to_live_passes(
        client: ServiceBusClient, broker: Broker) -> None:
    # given one message with its own 1 s TTL, and one on a queue whose default TTL is 1 s
    _send(client, "ttl", ServiceBusMessage("short", message_id="t1", time_to_live=datetime.timedelta(seconds=1)),
          ServiceBusMessage("long", message_id="t2"))
    _send(client, "queue-ttl", ServiceBusMessage("default", message_id="t3"))
    # when the TTL passes
    time.sleep(1.1)
    with client.get_queue_receiver("ttl", max_wait_time=1) as receiver:
        got = receiver.receive_messages(max_message_count=2, max_wait_time=1)
        for message in got:
            receiver.complete_message(message)
    # then only the unexpired one is delivered, and the queue default applied too
    assert _ids(got) == ["t2"]
    assert broker.snapshot("queue-ttl").active == []


def test_sender_raises_entity_not_found_quickly_when_the_queue_is_unknown(client: ServiceBusClient) -> None:
    started = time.monotonic()
    with pytest.raises(MessagingEntityNotFoundError), \
            client.get_queue_sender("no-such-queue", **SENDER_OPTIONS) as sender:
        sender.send_messages(ServiceBusMessage("x"))
    assert time.monotonic() - started < 3


def test_receiver_raises_entity_not_found_quickly_when_the_queue_is_unknown(client: ServiceBusClient) -> None:
    started = time.monotonic()
    with pytest.raises(MessagingEntityNotFoundError), \
            client.get_queue_receiver("no-such-queue", max_wait_time=1) as receiver:
        receiver.receive_messages(max_message_count=1, max_wait_time=1)
    assert time.monotonic() - started < 3


def test_peek_returns_messages_without_locking_them_when_peeked(client: ServiceBusClient, broker: Broker) -> None:
    _send(client, "peek", ServiceBusMessage("p1", message_id="k1"), ServiceBusMessage("p2", message_id="k2"))
    with client.get_queue_receiver("peek", max_wait_time=1) as receiver:
        peeked = receiver.peek_messages(max_message_count=5)
    assert _ids(peeked) == ["k1", "k2"]
    assert _ids(broker.snapshot("peek").active) == ["k1", "k2"]


def test_deferred_message_is_received_by_sequence_number_when_deferred(client: ServiceBusClient) -> None:
    _send(client, "defer", ServiceBusMessage("later", message_id="f1"))
    with client.get_queue_receiver("defer", max_wait_time=1) as receiver:
        [message] = receiver.receive_messages(max_message_count=1, max_wait_time=2)
        receiver.defer_message(message)
        nothing = receiver.receive_messages(max_message_count=1, max_wait_time=0.5)
        [deferred] = receiver.receive_deferred_messages([message.sequence_number])  # type: ignore[list-item]
        receiver.complete_message(deferred)
    assert (nothing, deferred.message_id) == ([], "f1")


def test_message_is_removed_on_delivery_when_receiving_in_receive_and_delete_mode(
        client: ServiceBusClient, broker: Broker) -> None:
    _send(client, "receive-delete", ServiceBusMessage("once", message_id="x1"))
    with client.get_queue_receiver("receive-delete", receive_mode=ServiceBusReceiveMode.RECEIVE_AND_DELETE,
                                   max_wait_time=1) as receiver:
        got = receiver.receive_messages(max_message_count=1, max_wait_time=2)
    snapshot = broker.snapshot("receive-delete")
    assert _ids(got) == ["x1"]
    assert (snapshot.active, snapshot.locked) == ([], [])


def test_unsettled_message_is_available_again_when_the_receiver_closes(
        client: ServiceBusClient, broker: Broker) -> None:
    _send(client, "link-close", ServiceBusMessage("orphan", message_id="o1"))
    with client.get_queue_receiver("link-close", max_wait_time=1) as receiver:
        receiver.receive_messages(max_message_count=1, max_wait_time=2)
    [back] = broker.snapshot("link-close").active
    assert (back.message_id, back.delivery_count) == ("o1", 1)


def test_async_client_round_trip_when_using_the_aio_client(broker: Broker) -> None:
    async def round_trip() -> list[str | None]:
        async with AsyncServiceBusClient.from_connection_string(broker.connection_string, **CLIENT_OPTIONS) as client:
            async with client.get_queue_sender("async", **SENDER_OPTIONS) as sender:
                await sender.send_messages([ServiceBusMessage("a1", message_id="a1"),
                                            ServiceBusMessage("a2", message_id="a2")])
            async with client.get_queue_receiver("async", max_wait_time=2) as receiver:
                got = await receiver.receive_messages(max_message_count=2, max_wait_time=2)
                for message in got:
                    await receiver.complete_message(message)
        return [m.message_id for m in got]

    assert asyncio.run(round_trip()) == ["a1", "a2"]


def test_broker_keeps_serving_when_a_client_sends_garbage_and_vanishes(client: ServiceBusClient,
                                                                       broker: Broker) -> None:
    with socket.create_connection(("127.0.0.1", broker.port), timeout=2) as raw:
        raw.sendall(b"AMQP\x00\x01\x00\x00" + b"\xff" * 64)
    _send(client, "garbage", ServiceBusMessage("still fine", message_id="g1"))
    assert _ids(broker.snapshot("garbage").active) == ["g1"]


KILLED_RECEIVER = """
import os, sys
from azure.servicebus import ServiceBusClient
receiver = ServiceBusClient.from_connection_string(sys.argv[1], retry_total=0).get_queue_receiver("killed")
print(len(receiver.receive_messages(max_message_count=1, max_wait_time=3)), flush=True)
os._exit(0)  # dies holding the lock: no detach, no close
"""


def test_locked_message_is_available_again_when_its_receiver_process_dies(client: ServiceBusClient,
                                                                          broker: Broker) -> None:
    _send(client, "killed", ServiceBusMessage("victim", message_id="v1"))
    run = subprocess.run([sys.executable, "-c", KILLED_RECEIVER, broker.connection_string],
                         capture_output=True, text=True, timeout=20, check=True)
    deadline = time.monotonic() + 2
    while not broker.snapshot("killed").active and time.monotonic() < deadline:
        time.sleep(0.05)
    assert run.stdout.strip() == "1"
    assert [(m.message_id, m.delivery_count) for m in broker.snapshot("killed").active] == [("v1", 1)]


def test_each_message_goes_to_one_receiver_when_several_clients_work_at_once(broker: Broker) -> None:
    # given 3 senders and 2 competing receivers, each on its own connection and thread
    received: list[str] = []
    lock = threading.Lock()

    def send(worker: int) -> None:
        with ServiceBusClient.from_connection_string(broker.connection_string, **CLIENT_OPTIONS) as sb:
            _send(sb, "concurrent", *[ServiceBusMessage("x", message_id=f"w{worker}-{i}") for i in range(4)])

    def receive() -> None:
        with ServiceBusClient.from_connection_string(broker.connection_string, **CLIENT_OPTIONS) as sb, \
                sb.get_queue_receiver("concurrent", max_wait_time=1) as receiver:
            deadline = time.monotonic() + 8
            while time.monotonic() < deadline and len(received) < 12:
                for message in receiver.receive_messages(max_message_count=3, max_wait_time=1):
                    receiver.complete_message(message)
                    with lock:
                        received.append(message.message_id or "")

    threads = [threading.Thread(target=send, args=(w,)) for w in range(3)]
    threads += [threading.Thread(target=receive) for _ in range(2)]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    # then
    assert sorted(received) == sorted(f"w{w}-{i}" for w in range(3) for i in range(4))
    snapshot = broker.snapshot("concurrent")
    assert (snapshot.active, snapshot.locked) == ([], [])


class FakeClock:
    """Epoch seconds that move only when told to."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def clocked() -> Iterator[tuple[Broker, FakeClock]]:
    """A second broker, on a clock the test moves."""
    clock = FakeClock()
    with Broker(queues=(_spec("hour"), _spec("skew")), clock=clock) as running:
        yield running, clock


def test_injected_clock_drives_expiry_when_the_broker_is_given_one(clocked: tuple[Broker, FakeClock]) -> None:
    # given a queue whose messages live an hour
    broker, clock = clocked
    with ServiceBusClient.from_connection_string(broker.connection_string, **CLIENT_OPTIONS) as client:
        _send(client, "hour", ServiceBusMessage("x", message_id="h1"))
    before = _ids(broker.snapshot("hour").active)
    # when two hours pass on the broker's clock
    clock.now += 2 * HOUR
    # then the message expired
    assert (before, broker.snapshot("hour").active) == (["h1"], [])


def test_settling_fails_with_lock_lost_when_the_broker_says_the_lock_expired(
        clocked: tuple[Broker, FakeClock]) -> None:
    # given a received message whose 30 s lock the client still believes in
    broker, clock = clocked
    with ServiceBusClient.from_connection_string(broker.connection_string, **CLIENT_OPTIONS) as client:
        _send(client, "skew", ServiceBusMessage("late", message_id="s1"))
        with client.get_queue_receiver("skew", max_wait_time=2) as receiver:
            [message] = receiver.receive_messages(max_message_count=1, max_wait_time=2)
            # when the broker's clock passes the lock
            clock.now += 60
            # then the broker refuses the settlement, and the message is back for someone else
            with pytest.raises(MessageLockLostError):
                receiver.complete_message(message)
    [back] = broker.snapshot("skew").active
    assert (back.message_id, back.delivery_count) == ("s1", 1)


def test_port_is_closed_when_the_broker_stops() -> None:
    broker = Broker(queues=TEST_QUEUES[:1]).start()
    with ServiceBusClient.from_connection_string(broker.connection_string, **CLIENT_OPTIONS) as client:
        _send(client, "batch", ServiceBusMessage("x"))
        started = time.monotonic()
        broker.stop()
        stopped_in = time.monotonic() - started
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", broker.port), timeout=1):
        pass
    assert stopped_in < 2
