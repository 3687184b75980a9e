"""Service Bus queue triggers with the Functions host's semantics, over the real azure-servicebus client.

Peek-lock; complete on success, abandon on exception; locks renewed while the function runs (up to
host.json maxAutoLockRenewalDuration); at most maxConcurrentCalls invocations per function and instance at a time.
"""

from __future__ import annotations

import logging
import queue
import threading
import traceback
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from typing import Any

from azure.functions.servicebus import ServiceBusMessage
from azure.servicebus import AutoLockRenewer, ServiceBusClient, ServiceBusReceivedMessage, ServiceBusReceiver
from azure.servicebus.exceptions import MessagingEntityNotFoundError, ServiceBusError

from local.host.index import FunctionSpec, HostConfig

logger = logging.getLogger(__name__)

RECEIVE_WAIT_SECONDS = 0.5
RECONNECT_DELAY_SECONDS = (1.0, 5.0)  # transient, entity-not-found


def host_log(level: int, msg: str, *args: Any) -> None:
    """A line the host itself writes. In Azure the Functions host is a .NET process of its own, so the app's log
    redaction (a Python LogRecord factory, shared/observability.py) never touches its lines; here host and app
    share one Python process, so the record is made directly, bypassing that factory, to log exactly what
    Azure's host would."""
    if logger.isEnabledFor(level):
        logger.handle(logging.LogRecord(logger.name, level, __file__, 0, msg, args, None))


def connection_string(spec: FunctionSpec, env: Mapping[str, str]) -> str:
    """The connection string named by the trigger's `connection` (the host's default is the setting name)."""
    name = spec.binding.get("connection") or "AzureWebJobsServiceBus"
    value = env.get(name)
    if not value:
        raise ValueError(f"function {spec.name}: app setting {name} (a Service Bus connection string) is not set")
    return value


def _text(value: Any) -> Any:
    return value.decode("utf-8", "replace") if isinstance(value, bytes | bytearray) else value


def _body_bytes(message: ServiceBusReceivedMessage) -> bytes:
    body = message.body
    if isinstance(body, bytes | bytearray):
        return bytes(body)
    if isinstance(body, str):
        return body.encode("utf-8")
    try:
        return b"".join(bytes(part) for part in body)
    except TypeError:
        return str(body).encode("utf-8")


def to_binding(message: ServiceBusReceivedMessage) -> ServiceBusMessage:
    """The azure.functions ServiceBusMessage the Python worker would build from a received message."""
    properties = {str(_text(k)): _text(v) for k, v in (message.application_properties or {}).items()}
    lock_token = str(message.lock_token) if message.lock_token is not None else None
    # The AMQP header counts prior attempts (0 on the first delivery); the Functions host passes the .NET
    # SDK's DeliveryCount, which counts this attempt too (1 on the first delivery).
    delivery_count = (message.delivery_count or 0) + 1
    metadata = {
        "MessageId": message.message_id, "DeliveryCount": delivery_count,
        "EnqueuedTimeUtc": message.enqueued_time_utc, "LockToken": lock_token,
        "SequenceNumber": message.sequence_number, "ContentType": message.content_type,
        "CorrelationId": message.correlation_id, "UserProperties": properties,
        "ApplicationProperties": properties,
    }
    return ServiceBusMessage(
        body=_body_bytes(message), trigger_metadata=metadata, application_properties=properties,
        content_type=message.content_type, correlation_id=message.correlation_id,
        dead_letter_error_description=message.dead_letter_error_description,
        dead_letter_reason=message.dead_letter_reason, dead_letter_source=message.dead_letter_source,
        delivery_count=delivery_count, enqueued_sequence_number=message.enqueued_sequence_number,
        enqueued_time_utc=message.enqueued_time_utc, expires_at_utc=message.expires_at_utc,
        label=message.subject, locked_until=message.locked_until_utc, lock_token=lock_token,
        message_id=message.message_id or "", partition_key=message.partition_key, reply_to=message.reply_to,
        reply_to_session_id=message.reply_to_session_id,
        scheduled_enqueue_time_utc=message.scheduled_enqueue_time_utc, sequence_number=message.sequence_number,
        session_id=message.session_id, subject=message.subject, time_to_live=message.time_to_live,
        to=message.to, user_properties=dict(properties),
    )


class QueueTrigger:
    """Feeds one Service Bus-triggered function from its queue until stopped."""

    def __init__(self, spec: FunctionSpec, config: HostConfig, conn_str: str,
                 track_call: Callable[[], AbstractContextManager[None]]) -> None:
        self.spec = spec
        self.queue_name = str(spec.binding["queueName"])
        self._config = config
        self._conn_str = conn_str
        self._track_call = track_call
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.concurrent_calls = config.concurrent_calls  # how many of its calls run at once (its pool's size)
        self._pool = ThreadPoolExecutor(max_workers=self.concurrent_calls,
                                        thread_name_prefix=f"sb-{spec.name}")
        self._done: queue.Queue[tuple[ServiceBusReceivedMessage, bool]] = queue.Queue()
        self._in_flight = 0
        self._grace = 10.0
        self.settled = {"completed": 0, "abandoned": 0}

    def start(self) -> None:
        """Start receiving in a background thread."""
        self._thread = threading.Thread(target=self._run, name=f"sb-recv-{self.spec.name}", daemon=True)
        self._thread.start()

    def stop(self, grace_seconds: float) -> None:
        """Stop receiving; let in-flight calls finish and settle them within `grace_seconds`."""
        self._grace = grace_seconds
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=grace_seconds + 5)
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            delay = RECONNECT_DELAY_SECONDS[0]
            try:
                self._receive_loop()
            except MessagingEntityNotFoundError:
                logger.error("function %s: queue %s does not exist", self.spec.name, self.queue_name)
                delay = RECONNECT_DELAY_SECONDS[1]
            except ServiceBusError as exc:
                logger.warning("function %s: Service Bus error, reconnecting: %s", self.spec.name, type(exc).__name__)
            except Exception:
                logger.exception("function %s: receiver failed, reconnecting", self.spec.name)
            self._stop.wait(delay)

    def _receive_loop(self) -> None:
        renewer = AutoLockRenewer(max_lock_renewal_duration=self._config.max_auto_lock_renewal_seconds,
                                  max_workers=4)
        with ServiceBusClient.from_connection_string(self._conn_str) as client, client.get_queue_receiver(
                self.queue_name, prefetch_count=self._config.prefetch_count) as receiver:
            try:
                while not self._stop.is_set():
                    self._settle_finished(receiver)
                    free = self._config.concurrent_calls - self._in_flight
                    if free <= 0:
                        self._settle_one(receiver, timeout=RECEIVE_WAIT_SECONDS)
                        continue
                    messages = receiver.receive_messages(max_message_count=free,
                                                         max_wait_time=RECEIVE_WAIT_SECONDS)
                    for message in messages:
                        renewer.register(receiver, message)
                        self._in_flight += 1
                        self._pool.submit(self._invoke, message)
                self._drain(receiver)
            finally:
                renewer.close()

    def _invoke(self, message: ServiceBusReceivedMessage) -> None:
        ok = False
        # The Service Bus extension traces every message it hands to a function, message id included (its
        # "Trigger Details" line, as Application Insights shows it for each invocation).
        host_log(logging.INFO, "Executing 'Functions.%s' (Reason='New ServiceBus message detected on '%s'.')",
                 self.spec.name, self.queue_name)
        host_log(logging.INFO, "Trigger Details: MessageId: %s, SequenceNumber: %s, DeliveryCount: %s, "
                 "EnqueuedTimeUtc: %s, LockedUntilUtc: %s, SessionId: (null)", message.message_id,
                 message.sequence_number, (message.delivery_count or 0) + 1,
                 message.enqueued_time_utc.isoformat() if message.enqueued_time_utc else None,
                 message.locked_until_utc.isoformat() if message.locked_until_utc else None)
        try:
            with self._track_call():
                self.spec.call(to_binding(message))
            ok = True
        except Exception:
            # As Azure's host logs a failed invocation: the exception the function raised, unredacted.
            host_log(logging.ERROR, "function %s failed (delivery %s); abandoning the message\n%s",
                     self.spec.name, (message.delivery_count or 0) + 1, traceback.format_exc())
        finally:
            self._done.put((message, ok))

    def _settle_finished(self, receiver: ServiceBusReceiver) -> None:
        while True:
            try:
                message, ok = self._done.get_nowait()
            except queue.Empty:
                return
            self._settle(receiver, message, ok)

    def _settle_one(self, receiver: ServiceBusReceiver, timeout: float) -> bool:
        try:
            message, ok = self._done.get(timeout=timeout)
        except queue.Empty:
            return False
        self._settle(receiver, message, ok)
        return True

    def _settle(self, receiver: ServiceBusReceiver, message: ServiceBusReceivedMessage, ok: bool) -> None:
        # Settlement happens on the receiving thread only: the sync AMQP link is not shared with workers.
        self._in_flight -= 1
        try:
            if ok:
                receiver.complete_message(message)
                self.settled["completed"] += 1
            else:
                receiver.abandon_message(message)
                self.settled["abandoned"] += 1
        except (ServiceBusError, ValueError) as exc:
            # Lock lost, link gone or a receiver since replaced: the broker redelivers once the lock expires.
            logger.warning("function %s: could not settle a message: %s", self.spec.name, type(exc).__name__)

    def _drain(self, receiver: ServiceBusReceiver) -> None:
        """On shutdown: wait (bounded) for in-flight calls and settle them."""
        deadline_steps = max(1, int(self._grace / 0.1))
        for _ in range(deadline_steps):
            if self._in_flight <= 0:
                return
            self._settle_one(receiver, timeout=0.1)
        if self._in_flight:
            logger.warning("function %s: %d call(s) still running at shutdown; their locks will expire",
                           self.spec.name, self._in_flight)
