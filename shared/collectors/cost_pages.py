"""One page of one cost query: the tenant's turn first, then the POST, then the answer read or refused.

The first page is POSTed to the subscription's query endpoint and every next page to the `nextLink` the service
returned, with the same body (the SDK does not page). A link that leaves the subscription's query endpoint on the
ARM host is refused before the request leaves (the token must not follow it) and is not collectable; a link the
service itself later refuses restarts its step. The units Azure reports consumed settle the ledger's grant.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from azure.core.exceptions import ServiceRequestError, ServiceResponseError
from azure.core.rest import HttpRequest, HttpResponse
from azure.mgmt.costmanagement import CostManagementClient

from shared.collectors.cost_errors import classify_cost_refusal
from shared.collectors.cost_plan import Step
from shared.collectors.errors import SIGN_IN_REFUSED, TOKEN_REFUSED, retry_after
from shared.collectors.quota import QpuLedger
from shared.errors import AccessDenied, Deferred, NotCollectable, Throttled, TransientError

logger = logging.getLogger(__name__)

API_VERSION = "2025-03-01"
CONSUMED = "x-ms-ratelimit-microsoft.costmanagement-qpu-consumed"
MAX_THROTTLED = 4  # 429s in a row for one page before the task hands itself back for later
MAX_PAGES = 1000  # fail closed on a service that never stops paging
MAX_RESTARTS = 3  # a step whose next-page links are refused this often is not collectable


class LinkRejected(Exception):
    """The service refused a next-page link it had returned (expired or invalid): the step starts again."""


class ColumnRefused(Exception):
    """A 400 that reads as "the Cost column is not valid here" (PreTaxCost is then tried); `code` is logged."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Page:
    """One answer: its columns (by name), rows and the link to the next page (None on the last)."""

    columns: list[dict[str, Any]]
    rows: list[list[Any]]
    next_link: str | None


def query_path(subscription_id: str) -> str:
    """The subscription's query endpoint (the only place a cost POST may go)."""
    return f"/subscriptions/{subscription_id}/providers/Microsoft.CostManagement/query"


def check_link(link: str, subscription_id: str, arm_host: str) -> None:
    """NotCollectable unless `link` is https on the ARM host and on the subscription's query endpoint."""
    parts = urlsplit(link)
    path = parts.path.rstrip("/").lower()
    if parts.scheme != "https" or parts.netloc.lower() != arm_host.lower() \
            or path != query_path(subscription_id).lower():
        raise NotCollectable("Cost Management returned a next-page link outside this subscription's query "
                             "endpoint: the rest of its cost data was not read")


def _error_code(response: HttpResponse) -> tuple[str, str]:
    try:
        error = (response.json() or {}).get("error") or {}
        return str(error.get("code") or ""), str(error.get("message") or "")
    except ValueError:
        return "", ""


def column_refused(status: int, code: str, message: str) -> bool:
    """The undocumented guess (audit M5): a 400 whose text says the Cost column is not valid for the agreement."""
    text = f"{code} {message}".lower()
    return status == 400 and "cost" in text and "valid" in text


class CostReader:
    """Reads pages for one subscription, taking the tenant's turn (`budget`) before every request."""

    def __init__(self, client: CostManagementClient, subscription_id: str, tenant_id: str, budget: QpuLedger,
                 owner: str, arm_host: str, *, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.time, deadline: float, inline_wait: float) -> None:
        self.client, self.subscription_id, self.tenant_id = client, subscription_id, tenant_id
        self.budget, self.owner, self.arm_host = budget, owner, arm_host
        self.sleep, self.clock, self.deadline, self.inline_wait = sleep, clock, deadline, inline_wait

    def _turn(self, qpu: int) -> None:
        """Wait for the tenant's turn in-process when it is near, else hand the task back until then."""
        while True:
            if self.clock() >= self.deadline:
                raise Deferred("this delivery's time is used up", 0.0)
            wait = self.budget.reserve(self.tenant_id, qpu, owner=self.owner)
            if wait <= 0:
                return
            if wait > self.inline_wait or self.clock() + wait >= self.deadline:
                raise Deferred("waiting for the tenant's Cost Management budget", wait)
            self.sleep(wait)

    def page(self, step: Step, cost_column: str, link: str | None) -> Page:
        """One page of `step` (the first when `link` is None)."""
        if link is not None:
            check_link(link, self.subscription_id, self.arm_host)
        url = link or f"{query_path(self.subscription_id)}?api-version={API_VERSION}"
        for _ in range(MAX_THROTTLED):
            self._turn(step.qpu)
            try:
                response = self.client.send_request(HttpRequest("POST", url, json=step.body(cost_column)))
            except (ServiceRequestError, ServiceResponseError) as exc:
                self.budget.settle(self.tenant_id, self.owner)
                raise TransientError(f"cost query: connection failed ({type(exc).__name__})") from exc
            consumed = str(response.headers.get(CONSUMED) or "")
            self.budget.settle(self.tenant_id, self.owner, int(consumed) if consumed.isdigit() else None)
            if response.status_code != 429:
                return self._read(response, link)
            wait = retry_after(dict(response.headers))
            self.budget.block(self.tenant_id, wait + random.uniform(0.0, 0.25))
            logger.info("cost query throttled: the tenant waits %.1f s", wait)
        raise Throttled("cost query throttled repeatedly", retry_after(dict(response.headers)))

    def _read(self, response: HttpResponse, link: str | None) -> Page:
        status = response.status_code
        if status == 204:
            return Page([], [], None)
        if status < 400:
            props = dict((response.json() or {}).get("properties") or {})
            columns = [{"name": c["name"], "type": c.get("type")} for c in props.get("columns") or []]
            return Page(columns, [list(r) for r in props.get("rows") or []], props.get("nextLink") or None)
        code, message = _error_code(response)
        if link is not None and status in (400, 404, 410):
            raise LinkRejected(f"HTTP {status} {code}")
        if column_refused(status, code, message):
            raise ColumnRefused(code or str(status))
        if status == 401 and code in TOKEN_REFUSED:
            raise AccessDenied(f"cost query: the tenant no longer accepts the principal's token (HTTP 401 {code})",
                               code=SIGN_IN_REFUSED)
        refused = classify_cost_refusal(status, code)
        if refused is not None:
            raise refused
        if status in (401, 403):
            raise AccessDenied(f"cost query: access denied for this subscription (HTTP {status} {code})", code=code)
        if status >= 500 or status == 408:
            raise TransientError(f"cost query: HTTP {status}")
        raise NotCollectable(f"cost query refused (HTTP {status} {code})")


def read_step(reader: CostReader, step: Step, c: dict[str, Any], keep: Callable[[str, dict[str, Any]], None],
              save: Callable[[], None]) -> None:
    """Read `step` from the cursor `c` on to its last page, keeping each page and saving the cursor after it."""
    if c["step"] != step.name:
        c.update(step=step.name, link=None, page=0, step_rows=0)
    while True:
        try:
            page = reader.page(step, c["column"], c["link"])
        except LinkRejected as exc:
            c["restarts"] += 1
            if c["restarts"] > MAX_RESTARTS:
                raise NotCollectable("Cost Management kept refusing its own next-page links") from exc
            logger.warning("cost: a next-page link was refused (%s): step %s starts again", exc, step.name)
            c.update(link=None, page=0, step_rows=0)
            save()
            continue
        except ColumnRefused as exc:
            if c["column"] != "Cost":
                raise NotCollectable(f"cost query refused both cost columns ({exc.code})") from exc
            logger.warning("cost column refused for this agreement (code %s): reading PreTaxCost", exc.code)
            c.update(column="PreTaxCost", link=None, page=0, step_rows=0)
            save()
            continue
        keep(f"{step.name}.{c['page']}", {"columns": page.columns, "rows": page.rows})
        c["page"] += 1
        c["step_rows"] += len(page.rows)
        c["rows"] += len(page.rows)
        if page.next_link and (page.next_link == c["link"] or c["page"] >= MAX_PAGES):
            raise NotCollectable("cost query: the service repeated a page link or never stopped paging")
        if page.next_link:
            c["link"] = page.next_link
        else:
            c["done"][step.name] = {"pages": c["page"], "rows": c["step_rows"], "qpu": step.qpu}
            c.update(step=None, link=None, page=0, step_rows=0)
        save()
        if c["step"] is None:
            return
