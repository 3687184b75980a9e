"""The local host feeds a Service Bus trigger from the broker: complete, abandon and redeliver, renew locks."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from local.host import Host
from tests.fixtures.host_app import Recorder, build_app

pytestmark = pytest.mark.integration

FIXTURE_QUEUE = "host-fixture-jobs"


def _host_json(directory: Path) -> Path:
    path = directory / "host.json"
    path.write_text(json.dumps({"extensions": {"serviceBus": {
        "maxConcurrentCalls": 2, "maxAutoLockRenewalDuration": "00:01:00"}}}))
    return path


@pytest.fixture(scope="module")
def fixture_broker() -> Iterator[Any]:
    """A broker of our own, with one short-lock queue, so the product's queues stay untouched."""
    from local.broker import Broker
    from shared.messages import QueueSpec

    spec = QueueSpec(FIXTURE_QUEUE, max_delivery_count=5, lock_duration_seconds=5,
                     duplicate_detection_window_seconds=60, default_ttl_seconds=600)
    server = Broker(queues=(spec,))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def bus_recorder() -> Recorder:
    return Recorder()


@pytest.fixture(scope="module")
def bus_host(bus_recorder: Recorder, fixture_broker: Any,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[Host]:
    """The fixture app fed from the broker (maxConcurrentCalls 2, lock renewal up to a minute)."""
    env = {"FIXTURE_QUEUE": FIXTURE_QUEUE, "FIXTURE_SCHEDULE": "0 0 0 1 1 *",
           "FixtureBus": fixture_broker.connection_string}
    running = Host(build_app(bus_recorder), port=0, host_json=_host_json(tmp_path_factory.mktemp("b")), env=env)
    running.start()
    try:
        yield running
    finally:
        running.stop(grace_seconds=5)


def _send(conn_str: str, *bodies: str, properties: dict[str | bytes, Any] | None = None) -> None:
    from azure.servicebus import ServiceBusClient, ServiceBusMessage

    with ServiceBusClient.from_connection_string(conn_str, retry_total=0) as sb, sb.get_queue_sender(
            FIXTURE_QUEUE) as sender:
        batch = sender.create_message_batch()
        for body in bodies:
            batch.add_message(ServiceBusMessage(body, message_id=f"{body}-{time.time_ns()}",
                                                application_properties=dict(properties or {}),
                                                content_type="text/plain"))
        sender.send_messages(batch)


def test_message_is_completed_when_function_succeeds(bus_host: Host, fixture_broker: Any,
                                                     bus_recorder: Recorder) -> None:
    _send(fixture_broker.connection_string, "ok-1", properties={"kind": "cost"})
    seen = [s for s in bus_recorder.wait_for("on_job", count=1) if s["body"] == "ok-1"]
    assert seen[0]["properties"] == {"kind": "cost"}
    assert seen[0]["delivery_count"] == 1
    assert seen[0]["lock_token"]
    assert seen[0]["enqueued"] is not None
    _wait(lambda: bus_host.queue_triggers["on_job"].settled["completed"] >= 1)


def test_message_is_abandoned_and_redelivered_when_function_raises(bus_host: Host, fixture_broker: Any,
                                                                   bus_recorder: Recorder) -> None:
    _send(fixture_broker.connection_string, "fail-once-1")
    _wait(lambda: len([s for n, s in bus_recorder.calls if n == "on_job" and s["body"] == "fail-once-1"]) >= 2)
    deliveries = [s["delivery_count"] for n, s in bus_recorder.calls if n == "on_job" and s["body"] == "fail-once-1"]
    assert deliveries[:2] == [1, 2]
    assert bus_host.queue_triggers["on_job"].settled["abandoned"] >= 1


def test_lock_is_renewed_when_function_outlives_lock_duration(bus_host: Host, fixture_broker: Any,
                                                              bus_recorder: Recorder) -> None:
    # The queue's lock is 5 s; the function takes 8 s; without renewal the message would come back.
    _send(fixture_broker.connection_string, "sleep:8")
    _wait(lambda: any(n == "slept" and s["body"] == "sleep:8" for n, s in bus_recorder.calls), timeout=30)
    time.sleep(1)
    deliveries = [s for n, s in bus_recorder.calls if n == "on_job" and s["body"] == "sleep:8"]
    assert len(deliveries) == 1


def test_at_most_max_concurrent_calls_run_when_queue_has_more(bus_host: Host, fixture_broker: Any,
                                                              bus_recorder: Recorder) -> None:
    bodies = [f"sleep:1.{i}" for i in range(5)]
    _send(fixture_broker.connection_string, *bodies)
    _wait(lambda: {s["body"] for n, s in bus_recorder.calls if n == "slept"} >= set(bodies), timeout=30)
    assert bus_recorder.max_running == 2  # host.json maxConcurrentCalls


def _wait(condition: Any, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.1)


def test_admin_api_runs_service_bus_function_when_posted(bus_host: Host, bus_recorder: Recorder) -> None:
    from local.host.http import ADMIN_KEY_HEADER
    from tests.conftest import Api

    admin = Api(bus_host.base_url, timeout=10, default_headers={ADMIN_KEY_HEADER: bus_host.admin_key})
    assert admin.post("admin/functions/on_job", {"input": "admin-1"}).status == 202
    _wait(lambda: any(n == "on_job" and s["body"] == "admin-1" for n, s in bus_recorder.calls), timeout=10)
