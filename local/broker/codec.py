"""The AMQP message codec: batch envelopes in, broker-annotated messages out.

Only encoding and decoding: no queue state here.
"""

from __future__ import annotations

import datetime
from typing import Any, NamedTuple

from proton import Data, Message, symbol, timestamp

from local.broker.model import Incoming, MessageState, Stored

# AMQP 1.0 message section descriptors (messaging spec 3.2).
_FIRST_SECTION, _APPLICATION_PROPERTIES, _DATA, _LAST_SECTION = 0x70, 0x74, 0x75, 0x78

_STATE_CODES: dict[MessageState, int] = {"active": 0, "deferred": 1, "scheduled": 2}

SEQUENCE_NUMBER = symbol("x-opt-sequence-number")
ENQUEUED_TIME = symbol("x-opt-enqueued-time")
LOCKED_UNTIL = symbol("x-opt-locked-until")
MESSAGE_STATE = symbol("x-opt-message-state")
SCHEDULED_ENQUEUE_TIME = symbol("x-opt-scheduled-enqueue-time")


class Section(NamedTuple):
    """One message section: its descriptor code, decoded value and encoded bytes."""

    descriptor: int
    value: Any
    raw: bytes


def sections(raw: bytes) -> list[Section] | None:
    """The sections of an encoded message; None if the bytes are not an AMQP message."""
    out: list[Section] = []
    offset = 0
    try:
        while offset < len(raw):
            data = Data()
            consumed = data.decode(raw[offset:])
            if consumed <= 0:
                return None
            data.rewind()
            if data.next() != Data.DESCRIBED:
                return None
            data.enter()
            data.next()
            descriptor = data.get_object()
            data.next()
            value = data.get_object()
            if isinstance(value, memoryview):
                value = bytes(value)  # the view points into `data`, which is freed with it
            if not isinstance(descriptor, int) or not _FIRST_SECTION <= descriptor <= _LAST_SECTION:
                return None
            out.append(Section(int(descriptor), value, raw[offset:offset + consumed]))
            offset += consumed
    except Exception:  # any decode failure means "not an AMQP message"
        return None
    return out


def split_batch(raw: bytes) -> list[bytes]:
    """The messages a transfer carries: the Data sections of a batch envelope, or the transfer itself.

    The client marks a batch with message-format 0x80013700, which proton does not expose, so a batch
    is recognised by shape: no application properties, a body of Data sections only, each of which is
    itself a whole encoded message.
    """
    parts = sections(raw)
    if not parts or any(p.descriptor == _APPLICATION_PROPERTIES for p in parts):
        return [raw]
    bodies = [bytes(p.value) for p in parts if p.descriptor == _DATA]
    if not bodies or any(p.descriptor > _DATA for p in parts):
        return [raw]
    if all(sections(body) for body in bodies):
        return bodies
    return [raw]


def _epoch_seconds(value: Any) -> float | None:
    if isinstance(value, datetime.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=datetime.UTC)
        return moment.timestamp()
    if isinstance(value, int | float) and value > 0:
        return float(value) / 1000.0  # AMQP timestamps are milliseconds
    return None


def _body_bytes(body: Any) -> bytes:
    if isinstance(body, bytes | bytearray | memoryview):
        return bytes(body)
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, list) and all(isinstance(part, bytes | bytearray | memoryview) for part in body):
        return b"".join(bytes(part) for part in body)
    return repr(body).encode("utf-8")


def _text(value: Any) -> Any:
    return value.decode("utf-8", "replace") if isinstance(value, bytes | bytearray) else value


def application_properties(message: Message) -> dict[Any, Any]:
    """A message's application properties as a plain dict (proton types them loosely)."""
    raw: Any = message.properties
    return dict(raw) if raw else {}


def decode_incoming(payload: bytes) -> Incoming:
    """Read what the broker needs from one encoded message."""
    message = Message()
    message.decode(payload)
    annotations: dict[Any, Any] = dict(message.annotations or {})
    ttl = message.ttl if message.ttl else None
    if not ttl and message.expiry_time and message.creation_time:
        ttl = max(message.expiry_time - message.creation_time, 0.001)
    return Incoming(
        payload=payload,
        message_id=None if message.id is None else str(message.id),
        body=_body_bytes(message.body),
        application_properties={str(_text(k)): _text(v) for k, v in application_properties(message).items()},
        ttl_seconds=ttl,
        scheduled_at=_epoch_seconds(annotations.get(SCHEDULED_ENQUEUE_TIME)),
    )


def render(stored: Stored, *, locked_until: float | None = None) -> bytes:
    """Encode a stored message for delivery, with the broker annotations the client reads."""
    message = Message()
    message.decode(stored.payload)
    message.delivery_count = stored.delivery_count
    annotations = dict(message.annotations or {})
    annotations[SEQUENCE_NUMBER] = stored.sequence_number
    annotations[ENQUEUED_TIME] = timestamp(int(stored.enqueued_at * 1000))
    annotations[MESSAGE_STATE] = _STATE_CODES[stored.state]
    if locked_until is not None:
        annotations[LOCKED_UNTIL] = timestamp(int(locked_until * 1000))
    message.annotations = annotations
    if stored.dead_letter_reason is not None or stored.dead_letter_description is not None:
        properties = application_properties(message)
        properties["DeadLetterReason"] = stored.dead_letter_reason or ""
        properties["DeadLetterErrorDescription"] = stored.dead_letter_description or ""
        message.properties = properties  # type: ignore[assignment]  # proton's hint says None
    encoded: bytes = message.encode()
    # proton leaves a zero delivery-count out of the header; the client then reads None, so the
    # header is written here with every field present, as Service Bus does.
    rest = b"".join(p.raw for p in sections(encoded) or [] if p.descriptor != _FIRST_SECTION)
    return _header(message, stored.delivery_count) + rest


def _header(message: Message, delivery_count: int) -> bytes:
    data = Data()
    data.put_described()
    data.enter()
    data.put_ulong(_FIRST_SECTION)
    data.put_list()
    data.enter()
    data.put_bool(bool(message.durable))
    data.put_ubyte(int(message.priority))
    if message.ttl:
        data.put_uint(int(message.ttl * 1000))
    else:
        data.put_null()
    data.put_bool(bool(message.first_acquirer))
    data.put_uint(delivery_count)
    data.exit()
    data.exit()
    header: bytes = data.encode()
    return header
