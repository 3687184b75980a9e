"""shared.bus.ServiceBus.publish against the local AMQP broker with the real azure-servicebus client."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from azure.servicebus import ServiceBusClient

from shared.auth.hashing import pseudonym
from shared.bus import ServiceBus
from shared.identity import caleta_credential
from shared.messages import ANALYSE, COLLECT_TASKS, PURGE, AnalyseScan, CollectTask, PurgeCustomer, opaque_message_id

KEY = b"k" * 32  # the deployment's pseudonym key (shared/pseudonyms.py), fixed for the test
SUB = "d012b2f1-e54f-5f05-8120-6fbf9da1ca5e"

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]


@pytest.fixture
def bus(broker: Any) -> Iterator[ServiceBusClient]:
    with ServiceBusClient.from_connection_string(broker.connection_string, retry_total=0) as client:
        yield client


@pytest.fixture
def publish(broker: Any) -> Any:
    """The publisher over the broker's connection string, as the composition root builds it."""
    return ServiceBus(broker.connection_string, None, caleta_credential, lambda: KEY).publish


def receive_all(client: ServiceBusClient, queue: str) -> list[Any]:
    got = []
    with client.get_queue_receiver(queue, max_wait_time=1) as receiver:
        while batch := receiver.receive_messages(max_message_count=50, max_wait_time=1):
            for message in batch:
                receiver.complete_message(message)
                got.append(message)
    return got


def test_each_message_reaches_its_queue_with_ids_and_type_when_published(bus: ServiceBusClient, publish: Any) -> None:
    # given
    scan_id = uuid.uuid4().hex[:24]
    task = CollectTask(customer_id="c" * 32, scan_id=scan_id, subscription_id=SUB, source="cost")
    analyse = AnalyseScan(customer_id="c" * 32, scan_id=scan_id)
    # when
    publish(task, analyse)
    # then
    [collect] = [m for m in receive_all(bus, COLLECT_TASKS.name) if m.correlation_id == scan_id]
    [analysis] = [m for m in receive_all(bus, ANALYSE.name) if m.correlation_id == scan_id]
    assert (collect.message_id, collect.subject) == (opaque_message_id(task, KEY), "CollectTask")
    assert SUB not in str(collect.message_id) and len(str(collect.message_id)) == 32
    assert CollectTask.model_validate(json.loads(b"".join(collect.body))) == task
    assert dict(collect.application_properties or {}).get(b"schema_version") == 1
    assert (analysis.message_id, analysis.subject) == (opaque_message_id(analyse, KEY), "AnalyseScan")


def test_a_resent_message_is_delivered_once_when_its_id_repeats(bus: ServiceBusClient, publish: Any) -> None:
    scan_id = uuid.uuid4().hex[:24]
    message = AnalyseScan(customer_id="c" * 32, scan_id=scan_id)
    publish(message)
    publish(message)
    assert len([m for m in receive_all(bus, ANALYSE.name) if m.correlation_id == scan_id]) == 1


def test_a_scheduled_message_stays_hidden_until_its_time_when_published_at(bus: ServiceBusClient,
                                                                           broker: Any) -> None:
    # given: the purge's second pass, scheduled a moment ahead (Service Bus scheduled enqueue)
    schedule = ServiceBus(broker.connection_string, None, caleta_credential, lambda: KEY).publish_at
    message = PurgeCustomer(customer_id=uuid.uuid4().hex, request_id=uuid.uuid4().hex)
    due = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1.5)
    # when
    schedule(message, due)
    schedule(message, due)  # a repeat for the same time: dropped as a duplicate
    # then: browsing sees it scheduled; a receiver gets it only once it is due, once
    with bus.get_queue_receiver(PURGE.name) as receiver:
        peeked = [m for m in receiver.peek_messages(max_message_count=50)
                  if b"".join(m.body) == message.model_dump_json().encode()]
    assert len(peeked) == 1 and peeked[0].scheduled_enqueue_time_utc is not None
    # the id carries the time (a later retry is not a duplicate) and, like every message id, names nothing
    assert peeked[0].message_id == pseudonym(KEY, f"message:{message.message_id()}@{int(due.timestamp())}")
    got = []
    with bus.get_queue_receiver(PURGE.name, max_wait_time=5) as receiver:
        for received in receiver:  # ends after 5 s without a message
            receiver.complete_message(received)
            if b"".join(received.body) == message.model_dump_json().encode():
                got.append(dt.datetime.now(dt.UTC))
    assert len(got) == 1 and got[0] >= due


def test_a_continuation_arrives_when_due_on_the_bus_clock_when_the_app_clock_runs_days_ahead(
        broker: Any, bus: ServiceBusClient) -> None:
    # given: the app's clock 45 days ahead of the wall clock (the local world's calendar after the demo's second
    # review), and a cost task's continuation due 1.5 s from the app's now
    ahead = dt.timedelta(days=45)
    publish = ServiceBus(broker.connection_string, None, caleta_credential, lambda: KEY,
                         clock=lambda: dt.datetime.now(dt.UTC) + ahead).publish
    planned = CollectTask(customer_id=uuid.uuid4().hex, scan_id=uuid.uuid4().hex[:24], subscription_id=SUB,
                          source="cost")
    sent_at = dt.datetime.now(dt.UTC)
    continuation = planned.model_copy(update={"hop": 1, "not_before": sent_at + ahead + dt.timedelta(seconds=1.5)})
    # when
    publish(continuation)
    # then: hidden until it is due, then delivered once, within seconds (not 45 days later), under its keyed id
    got = []
    with bus.get_queue_receiver(COLLECT_TASKS.name, max_wait_time=5) as receiver:
        for received in receiver:  # ends after 5 s without a message
            receiver.complete_message(received)
            if received.correlation_id == planned.scan_id:
                got.append((dt.datetime.now(dt.UTC), received.message_id))
    assert len(got) == 1 and got[0][0] >= sent_at + dt.timedelta(seconds=1.4)
    assert got[0][1] == opaque_message_id(continuation, KEY)
