"""Injected faults: canned responses, latency and truncated bodies, matched by method and path regex."""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
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
        self._lock = threading.Lock()

    def add(self, method: str, path_regex: str, *, status: int | None = None,
            headers: dict[str, str] | None = None, body: Any = None, times: int = 1,
            latency: float = 0.0, truncate: bool = False) -> None:
        """Register a fault for the next `times` matching requests."""
        with self._lock:
            self._faults.append(Fault(method.upper(), re.compile(path_regex), status, dict(headers or {}),
                                      _body_bytes(body, status), times, latency, truncate))

    def take(self, req: Request) -> Fault | None:
        """The first fault matching the request, consuming one use of it."""
        with self._lock:
            for fault in self._faults:
                if fault.method in ("*", req.method) and fault.path_regex.search(req.path):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def clear(self) -> None:
        """Remove every fault."""
        with self._lock:
            self._faults.clear()


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
