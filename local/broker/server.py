"""The AMQP side of the broker: links, `$cbs`, `$management` replies, deliveries and settlements.

A proton event handler. Every event runs under the broker lock, so the queue model stays single-threaded.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable

from proton import Condition, Connection, Delivery, Endpoint, Event, Handler, Link, Message, Terminus

from local.broker import codec, consumers
from local.broker.addresses import Kind, resolve
from local.broker.consumers import Consumer
from local.broker.management import Management
from local.broker.queue import QueueState

logger = logging.getLogger(__name__)

NOT_FOUND = "amqp:not-found"
INCOMING_CREDIT = 100
MAX_MESSAGE_SIZE = 256 * 1024  # the Standard tier's limit, which the client sizes batches by

def _guarded(method: Callable[[BrokerHandler, Event], None]) -> Callable[[BrokerHandler, Event], None]:
    """Run a handler under the broker lock; one bad peer must never stop the reactor thread."""
    @functools.wraps(method)
    def run(self: BrokerHandler, event: Event) -> None:
        with self.lock:
            try:
                method(self, event)
            except Exception:
                logger.exception("broker: %s failed; closing that connection", method.__name__)
                if event.connection is not None:
                    event.connection.condition = Condition("amqp:internal-error", "The local broker failed.")
                self.drop_connection(event.connection, close=True)
    return run


def _link(event: Event) -> Link:
    link = event.link
    assert link is not None, "a link event carries its link"
    return link


class BrokerHandler(Handler):  # type: ignore[misc]
    """Serves the Service Bus AMQP surface the azure-servicebus client uses in emulator mode."""

    def __init__(self, queues: dict[str, QueueState], lock: threading.RLock, clock: Callable[[], float]) -> None:
        super().__init__()
        self.queues = queues
        self.lock = lock
        self.clock = clock
        self.management = Management(clock)
        self.consumers: dict[Link, Consumer] = {}
        self.connections: set[Connection] = set()
        self._entities: dict[Link, tuple[Kind, QueueState | None]] = {}
        self._tags = 0

    # -- endpoints ---------------------------------------------------------------------------------

    @_guarded
    def on_connection_remote_open(self, event: Event) -> None:
        """Accept every connection (emulator mode: no SASL, no TLS)."""
        connection = event.connection
        if connection is None:
            return
        self.connections.add(connection)
        if connection.state & Endpoint.LOCAL_UNINIT:
            connection.open()

    @_guarded
    def on_session_remote_open(self, event: Event) -> None:
        """Accept every session."""
        session = event.session
        if session is not None and session.state & Endpoint.LOCAL_UNINIT:
            session.open()

    @_guarded
    def on_link_remote_open(self, event: Event) -> None:
        """Attach a link to its node, or refuse it as Service Bus does for an unknown entity."""
        link = _link(event)
        address = link.remote_source.address if link.is_sender else link.remote_target.address
        kind, queue = resolve(self.queues, address)
        link.snd_settle_mode = link.remote_snd_settle_mode
        link.rcv_settle_mode = link.remote_rcv_settle_mode
        link.max_message_size = MAX_MESSAGE_SIZE
        if kind == "missing":
            # The AMQP way to refuse a link, as Service Bus does: attach with a null terminus for the
            # entity, then detach with amqp:not-found. The client reads that as MessagingEntityNotFoundError
            # straight away; an attach that is never answered would hang it.
            (link.target if link.is_sender else link.source).copy(
                link.remote_target if link.is_sender else link.remote_source)
            (link.source if link.is_sender else link.target).type = Terminus.UNSPECIFIED  # encoded as null
            link.open()
            link.condition = Condition(NOT_FOUND, f"The messaging entity '{address}' could not be found.")
            link.close()
            return
        link.source.copy(link.remote_source)
        link.target.copy(link.remote_target)
        link.open()
        self._entities[link] = (kind, queue)
        if link.is_receiver:
            link.flow(INCOMING_CREDIT)
        elif kind == "queue" and queue is not None:
            self.consumers[link] = Consumer(link, queue, link.remote_snd_settle_mode == Link.SND_SETTLED)

    @_guarded
    def on_link_remote_close(self, event: Event) -> None:
        """A client detached a link: its locks are lost."""
        link = _link(event)
        self._forget_link(link)
        if link.state & Endpoint.LOCAL_ACTIVE:
            link.close()

    @_guarded
    def on_session_remote_close(self, event: Event) -> None:
        """A client ended a session: its links' locks are lost."""
        session = event.session
        if session is None:
            return
        for link in [lk for lk in self._entities if lk.session == session]:
            self._forget_link(link)
        if session.state & Endpoint.LOCAL_ACTIVE:
            session.close()

    @_guarded
    def on_connection_remote_close(self, event: Event) -> None:
        """A client closed its connection: its links' locks are lost."""
        self.drop_connection(event.connection, close=True)

    @_guarded
    def on_transport_closed(self, event: Event) -> None:
        """The socket went away (cleanly or not): forget the connection."""
        self.drop_connection(event.connection)

    def drop_connection(self, connection: Connection | None, close: bool = False) -> None:
        """Forget a connection's links; their locks are lost, so the messages become visible again."""
        if connection is None:
            return
        for link in [lk for lk in self._entities if lk.connection == connection]:
            self._forget_link(link)
        self.connections.discard(connection)
        if close and connection.state & Endpoint.LOCAL_ACTIVE:
            connection.close()

    def _forget_link(self, link: Link) -> None:
        self._entities.pop(link, None)
        consumer = self.consumers.pop(link, None)
        if consumer is not None:
            consumer.queue.release_owner(consumer, self.clock())

    # -- deliveries --------------------------------------------------------------------------------

    @_guarded
    def on_link_flow(self, event: Event) -> None:
        """A receiver granted credit (or asked to drain): deliver what is visible."""
        consumer = self.consumers.get(_link(event))
        if consumer is not None:
            self.pump(consumer)

    @_guarded
    def on_delivery(self, event: Event) -> None:
        """A transfer from a client (message or request), or a client's outcome for one of ours."""
        delivery = event.delivery
        if delivery is None:
            return
        link = delivery.link
        if link.is_sender:
            consumer = self.consumers.get(link)
            if consumer is not None and delivery.updated and consumers.settle(consumer, delivery, self.clock()):
                self.pump_queue(consumer.queue)
            elif consumer is None and delivery.settled:
                delivery.settle()  # a reply or a delivery whose link is gone
            return
        if delivery.partial:
            return
        raw = link.recv(delivery.pending) or b""
        link.advance()
        kind, queue = self._entities.get(link, ("missing", None))
        if kind == "queue" and queue is not None:
            self._accept_sent(queue, delivery, raw)
        elif kind in ("cbs", "management"):
            self._answer(link, kind, queue, raw)
            delivery.update(Delivery.ACCEPTED)
            delivery.settle()
        else:
            delivery.update(Delivery.REJECTED)
            delivery.settle()
        if link.credit < INCOMING_CREDIT // 2:
            link.flow(INCOMING_CREDIT - link.credit)

    def _accept_sent(self, queue: QueueState, delivery: Delivery, raw: bytes) -> None:
        now = self.clock()
        try:
            messages = [codec.decode_incoming(part) for part in codec.split_batch(raw)]
        except Exception:
            logger.warning("broker: undecodable message sent to %s; rejected", queue.name)
            delivery.local.condition = Condition("amqp:decode-error", "The message could not be decoded.")
            delivery.update(Delivery.REJECTED)
            delivery.settle()
            return
        for message in messages:
            if queue.enqueue(message, now) is None:
                logger.info("broker: duplicate message id dropped on %s", queue.name)
        delivery.update(Delivery.ACCEPTED)
        delivery.settle()
        self.pump_queue(queue)

    def pump_queue(self, queue: QueueState) -> None:
        """Offer the queue's visible messages to its consumers that have credit."""
        for consumer in [c for c in self.consumers.values() if c.queue is queue]:
            self.pump(consumer)

    def pump(self, consumer: Consumer) -> None:
        """Send one consumer what its credit allows."""
        consumers.pump(consumer, self.clock())

    # -- request/response nodes --------------------------------------------------------------------

    def _answer(self, link: Link, kind: Kind, queue: QueueState | None, raw: bytes) -> None:
        request = Message()
        request.decode(raw)
        if kind == "cbs":
            reply = self.management.put_token(request)
        else:
            assert queue is not None
            reply = self.management.answer(request, queue)
            self.pump_queue(queue)
        target = self._reply_link(link, request.reply_to)
        if target is None:
            logger.warning("broker: no reply link for a %s request; dropped", kind)
            return
        self._tags += 1
        consumers.send(target, reply.encode(), str(self._tags).encode(), settle=True)

    def _reply_link(self, request_link: Link, reply_to: str | None) -> Link | None:
        wanted = {a.lower() for a in (reply_to, request_link.remote_target.address) if a}
        for link in self._entities:
            if (link.is_sender and link.connection == request_link.connection
                    and (link.remote_source.address or "").lower() in wanted):
                return link
        return None

    # -- housekeeping ------------------------------------------------------------------------------

    def tick(self) -> None:
        """Expire locks and messages, release due scheduled ones, and deliver what became visible."""
        now = self.clock()
        for queue in self.queues.values():
            queue.tick(now)
            if queue.dead_letter_queue is not None:
                queue.dead_letter_queue.tick(now)
        for consumer in list(self.consumers.values()):
            self.pump(consumer)
