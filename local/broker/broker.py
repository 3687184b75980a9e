"""`Broker`: the Service Bus stand-in, run on loopback in a background thread.

Owns the proton container, the thread and the queue declaration; the AMQP work is in `server`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable

from proton import Endpoint
from proton.reactor import Container

from local.broker.model import MessageView, QueueSnapshot
from local.broker.queue import QueueState
from local.broker.server import BrokerHandler
from shared.messages import QueueSpec

logger = logging.getLogger(__name__)

TICK_SECONDS = 0.05  # how often locks, schedules and TTLs are checked; also the stop latency
START_TIMEOUT_SECONDS = 5.0
STOP_GRACE_SECONDS = 0.5  # for clients to answer our close; idle sync clients never read it


class _QuietClientDisconnects(logging.Filter):
    """proton logs a client that closes its socket first at ERROR; for a broker that is routine."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        return not ("Couldn't send" in text and ("BrokenPipe" in text or "ConnectionReset" in text))


_PROTON_FILTER = _QuietClientDisconnects()


def _queue_state(spec: QueueSpec) -> QueueState:
    dead_letter = QueueState(f"{spec.name}/$deadletterqueue", max_delivery_count=None,
                             lock_duration=spec.lock_duration_seconds)
    return QueueState(spec.name, max_delivery_count=spec.max_delivery_count,
                      lock_duration=spec.lock_duration_seconds,
                      duplicate_window=spec.duplicate_detection_window_seconds,
                      default_ttl=spec.default_ttl_seconds or None, dead_letter=dead_letter)


class Broker:
    """A Service Bus-compatible AMQP 1.0 broker for the real azure-servicebus client (emulator mode)."""

    def __init__(self, queues: Iterable[QueueSpec], host: str = "127.0.0.1", port: int = 0,
                 clock: Callable[[], float] = time.time) -> None:
        self.host = host
        self._requested_port = port
        self._lock = threading.RLock()
        self._queues = {spec.name.lower(): _queue_state(spec) for spec in queues}
        self._handler = BrokerHandler(self._queues, self._lock, clock)
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._ready = threading.Event()
        self._startup_error: BaseException | None = None
        self._port = 0

    # -- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> Broker:
        """Listen and serve in a background thread; returns once the port is bound."""
        if self._thread is not None:
            raise RuntimeError("broker already started")
        self._thread = threading.Thread(target=self._run, name="servicebus-broker", daemon=True)
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT_SECONDS):
            raise RuntimeError("broker did not start in time")
        if self._startup_error is not None:
            raise RuntimeError("broker failed to start") from self._startup_error
        logger.info("broker listening on %s:%d with %d queues", self.host, self._port, len(self._queues))
        return self

    def stop(self) -> None:
        """Close every connection and the listening socket, and end the thread."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._stopping.set()
        thread.join(timeout=STOP_GRACE_SECONDS + 5 * TICK_SECONDS + 2.0)
        if thread.is_alive():
            logger.warning("broker thread did not end in time")

    def __enter__(self) -> Broker:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The bound TCP port (after start)."""
        return self._port

    @property
    def connection_string(self) -> str:
        """What the client (and the app's ServiceBusConnection setting) uses to reach this broker."""
        return (f"Endpoint=sb://{self.host}:{self._port};SharedAccessKeyName=RootManageSharedAccessKey;"
                "SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;")

    # -- test helpers ------------------------------------------------------------------------------

    def snapshot(self, queue: str) -> QueueSnapshot:
        """Copies of everything `queue` holds, by state; KeyError for an undeclared queue."""
        with self._lock:
            state = self._queues[queue.lower()]
            state.tick(self._handler.clock())
            groups = state.views()
            dead = state.dead_letter_queue.views()["active"] if state.dead_letter_queue else []
            return QueueSnapshot(active=groups["active"], scheduled=groups["scheduled"], deadletter=dead,
                                 locked=groups["locked"], deferred=groups["deferred"])

    def drop_where(self, predicate: Callable[[MessageView], bool]) -> int:
        """Delete unlocked messages (dead-lettered ones too) matching `predicate`; how many went."""
        with self._lock:
            dropped = 0
            for state in self._queues.values():
                dropped += state.drop_where(predicate)
                if state.dead_letter_queue is not None:
                    dropped += state.dead_letter_queue.drop_where(predicate)
            return dropped

    # -- the reactor thread ------------------------------------------------------------------------

    def _run(self) -> None:
        if _PROTON_FILTER not in logging.getLogger("proton").filters:
            logging.getLogger("proton").addFilter(_PROTON_FILTER)
        container = Container(self._handler)
        container.timeout = TICK_SECONDS
        try:
            acceptor = container.acceptor(self.host, str(self._requested_port))
            self._port = int(acceptor._selectable.getsockname()[1])  # proton keeps the socket private
            container.start()
        except BaseException as exc:  # reported to start() rather than lost in the thread
            self._startup_error = exc
            self._ready.set()
            return
        self._ready.set()
        try:
            self._serve(container)
        finally:
            acceptor.close()
            self._shutdown(container)

    def _serve(self, container: Container) -> None:
        last_tick = 0.0
        while not self._stopping.is_set():
            container.process()
            if time.monotonic() - last_tick >= TICK_SECONDS:
                last_tick = time.monotonic()
                with self._lock:
                    try:
                        self._handler.tick()
                    except Exception:
                        logger.exception("broker: housekeeping failed")

    def _shutdown(self, container: Container) -> None:
        with self._lock:
            connections = list(self._handler.connections)
            for connection in connections:
                if connection.state & Endpoint.LOCAL_ACTIVE:
                    connection.close()
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        while self._handler.connections and time.monotonic() < deadline:
            container.process()  # lets the close frames go out; clients answer or the grace ends
        for connection in connections:
            transport = connection.transport
            if transport is not None:
                transport.close_head()
                transport.close_tail()
        container.stop()
        container.process()
