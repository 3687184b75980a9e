"""Transport-neutral request/response values and Azure-shaped error bodies used by every handler."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass(slots=True)
class Request:
    """One HTTP request as the handlers see it."""

    method: str
    target: str
    headers: dict[str, str]
    body: bytes
    client_ip: str = "127.0.0.1"
    path: str = ""
    query: dict[str, str] = field(default_factory=dict)
    # Filled by the ARM gate once the bearer token is checked.
    claims: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        parts = urlsplit(self.target)
        self.path = parts.path
        self.query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        self.headers = {k.lower(): v for k, v in self.headers.items()}

    def json(self) -> Any:
        """The body parsed as JSON ({} when empty)."""
        return json.loads(self.body) if self.body.strip() else {}

    def form(self) -> dict[str, str]:
        """The body parsed as application/x-www-form-urlencoded."""
        return {k: v[-1] for k, v in parse_qs(self.body.decode("utf-8"), keep_blank_values=True).items()}

    def q(self, name: str) -> str | None:
        """A query parameter, case-insensitively ($skipToken vs $skiptoken)."""
        wanted = name.lower()
        return next((v for k, v in self.query.items() if k.lower() == wanted), None)


@dataclass(slots=True)
class Response:
    """One HTTP response; `truncate` makes the server close the socket halfway through the body."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    truncate: bool = False
    latency: float = 0.0


def json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    """A JSON response."""
    return Response(status, json.dumps(payload).encode("utf-8"),
                    {"Content-Type": "application/json; charset=utf-8", **(headers or {})})


def arm_error(status: int, code: str, message: str, headers: dict[str, str] | None = None,
              details: list[dict[str, str]] | None = None) -> Response:
    """An ARM error body: {"error": {"code", "message"[, "details"]}}."""
    error: dict[str, Any] = {"code": code, "message": message}
    if details:
        error["details"] = details
    return json_response(status, {"error": error}, {"x-ms-request-id": str(uuid.uuid4()), **(headers or {})})


def support_message() -> str:
    """The 'Please provide below info' text Resource Graph puts in error messages."""
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return f"Please provide below info when asking for support: timestamp = {now}, correlationId = {uuid.uuid4()}."
