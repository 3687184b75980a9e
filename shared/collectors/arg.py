"""Resource Graph queries that return every row or fail: skip-token paging, quota headers and 429s.

The SDK's request model drops options it does not know (authorizationScopeFilter), so the body is sent as
JSON bytes. A page that cannot be continued (truncated, or a missing or repeated skip token) raises rather
than returning part of the answer: a review built on half the inventory would mislead. Failures and 429s go
through shared/collectors/errors.py, the one translator of SDK errors.

A page too large for the service (rows with big `properties` at 1,000 a page) answers 400 with detail code
ResponsePayloadTooLarge, "Response payload size is N, and has exceeded the limit of 16777216. Please consider
querying less data at a time and make paginated call if needed." Microsoft's Resource Graph documentation does not
list it; it is seen in captured answers (microsoft/ARI#199 and Azure/cosmos-explorer#1877 in 2024, 16 MiB;
microsoft/ARI#3 in 2020, 12 MiB). The same page is asked again with half the `$top`, and later pages keep the
smaller size (first-deploy audit M7).

Subscriptions go in batches of SUBSCRIPTION_BATCH. Resource Graph answers 403 for a batch whose subscriptions
are all unreadable, so one such batch means "these are not visible", not "the principal is refused": the other
batches are still queried (security finding 6). Only when every batch is refused does `query_all` raise.
With a `Deadline`, throttling waits are capped to the time left and batches not reached in time are reported
as unfinished instead of overrunning the caller (first-deploy audit S8).

With `turns` (shared/collectors/graph_turns.py), every request first takes the principal's turn, shared with the
other tasks querying as it, and a 429 holds them all back; the quota headers are still honoured after each page.
"""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from azure.core.exceptions import HttpResponseError
from azure.mgmt.resourcegraph import ResourceGraphClient

from shared.collectors.errors import classify, header_seconds, with_throttle_retry
from shared.deadline import DEADLINE_MARGIN_SECONDS, Deadline
from shared.errors import AccessDenied, CaletaError, IncompleteResults, NotCollectable, Throttled, TransientError

logger = logging.getLogger(__name__)

MAX_PAGE_SIZE = 1000
# Resource Graph takes a bounded list of subscriptions per request; larger sets are queried in batches.
SUBSCRIPTION_BATCH = 300
MAX_THROTTLED_ATTEMPTS = 5
MAX_WAIT_SECONDS = 60.0

PAYLOAD_TOO_LARGE = "ResponsePayloadTooLarge"

Sleep = Callable[[float], None]


class Turns(Protocol):
    """A principal's query quota shared with other tasks: a turn before each request, its outcome after."""

    def take(self, max_wait: float) -> None:
        """Wait for a turn (Throttled when it is further off than `max_wait` seconds)."""

    def answered(self) -> None:
        """The request of the last turn was answered or failed."""

    def throttled(self, seconds: float) -> None:
        """The service answered 429: every task waits `seconds`."""


class _PageTooLarge(CaletaError):
    """Resource Graph refused to send a page this large: ask again for fewer rows."""


def _too_large(exc: HttpResponseError) -> bool:
    """Whether a refusal is the service's response-size limit (its detail code; the message text is not read)."""
    if exc.response is None:
        return False
    try:
        error = json.loads(exc.response.text()).get("error") or {}
        details = error.get("details") or []
    except (ValueError, AttributeError):
        return False
    codes = [error.get("code"), *[d.get("code") for d in details if isinstance(d, dict)]]
    return PAYLOAD_TOO_LARGE in codes


class SubscriptionsRefused(AccessDenied):
    """Resource Graph refused a batch (403): none of its subscriptions is readable by the principal."""


@dataclass
class Batched:
    """Rows of every batch answered in full, and the subscriptions of batches refused or not reached in time."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    unfinished: list[str] = field(default_factory=list)


def _keeper(captured: dict[str, Any]) -> Callable[[Any, Any, Any], None]:
    """A `cls` callback that keeps the raw JSON (skip token, truncation flag) and the quota headers."""

    def keep(pipeline_response: Any, _deserialized: Any, _headers: Any) -> None:
        response = pipeline_response.http_response
        captured["json"] = response.json()
        captured["headers"] = response.headers

    return keep


def _max_wait(deadline: Deadline | None) -> float:
    if deadline is None:
        return MAX_WAIT_SECONDS
    return max(0.0, min(MAX_WAIT_SECONDS, deadline.remaining() - DEADLINE_MARGIN_SECONDS))


def _page(client: ResourceGraphClient, body: dict[str, Any], sleep: Sleep,
          deadline: Deadline | None = None, turns: Turns | None = None) -> dict[str, Any]:
    """One page, waiting out 429s (within the deadline); refusals and server trouble raise as product errors."""
    captured: dict[str, Any] = {}
    limits: dict[str, Any] = {}

    def call() -> None:
        captured.clear()
        if deadline is not None:
            # azure-core would sleep a whole Retry-After before a retry, whatever the deadline: under one, this
            # loop alone waits out 429s (capped), and the call itself may not outlast the time left.
            left = max(DEADLINE_MARGIN_SECONDS, deadline.remaining())
            limits.update(retry_total=0, timeout=left, read_timeout=left)
        if turns is not None:
            turns.take(_max_wait(deadline))
        try:
            client.resources(io.BytesIO(json.dumps(body).encode("utf-8")), content_type="application/json",
                             cls=_keeper(captured), **limits)
        except HttpResponseError as exc:
            if exc.status_code == 400 and _too_large(exc):
                raise _PageTooLarge("Resource Graph page too large") from exc
            if exc.status_code == 403:
                mapped = classify(exc, "Resource Graph query")
                raise SubscriptionsRefused(str(mapped), getattr(mapped, "code", None)) from exc
            raise
        finally:
            if turns is not None:
                turns.answered()

    with_throttle_retry(call, "Resource Graph query", max_attempts=MAX_THROTTLED_ATTEMPTS,
                        max_wait=_max_wait(deadline), sleep=sleep,
                        on_throttle=turns.throttled if turns is not None else None)
    _respect_quota(captured["headers"], sleep, _max_wait(deadline))
    page = captured["json"]
    if not isinstance(page, dict):
        raise IncompleteResults("Resource Graph answered with something other than an object")
    return page


def _respect_quota(headers: Any, sleep: Sleep, max_wait: float = MAX_WAIT_SECONDS) -> None:
    """When the window's quota is spent, wait for it to reset before the next request (at most `max_wait`)."""
    remaining = headers.get("x-ms-user-quota-remaining")
    if remaining is None:
        return
    try:
        left = int(remaining)
    except ValueError:
        return
    if left <= 0:
        reset = headers.get("x-ms-user-quota-resets-after")
        wait = min((header_seconds("x-ms-user-quota-resets-after", reset) if reset else None) or 1.0,
                   max_wait)
        logger.info("resource graph quota spent; waiting %.1fs for the reset", wait)
        sleep(wait)


def _rows(page: dict[str, Any]) -> list[dict[str, Any]]:
    data = page.get("data")
    if data is None:
        return []
    if isinstance(data, list):
        return [row for row in data if isinstance(row, dict)]
    if isinstance(data, dict) and "columns" in data:
        names = [c["name"] for c in data["columns"]]
        return [dict(zip(names, row, strict=False)) for row in data.get("rows", [])]
    raise IncompleteResults("Resource Graph data is neither rows nor a table")


def _batches(subscriptions: list[str]) -> list[list[str]]:
    return [subscriptions[i : i + SUBSCRIPTION_BATCH] for i in range(0, len(subscriptions), SUBSCRIPTION_BATCH)]


def query_batched(client: ResourceGraphClient, query: str, subscriptions: list[str], *,
                  page_size: int = MAX_PAGE_SIZE, scope_filter: str | None = None, sleep: Sleep = time.sleep,
                  deadline: Deadline | None = None) -> Batched:
    """Every row of `query` per batch of subscriptions; a refused (403) batch, or one not finished by the
    deadline, contributes no rows and is named instead. Any other failure raises."""
    out = Batched()
    for batch in _batches(subscriptions) or [[]]:
        if deadline is not None and deadline.passed:
            out.unfinished.extend(batch)
            continue
        try:
            out.rows.extend(_query_batch(client, query, batch, page_size, scope_filter, sleep, deadline, None))
        except SubscriptionsRefused:
            logger.info("resource graph refused a batch of %d subscriptions: none of them is readable", len(batch))
            out.refused.extend(batch)
        except TransientError as exc:  # throttled past the deadline, or a passing fault: checked again later
            if deadline is None:
                raise
            logger.info("resource graph batch not done before the deadline (%s): %d subscriptions left unchecked",
                        type(exc).__name__, len(batch))
            out.unfinished.extend(batch)
    return out


def query_all(client: ResourceGraphClient, query: str, subscriptions: list[str], *, page_size: int = MAX_PAGE_SIZE,
              scope_filter: str | None = None, sleep: Sleep = time.sleep,
              turns: Turns | None = None) -> list[dict[str, Any]]:
    """Every row of `query` over `subscriptions` (batched), following skip tokens; fails closed.

    A batch refused with 403 holds no readable subscription and is skipped; AccessDenied only when every batch
    was refused (the principal can read none of them).
    """
    batches = _batches(subscriptions) or [[]]
    rows: list[dict[str, Any]] = []
    refusal: SubscriptionsRefused | None = None
    answered = 0
    for batch in batches:
        try:
            rows.extend(_query_batch(client, query, batch, page_size, scope_filter, sleep, None, turns))
            answered += 1
        except SubscriptionsRefused as exc:
            refusal = refusal or exc
    if refusal is not None and not answered:
        raise refusal
    return rows


def _query_batch(client: ResourceGraphClient, query: str, subscriptions: list[str], page_size: int,
                 scope_filter: str | None, sleep: Sleep, deadline: Deadline | None,
                 turns: Turns | None) -> list[dict[str, Any]]:
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError("page_size must be 1..1000")
    options: dict[str, Any] = {"$top": page_size, "resultFormat": "objectArray"}
    if scope_filter:
        options["authorizationScopeFilter"] = scope_filter
    body: dict[str, Any] = {"query": query, "options": options}
    if subscriptions:
        body["subscriptions"] = subscriptions
    rows: list[dict[str, Any]] = []
    seen_tokens: set[str] = set()
    token: str | None = None
    while True:
        if deadline is not None and deadline.passed:
            raise Throttled("Resource Graph paging did not finish before the deadline", 0.0)
        try:
            page = _page(client, body, sleep, deadline, turns)
        except _PageTooLarge:
            options = _smaller_pages(options)
            body = {**body, "options": {**options, **({"$skipToken": token} if token else {})}}
            continue
        if str(page.get("resultTruncated", "false")).lower() == "true":
            raise IncompleteResults("Resource Graph truncated the result: the query cannot be paged")
        rows.extend(_rows(page))
        token = page.get("$skipToken") or page.get("skipToken")
        total = page.get("totalRecords")
        if not token:
            if isinstance(total, int) and len(rows) < total:
                raise IncompleteResults(f"Resource Graph returned {len(rows)} of {total} rows and no skip token")
            return rows
        if token in seen_tokens:
            raise IncompleteResults("Resource Graph repeated a skip token")
        seen_tokens.add(token)
        body = {**body, "options": {**options, "$skipToken": token}}


def _smaller_pages(options: dict[str, Any]) -> dict[str, Any]:
    """The same options with half the page size; a single row over the limit cannot be paged at all."""
    top = int(options["$top"])
    if top <= 1:
        raise NotCollectable("Resource Graph: one row is larger than the service's response limit")
    logger.info("resource graph page too large at $top=%d: asking for %d rows a page", top, top // 2)
    return {**options, "$top": top // 2}
