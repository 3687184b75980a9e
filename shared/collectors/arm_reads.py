"""Single ARM GETs for configuration Resource Graph does not index: each read ends in a status, never a failed task.

Every request runs through a product ARM client's pipeline (shared/arm.py: ReadOnlyArmPolicy, which lets GETs
through, and azure-mgmt-core's provider-registration policy), with the SDK's own retries turned off so that waits
are this module's, bounded and testable. ARM limits plain reads per principal and subscription with a token bucket
of 250 refilled at 25 a second (learn.microsoft.com/azure/azure-resource-manager/management/
request-limits-and-throttling, "Regional throttling and token bucket algorithm"), shared with every other task of the
scan. So the reader:

- paces itself when `x-ms-ratelimit-remaining-subscription-reads` falls below a reserve it leaves to the others;
- waits out a 429 as its Retry-After says (bounded attempts and seconds), and 5xx/408 and dropped connections a
  little, then gives up on that read with its status;
- stops at a deadline (the function's timeout must hold): a read not made is unknown to the analysis, never "none";
- counts calls and 429s, so the bench and the logs see what a scan costs.

A 409 MissingSubscriptionRegistration, whose registration POST ReadOnlyArmPolicy refuses (audit S5), is a status
like any other here. Only a refused sign-in raises: it is the tenant refusing us, not one read failing.
"""

from __future__ import annotations

import logging
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from azure.core.exceptions import ClientAuthenticationError, ServiceRequestError, ServiceResponseError
from azure.core.rest import HttpRequest, HttpResponse

from shared.arm import ProviderRegistrationRefused
from shared.collectors.errors import classify, retry_after

logger = logging.getLogger(__name__)

REFILL_PER_SECOND = 25.0  # ARM's documented refill of the subscription-reads bucket
RESERVE = 25  # reads left in the bucket for the scan's other tasks (Advisor pages, cost configuration)
MAX_ATTEMPTS = 4
MAX_WAIT_SECONDS = 30.0
MAX_PAGES = 100
_RETRIED = frozenset({408, 500, 502, 503, 504})


class Sender(Protocol):
    """Sends one request through an ARM client's pipeline (a generated client's `send_request`)."""

    def __call__(self, request: HttpRequest, **kwargs: Any) -> HttpResponse: ...


@dataclass(frozen=True)
class Answer:
    """One read's outcome: the HTTP status (None: no answer, e.g. the deadline passed), body and error code."""

    status: int | None
    body: Any = None
    code: str | None = None

    @property
    def ok(self) -> bool:
        """A 2xx answer."""
        return self.status is not None and 200 <= self.status < 300

    def reason(self) -> str:
        """A plain reason for a failed read (status and ARM's error code; never the message, which holds ids)."""
        if self.status is None:
            return f"not read ({self.code or 'no answer'})"
        return f"not read (HTTP {self.status}{' ' + self.code if self.code else ''})"


class ArmReader:
    """GETs through one ARM pipeline, paced, bounded and counted; safe to share between threads."""

    def __init__(self, send: Sender, *, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic, budget_s: float = 300.0,
                 refill_per_s: float = REFILL_PER_SECOND, reserve: int = RESERVE) -> None:
        self._send, self._sleep, self._clock = send, sleep, clock
        self._deadline = clock() + budget_s
        self._refill, self._reserve = refill_per_s, reserve
        self._lock = threading.Lock()
        self._host = ""
        self.calls = self.throttled = 0

    def stats(self) -> dict[str, int]:
        """Calls made and 429s met so far."""
        with self._lock:
            return {"calls": self.calls, "throttled": self.throttled}

    def get(self, path: str, api_version: str, **params: str) -> Answer:
        """One GET of `path` (relative to the client's ARM endpoint) with its api-version and query parameters."""
        query = urllib.parse.urlencode({"api-version": api_version, **params}, quote_via=urllib.parse.quote)
        return self._read(f"{path}?{query}")

    def list(self, path: str, api_version: str, **params: str) -> Answer:
        """Every `value` item of a list, following nextLink on the same host; the first failed page decides."""
        answer = self.get(path, api_version, **params)
        items: list[Any] = []
        for _ in range(MAX_PAGES):
            if not answer.ok:
                return answer
            body = answer.body if isinstance(answer.body, dict) else {}
            items.extend(v for v in body.get("value") or [] if isinstance(v, dict))
            link = body.get("nextLink")
            if not link:
                return Answer(answer.status, items)
            if not self._on_arm(str(link)):
                return Answer(None, code="nextLink to another host")
            answer = self._read(str(link))
        return Answer(None, code="too many pages")

    def _on_arm(self, link: str) -> bool:
        """Whether a nextLink stays on the HTTPS host this reader's requests went to: never send our token elsewhere."""
        parsed = urllib.parse.urlparse(link)
        return parsed.scheme == "https" and parsed.netloc.lower() == self._host and not parsed.username

    def _read(self, url: str) -> Answer:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            if self._clock() >= self._deadline:
                return Answer(None, code="time budget spent")
            try:
                response = self._send(HttpRequest("GET", url), retry_total=0)
            except ProviderRegistrationRefused:
                return Answer(409, code="MissingSubscriptionRegistration")
            except ClientAuthenticationError as exc:
                raise classify(exc, "ARM configuration read") from exc
            except (ServiceRequestError, ServiceResponseError) as exc:
                if attempt == MAX_ATTEMPTS:
                    return Answer(None, code=f"connection failed ({type(exc).__name__})")
                self._wait(float(attempt))
                continue
            with self._lock:
                self.calls += 1
                self.throttled += response.status_code == 429
                self._host = self._host or urllib.parse.urlparse(response.request.url).netloc.lower()
            self._pace(response.headers)
            if response.status_code == 429 and attempt < MAX_ATTEMPTS:
                self._wait(min(retry_after(response.headers), MAX_WAIT_SECONDS))
                continue
            if response.status_code in _RETRIED and attempt < MAX_ATTEMPTS:
                self._wait(float(attempt))
                continue
            return _answer(response)
        raise AssertionError("unreachable")  # pragma: no cover

    def _pace(self, headers: Any) -> None:
        """Below the reserve, wait for the bucket to earn back what this reader has taken of it."""
        try:
            remaining = int(headers.get("x-ms-ratelimit-remaining-subscription-reads", ""))
        except ValueError:
            return
        if remaining < self._reserve:
            self._wait((self._reserve - remaining) / self._refill)

    def _wait(self, seconds: float) -> None:
        seconds = min(seconds, max(0.0, self._deadline - self._clock()))
        if seconds > 0:
            self._sleep(seconds)


def _answer(response: HttpResponse) -> Answer:
    try:
        body = response.json() if response.text() else None
    except ValueError:
        body = None
    code = None
    if response.status_code >= 400 and isinstance(body, dict):
        code = str((body.get("error") or {}).get("code") or "") or None
    return Answer(response.status_code, body, code)
