"""A fake ARM for collector tests: an azure-core transport that answers from a plain routing function."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests
from azure.core.credentials import AccessToken
from azure.core.pipeline._tools import is_rest
from azure.core.pipeline.transport import RequestsTransport, RequestsTransportResponse
from azure.core.rest._requests_basic import RestRequestsTransportResponse
from requests.structures import CaseInsensitiveDict


@dataclass
class Reply:
    """What the fake answers: status, JSON body (None for no body) and headers."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Seen:
    """One request the fake received."""

    method: str
    url: str
    body: Any


class FakeArm(RequestsTransport):  # type: ignore[misc]
    """Routes every request to `handler(seen) -> Reply` and records it; nothing leaves the process."""

    def __init__(self, handler: Callable[[Seen], Reply]) -> None:
        super().__init__()
        self.handler = handler
        self.requests: list[Seen] = []

    def send(self, request: Any, **kwargs: Any) -> RequestsTransportResponse:  # type: ignore[override]
        raw = request.data if request.data is not None else getattr(request, "content", None)
        if raw is not None and hasattr(raw, "getvalue"):
            raw = raw.getvalue()
        if isinstance(raw, bytes | bytearray):
            raw = raw.decode("utf-8")
        body = json.loads(raw) if isinstance(raw, str) and raw else raw
        seen = Seen(request.method, request.url, body)
        self.requests.append(seen)
        reply = self.handler(seen)
        response = requests.Response()
        response.status_code = reply.status
        response.raw = io.BytesIO(b"" if reply.body is None else json.dumps(reply.body).encode("utf-8"))
        response.headers = CaseInsensitiveDict({"content-type": "application/json", **reply.headers})
        response.url = request.url
        response.reason = "fake"
        wrapped = RequestsTransportResponse(request, response)
        if is_rest(request):
            rest = RestRequestsTransportResponse(request=request, internal_response=response)
            rest.read()
            return rest  # type: ignore[return-value]
        return wrapped


class FakeCredential:
    """A TokenCredential that always has a token (the fake ARM does not check it)."""

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken("fake-token", 4102444800)
