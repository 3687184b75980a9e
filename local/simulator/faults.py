"""Injected faults: canned responses, latency and truncated bodies, matched by method and path regex; and holds.

A hold is a test hook, not an Azure behaviour: a request matching a route waits (before any handler runs) until
a control call releases the hold by name, or until its timeout. Tests use it to keep work in flight at a known
point (a collector waiting for its cost answer, an analysis waiting for the model) while something else happens,
deterministically and without long sleeps.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from local.simulator.http import Request, Response


@dataclass
class Fault:
    """One injection; `status` None means "let the real handler answer, then add latency/truncation"."""

    method: str
    path_regex: re.Pattern[str]
    status: int | None
    headers: dict[str, str]
    body: bytes
    times: int
    latency: float
    truncate: bool
    hold: str | None = None


@dataclass
class Hold:
    """A named gate: requests that meet it wait until it opens (or their timeout passes)."""

    timeout: float
    opened: threading.Event = field(default_factory=threading.Event)
    waiting: int = 0
    held: int = 0


def _body_bytes(body: Any, status: int | None) -> bytes:
    if body is None:
        if status is None or status < 400:
            return b""
        code = {429: "TooManyRequests", 500: "InternalServerError", 503: "ServiceUnavailable",
                504: "GatewayTimeout"}.get(status, "InjectedFault")
        return json.dumps({"error": {"code": code, "message": "Injected by the simulator."}}).encode()
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    return json.dumps(body).encode("utf-8")


class FaultTable:
    """The active injections, consumed first-in first-out."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._holds: dict[str, Hold] = {}
        self._lock = threading.Lock()

    def add(self, method: str, path_regex: str, *, status: int | None = None,
            headers: dict[str, str] | None = None, body: Any = None, times: int = 1,
            latency: float = 0.0, truncate: bool = False) -> None:
        """Register a fault for the next `times` matching requests."""
        with self._lock:
            self._faults.append(Fault(method.upper(), re.compile(path_regex), status, dict(headers or {}),
                                      _body_bytes(body, status), times, latency, truncate))

    def hold(self, method: str, path_regex: str, name: str, *, times: int = 1, timeout: float = 120.0) -> None:
        """Hold the next `times` matching requests until `release(name)` (each waits `timeout` s at most)."""
        with self._lock:
            self._holds[name] = Hold(timeout=timeout)
            self._faults.append(Fault(method.upper(), re.compile(path_regex), None, {}, b"", times, 0.0, False,
                                      hold=name))

    def release(self, name: str) -> int:
        """Open the hold: every request waiting on it (and any later one) goes on; how many were held so far."""
        with self._lock:
            gate = self._holds.get(name)
            if gate is None:
                raise ValueError(f"no hold named {name!r}")
            self._faults = [f for f in self._faults if f.hold != name]
        gate.opened.set()
        return gate.held

    def holds(self) -> dict[str, dict[str, int]]:
        """Per hold: requests waiting now, and requests held in all."""
        with self._lock:
            return {name: {"waiting": g.waiting, "held": g.held} for name, g in self._holds.items()}

    def take(self, req: Request) -> Fault | None:
        """The first fault matching the request, consuming one use of it (after waiting, for a hold)."""
        found: Fault | None = None
        gate: Hold | None = None
        with self._lock:
            for fault in self._faults:
                if fault.method in ("*", req.method) and fault.path_regex.search(req.path):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    found, gate = fault, self._holds.get(fault.hold or "")
                    if gate is not None:
                        gate.waiting += 1
                        gate.held += 1
                    break
        if gate is not None:
            gate.opened.wait(gate.timeout)  # outside the lock: other requests go on meanwhile
            with self._lock:
                gate.waiting -= 1
        return found

    def clear(self) -> None:
        """Remove every fault and open every hold."""
        with self._lock:
            self._faults.clear()
            gates = list(self._holds.values())
            self._holds.clear()
        for gate in gates:
            gate.opened.set()


def apply(fault: Fault, real: Response | None) -> Response:
    """The response to send: the canned one, or the real one with the fault's latency/truncation."""
    if fault.status is not None:
        headers = {"Content-Type": "application/json; charset=utf-8", **fault.headers}
        return Response(fault.status, fault.body, headers, truncate=fault.truncate, latency=fault.latency)
    assert real is not None
    real.headers.update(fault.headers)
    real.latency += fault.latency
    real.truncate = real.truncate or fault.truncate
    return real
