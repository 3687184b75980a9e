"""Cost collector: Cost Management at subscription scope, AmortizedCost, daily by ResourceId + MeterCategory.

The last `history_days` days (COST_HISTORY_DAYS, passed in by the composition root) up to yesterday are read
one calendar month per query (each window valid for Daily data and costing 1 QPU), every page (the SDK does
not page: the nextLink is POSTed with the same body). Each request first takes its QPU from the tenant's
shared budget; a 429 blocks the tenant for its retry-after.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import Any

from azure.core.exceptions import HttpResponseError
from azure.core.rest import HttpRequest
from azure.mgmt.costmanagement import CostManagementClient

from shared.arm import cost_management_client
from shared.collectors import Collected, CollectRequest
from shared.collectors.cost_errors import classify_cost_refusal
from shared.collectors.errors import arm_error_code, with_throttle_retry
from shared.collectors.quota import QpuLedger
from shared.errors import NotCollectable, TransientError

logger = logging.getLogger(__name__)

API_VERSION = "2025-03-01"
COST_TYPE = "AmortizedCost"
MAX_PAGES = 1000  # fail closed on a service that never stops paging
# One collection must end inside the function timeout (10 min) and the message lock; past this it is handed
# back to Service Bus (Throttled) rather than killed mid-write.
MAX_SECONDS = 480.0


def month_windows(today: dt.date, days: int) -> list[tuple[dt.date, dt.date]]:
    """Calendar-month windows covering the `days` days that end yesterday, oldest first."""
    end = today - dt.timedelta(days=1)
    start = end - dt.timedelta(days=days - 1)
    windows = []
    while start <= end:
        next_month = (start.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        last = min(end, next_month - dt.timedelta(days=1))
        windows.append((start, last))
        start = last + dt.timedelta(days=1)
    return windows


def query_body(start: dt.date, end: dt.date, cost_column: str) -> dict[str, Any]:
    """The Query_Usage body for one window (Daily, grouped by ResourceId and MeterCategory)."""
    return {
        "type": COST_TYPE,
        "timeframe": "Custom",
        "timePeriod": {"from": f"{start.isoformat()}T00:00:00Z", "to": f"{end.isoformat()}T23:59:59Z"},
        "dataset": {
            "granularity": "Daily",
            "aggregation": {"totalCost": {"name": cost_column, "function": "Sum"}},
            "grouping": [{"type": "Dimension", "name": "ResourceId"},
                         {"type": "Dimension", "name": "MeterCategory"}],
        },
    }


def _cost_column_refused(exc: BaseException) -> bool:
    """A 400 saying the Cost aggregation column is not valid for this agreement (PreTaxCost then is).

    No Microsoft document gives this refusal's code or text (audit M5: a guess kept as a fallback), so the match
    is on the message, and the code Azure sent is logged when it fires: the first real refusal tells us its shape.
    """
    status = getattr(getattr(exc, "response", None), "status_code", None)
    text = str(exc).lower()
    return isinstance(exc, HttpResponseError) and status == 400 and "cost" in text and "valid" in text


class _Window:
    """Reads every page of one window through the SDK client, with the budget and the 429 loop."""

    def __init__(self, client: CostManagementClient, scope: str, tenant_id: str, budget: QpuLedger,
                 sleep: Callable[[float], None], clock: Callable[[], float], deadline: float) -> None:
        self.client, self.scope, self.tenant_id, self.budget, self.sleep = client, scope, tenant_id, budget, sleep
        self.clock, self.deadline = clock, deadline

    def _page(self, body: dict[str, Any], next_link: str | None) -> dict[str, Any] | None:
        def call() -> dict[str, Any] | None:
            if self.clock() > self.deadline:
                raise TransientError("cost collection ran past its time budget")
            self.budget.acquire(self.tenant_id, 1, deadline=self.deadline)
            try:
                return self._ask(body, next_link)
            except HttpResponseError as exc:
                # Cost Management's own refusals are this subscription's, read by code (audit B5).
                status = getattr(getattr(exc, "response", None), "status_code", None) or 0
                refused = classify_cost_refusal(status, arm_error_code(exc))
                if refused is not None:
                    raise refused from exc
                raise

        return with_throttle_retry(call, "cost query", sleep=self.sleep,
                                   on_throttle=lambda s: self.budget.block(self.tenant_id, s))

    def _ask(self, body: dict[str, Any], next_link: str | None) -> dict[str, Any] | None:
        """One page: the query itself, or the POST to its nextLink (None when the service answers 204)."""
        if next_link is None:
            result = self.client.query.usage(self.scope, body)  # type: ignore[call-overload]
            return None if result is None else dict(result.get("properties") or {})
        response = self.client.send_request(HttpRequest("POST", next_link, json=body))
        if response.status_code == 204:
            return None
        response.raise_for_status()
        return dict(response.json().get("properties") or {})

    def read(self, body: dict[str, Any]) -> tuple[list[dict[str, Any]], list[list[Any]]]:
        """Columns and rows of every page of the window (nothing for 204)."""
        columns: list[dict[str, Any]] = []
        rows: list[list[Any]] = []
        page = self._page(body, None)
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            if page is None:
                return columns, rows
            page_columns = [{"name": c["name"], "type": c.get("type")} for c in page.get("columns") or []]
            columns = columns or page_columns
            rows.extend(_reorder(page.get("rows") or [], page_columns, columns))
            next_link = page.get("nextLink")
            if not next_link:
                return columns, rows
            if next_link in seen:
                raise NotCollectable("cost query: the service repeated a page link")
            seen.add(next_link)
            page = self._page(body, next_link)
        raise NotCollectable("cost query: too many pages")


def _reorder(rows: list[list[Any]], have: list[dict[str, Any]], want: list[dict[str, Any]]) -> list[list[Any]]:
    """Rows in the column order of `want`, mapped by name (pages and windows may order columns differently)."""
    names = [c["name"] for c in have]
    target = [c["name"] for c in want]
    if names == target:
        return [list(r) for r in rows]
    if set(names) != set(target):
        raise NotCollectable("cost query: the columns changed between pages")
    index = [names.index(n) for n in target]
    return [[r[i] for i in index] for r in rows]


def _read_windows(reader: _Window, windows: list[tuple[dt.date, dt.date]],
                  cost_column: str) -> tuple[list[dict[str, Any]], list[list[Any]]]:
    columns: list[dict[str, Any]] = []
    rows: list[list[Any]] = []
    for start, end in windows:
        page_columns, page_rows = reader.read(query_body(start, end, cost_column))
        if page_columns:
            rows.extend(_reorder(page_rows, page_columns, columns or page_columns))
            columns = columns or page_columns
    return columns, rows


def collect(request: CollectRequest, *, history_days: int, budget: QpuLedger,
            client: CostManagementClient | None = None, sleep: Callable[[float], None] = time.sleep,
            today: dt.date | None = None, clock: Callable[[], float] = time.time,
            max_seconds: float = MAX_SECONDS, now: Callable[[], dt.datetime] | None = None) -> Collected:
    """Read the subscription's daily amortized cost of the last `history_days` days; every window, every page.

    `budget` is the tenant QPU ledger every instance shares (one per worker, built by shared.services); the
    days end the day before `today`, else before `now()` (the composition root's clock), else the UTC date.
    """
    client = client or cost_management_client(request.credential)
    scope = f"/subscriptions/{request.subscription_id}"
    reader = _Window(client, scope, request.tenant_id, budget, sleep, clock, clock() + max_seconds)
    windows = month_windows(today or (now() if now else dt.datetime.now(dt.UTC)).date(), history_days)
    try:
        columns, rows = _read_windows(reader, windows, "Cost")
    except NotCollectable as exc:
        refusal = exc.__cause__ or exc
        if not _cost_column_refused(refusal):
            raise
        logger.warning("cost column refused for this agreement (HTTP 400, code %s): reading PreTaxCost",
                       arm_error_code(refusal) or "none")
        columns, rows = _read_windows(reader, windows, "PreTaxCost")
    names = [c["name"] for c in columns]
    currency = str(rows[0][names.index("Currency")]) if rows and "Currency" in names else ""
    data = {"type": COST_TYPE, "granularity": "Daily", "currency": currency,
            "window": {"from": windows[0][0].isoformat(), "to": windows[-1][1].isoformat()},
            "columns": columns, "rows": rows}
    return Collected(data=data, row_count=len(rows), api_versions={"costmanagement": API_VERSION})
