"""The `$management` request/response operations the azure-servicebus client uses on a queue.

Maps one request (operation name + AMQP map body) to one reply; the server does the link plumbing.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from proton import UNDESCRIBED, Array, Data, Message, symbol, timestamp

from local.broker import codec
from local.broker.queue import QueueState

logger = logging.getLogger(__name__)

LOCK_LOST = "com.microsoft:message-lock-lost"
MESSAGE_NOT_FOUND = "com.microsoft:message-not-found"
NOT_IMPLEMENTED = "amqp:not-implemented"
ARGUMENT_ERROR = "com.microsoft:argument-error"


@dataclass(frozen=True, slots=True)
class Reply:
    """A management response: HTTP-like status, description, AMQP value body, error condition."""

    status: int
    description: str = "OK"
    body: Any = None
    condition: str | None = None


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes | bytearray) else str(value)


def _items(value: Any) -> list[Any]:
    if isinstance(value, Array):
        return list(value.elements)
    if isinstance(value, list | tuple):
        return list(value)
    return [] if value is None else [value]


def _token(value: Any) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        return None


def _array(element_type: int, values: list[int]) -> Array:
    return Array(UNDESCRIBED, element_type, *values)  # type: ignore[arg-type]  # proton's hint is too narrow


def _lock_lost() -> Reply:
    return Reply(410, "The lock supplied is invalid: it expired or the message was already settled.",
                 condition=LOCK_LOST)


class Management:
    """Executes management operations against the queues; the caller holds the broker lock."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._ops: dict[str, Callable[[QueueState, dict[str, Any], object], Reply]] = {
            "com.microsoft:renew-lock": self._renew_lock,
            "com.microsoft:peek-message": self._peek,
            "com.microsoft:schedule-message": self._schedule,
            "com.microsoft:cancel-scheduled-message": self._cancel,
            "com.microsoft:update-disposition": self._update_disposition,
            "com.microsoft:receive-by-sequence-number": self._receive_by_sequence_number,
        }

    def put_token(self, request: Message) -> Message:
        """The `$cbs` answer: emulator mode accepts any token, as the Service Bus emulator does."""
        return Message(correlation_id=request.id, properties={"status-code": 202, "status-description": "Accepted"})

    def answer(self, request: Message, queue: QueueState) -> Message:
        """The `$management` answer to one request on `queue`."""
        properties = codec.application_properties(request)
        operation = properties.get("operation", "")
        result = self.execute(_text(operation), queue, request.body, owner=None)
        reply: dict[str, Any] = {"statusCode": result.status, "statusDescription": result.description}
        if result.condition:
            # Both spellings: the Service Bus layer reads errorCondition, the AMQP layer error-condition.
            reply["errorCondition"] = reply["error-condition"] = symbol(result.condition)
        return Message(correlation_id=request.id, properties=reply, body=result.body)

    def execute(self, operation: str, queue: QueueState, body: Any, owner: object) -> Reply:
        """Run one operation; unknown operations get amqp:not-implemented, bad input argument-error."""
        op = self._ops.get(operation)
        if op is None:
            return Reply(501, f"Operation {operation} is not supported by the local broker.",
                         condition=NOT_IMPLEMENTED)
        request = {str(k): v for k, v in body.items()} if isinstance(body, dict) else {}
        try:
            return op(queue, request, owner)
        except (KeyError, TypeError, ValueError) as exc:
            logger.warning("management %s on %s: bad request (%s)", operation, queue.name, type(exc).__name__)
            return Reply(400, f"Bad request: {type(exc).__name__}", condition=ARGUMENT_ERROR)

    def _renew_lock(self, queue: QueueState, request: dict[str, Any], _owner: object) -> Reply:
        now = self._clock()
        expirations: list[int] = []
        for raw in _items(request["lock-tokens"]):
            token = _token(raw)
            until = queue.renew(token, now) if token else None
            if until is None:
                return _lock_lost()
            expirations.append(timestamp(int(until * 1000)))
        return Reply(200, body={"expirations": _array(Data.TIMESTAMP, expirations)})

    def _peek(self, queue: QueueState, request: dict[str, Any], _owner: object) -> Reply:
        start = int(request.get("from-sequence-number", 1))
        count = int(request.get("message-count", 1))
        found = queue.peek(start, count)
        if not found:
            return Reply(204, "No messages to peek.")
        return Reply(200, body={"messages": [{"message": codec.render(m)} for m in found]})

    def _schedule(self, queue: QueueState, request: dict[str, Any], _owner: object) -> Reply:
        now = self._clock()
        numbers: list[int] = []
        for item in _items(request["messages"]):
            incoming = codec.decode_incoming(bytes(item["message"]))
            number = queue.enqueue(incoming, now)
            # A duplicate is dropped like on send; Service Bus still answers with a number.
            numbers.append(number if number is not None else 0)
        return Reply(200, body={"sequence-numbers": _array(Data.LONG, numbers)})

    def _cancel(self, queue: QueueState, request: dict[str, Any], _owner: object) -> Reply:
        missing = [n for n in _items(request["sequence-numbers"]) if not queue.cancel_scheduled(int(n))]
        if missing:
            return Reply(404, f"{len(missing)} scheduled message(s) not found.", condition=MESSAGE_NOT_FOUND)
        return Reply(200, body={})

    def _update_disposition(self, queue: QueueState, request: dict[str, Any], _owner: object) -> Reply:
        now = self._clock()
        status = str(request["disposition-status"])
        tokens = [t for t in (_token(raw) for raw in _items(request["lock-tokens"])) if t is not None]
        if not tokens or not all(queue.is_locked(t, now) for t in tokens):
            return _lock_lost()
        settle: dict[str, Callable[[uuid.UUID], bool]] = {
            "completed": queue.complete,
            "abandoned": lambda t: queue.abandon(t, now),
            "defered": queue.defer,
            "suspended": lambda t: queue.dead_letter(
                t, request.get("deadletter-reason") or None, request.get("deadletter-description") or None),
        }
        if status not in settle:
            return Reply(400, f"Unknown disposition status {status}.", condition=ARGUMENT_ERROR)
        for token in tokens:
            settle[status](token)
        return Reply(200, body={})

    def _receive_by_sequence_number(self, queue: QueueState, request: dict[str, Any], owner: object) -> Reply:
        now = self._clock()
        numbers = [int(n) for n in _items(request["sequence-numbers"])]
        peek_lock = int(request.get("receiver-settle-mode", 1)) == 1
        locks = queue.lock_deferred(numbers, now, owner)
        if not locks:
            return Reply(404, "No deferred messages with those sequence numbers.", condition=MESSAGE_NOT_FOUND)
        messages: list[dict[str, Any]] = []
        for lock in locks:
            if not peek_lock:
                queue.complete(lock.token)
            entry: dict[str, Any] = {"message": codec.render(lock.message, locked_until=lock.locked_until)}
            if peek_lock:
                entry["lock-token"] = lock.token
            messages.append(entry)
        return Reply(200, body={"messages": messages})

