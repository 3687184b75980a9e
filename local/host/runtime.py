"""The local Functions host: one FunctionApp's HTTP routes, Service Bus triggers and timers, started and stopped."""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from azure.functions.servicebus import ServiceBusMessage

from local.host.http import HostHTTPServer, new_admin_key
from local.host.index import FunctionSpec, index_functions, read_host_config
from local.host.servicebus import QueueTrigger, connection_string
from local.host.timers import TimerTrigger

logger = logging.getLogger(__name__)


class Host:
    """Runs a FunctionApp on this machine the way the Functions host runs it in Azure."""

    def __init__(self, app: Any, *, port: int = 0, host_json: Path = Path("host.json"),
                 env: Mapping[str, str] | None = None, admin_key: str | None = None, instances: int = 1) -> None:
        # The admin API's key (x-functions-key): given, or a fresh one for this run.
        self.admin_key = admin_key or new_admin_key()
        self.env = dict(os.environ if env is None else env)
        self.config = replace(read_host_config(host_json), instances=max(1, instances))
        self.functions: dict[str, FunctionSpec] = {s.name: s for s in index_functions(app, self.config, self.env)}
        self._in_flight = 0
        self._idle = threading.Condition()
        self.queue_triggers: dict[str, QueueTrigger] = {}
        self.timers: dict[str, TimerTrigger] = {}
        for spec in list(self.functions.values()):
            try:
                if spec.kind == "servicebus":
                    conn = connection_string(spec, self.env)
                    self.queue_triggers[spec.name] = QueueTrigger(spec, self.config, conn, self.track_call)
                elif spec.kind == "timer":
                    self.timers[spec.name] = TimerTrigger(spec, self.track_call)
                elif spec.kind == "other":
                    logger.warning("function %s: trigger %s is not supported locally; it will not run",
                                   spec.name, spec.binding.get("type"))
            except ValueError as exc:
                logger.error("function %s is in error and will not run: %s", spec.name, exc)
                del self.functions[spec.name]
        self.http = HostHTTPServer(port, list(self.functions.values()), self.invoke, self.admin_key,
                                    self.track_call)

    @property
    def port(self) -> int:
        """The HTTP port (known once constructed, also when 0 was asked for)."""
        return int(self.http.server_address[1])

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:PORT (the route prefix is part of each route)."""
        return f"http://127.0.0.1:{self.port}"

    @contextmanager
    def track_call(self) -> Iterator[None]:
        """Count an invocation as in flight, so stop() can wait for it."""
        with self._idle:
            self._in_flight += 1
        try:
            yield
        finally:
            with self._idle:
                self._in_flight -= 1
                self._idle.notify_all()

    def start(self) -> Host:
        """Serve HTTP, start every queue receiver and timer."""
        self.http.start()
        for trigger in self.queue_triggers.values():
            trigger.start()
        for timer in self.timers.values():
            timer.start()
        logger.info("host listening on %s: %d HTTP, %d Service Bus, %d timer function(s)", self.base_url,
                    sum(1 for s in self.functions.values() if s.kind == "http"), len(self.queue_triggers),
                    len(self.timers))
        return self

    def invoke(self, name: str, payload: Any) -> None:
        """The admin API: run a non-HTTP function now, in the background (KeyError/ValueError to refuse)."""
        spec = self.functions[name]
        if spec.kind == "http":
            raise ValueError(f"{name} is an HTTP function: call its route")
        if spec.kind == "timer" and name in self.timers:
            timer = self.timers[name]
            target: Any = timer.fire
        elif spec.kind == "servicebus":
            message = _admin_message(payload)
            def target() -> None:
                with self.track_call():
                    spec.call(message)
        else:
            raise ValueError(f"{name} cannot be invoked locally")
        threading.Thread(target=_logged, args=(name, target), name=f"admin-{name}", daemon=True).start()

    def stop(self, grace_seconds: float = 10.0) -> None:
        """Stop taking work, let in-flight calls finish (bounded), settle what finished, close everything."""
        self.http.stop()
        triggers: list[QueueTrigger | TimerTrigger] = [*self.queue_triggers.values(), *self.timers.values()]
        stoppers = [threading.Thread(target=t.stop, args=(grace_seconds,), daemon=True) for t in triggers]
        for thread in stoppers:
            thread.start()
        deadline = time.monotonic() + grace_seconds
        for thread in stoppers:
            thread.join(timeout=max(0.0, deadline - time.monotonic()) + 5)
        with self._idle:
            while self._in_flight and time.monotonic() < deadline:
                self._idle.wait(timeout=max(0.0, deadline - time.monotonic()))
            if self._in_flight:
                logger.warning("%d invocation(s) still running at shutdown", self._in_flight)
        logger.info("host stopped")


def _admin_message(payload: Any) -> ServiceBusMessage:
    body = payload if isinstance(payload, str) else ("" if payload is None else str(payload))
    return ServiceBusMessage(body=body.encode("utf-8"), message_id=uuid.uuid4().hex, application_properties={},
                             user_properties={}, delivery_count=1)


def _logged(name: str, target: Any) -> None:
    try:
        target()
    except Exception:
        logger.exception("function %s (admin invocation) failed", name)
