"""Cost collector: Cost Management at subscription scope, the steps of shared/collectors/cost_plan.py, checkpointed.

Each delivery reads pages while the tenant's turn comes soon enough and its time lasts; every page is kept as a
part and the cursor saved in the task's row, so a redelivery or a continuation resumes at the next page and never
reads a page it has written. When the turn is far off, or the scan's inventory or the other subscriptions' daily
totals are not ready, the collection raises Deferred and the pipeline schedules its continuation. A next-page
link the service refuses restarts that step; one outside the subscription's endpoint is not collectable at once.
The last delivery puts the envelope together (shared/collectors/cost_envelope.py).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from azure.mgmt.costmanagement import CostManagementClient

from shared.arm import cost_management_client
from shared.collectors import Collected, CollectRequest
from shared.collectors.cost_envelope import assemble, daily_summary
from shared.collectors.cost_pages import API_VERSION, CostReader, read_step
from shared.collectors.cost_plan import (
    DRIVER_SUBSCRIPTIONS,
    EVERY_DAY_MAX_PAGES,
    RESOURCE_DAYS,
    Step,
    Windows,
    capacity_step,
    common_steps,
    driver_steps,
    reads_every_day,
    resource_day_pages,
    resource_day_steps,
    series_steps,
    summary_steps,
    windows_for,
)
from shared.collectors.cost_state import CostProgress, MemoryProgress, SeriesNeeds
from shared.collectors.quota import QpuLedger, owner_key
from shared.config import get_settings
from shared.errors import Deferred

logger = logging.getLogger(__name__)

# One delivery ends well inside the function timeout (10 min) and the message lock; then it hands itself back.
MAX_SECONDS = 480.0
INLINE_WAIT_S = 30.0  # a turn nearer than this is slept through; a later one is a scheduled continuation
# How soon to look again for the inventory (the rules' dry run reads it) once the in-process look below has not
# found it, or for the other subscriptions' daily totals.
RECHECK_S = 30.0
INVENTORY_INLINE_S, INVENTORY_POLL_S = 5.0, 0.5  # how long, and how often, to look for the inventory in-process
WAIT_FOR_SCAN_S = 1800.0  # the longest a collection waits for them before it goes on without
CAPACITY_SUFFIX = "data stored"
EVERY_DAY, SUMMARY = "every_day", "summary"  # how a subscription's days are read (cost_plan.reads_every_day)


def _fresh() -> dict[str, Any]:
    return {"v": 1, "column": "Cost", "done": {}, "step": None, "link": None, "page": 0, "step_rows": 0, "rows": 0,
            "restarts": 0, "missing": {}, "waiting": {}}


class _Run:
    """One delivery's work on one subscription's cost collection."""

    def __init__(self, request: CollectRequest, w: Windows, progress: CostProgress, reader: CostReader,
                 clock: Callable[[], float], recheck: float, wait_for_scan: float, every_day_max_pages: int) -> None:
        self.request, self.w, self.progress, self.reader = request, w, progress, reader
        self.clock, self.recheck, self.wait_for_scan = clock, recheck, wait_for_scan
        self.every_day_max_pages = every_day_max_pages
        # A task deferred before its first page has only its continuation hop saved: start from a fresh cursor.
        self.cursor = {**_fresh(), **(progress.load() or {})}
        self._needs: dict[str, Any] | None = None

    def needs(self) -> dict[str, Any]:
        if self._needs is None:
            self._needs = self.progress.get_part("needs")
        return self._needs

    def plan(self) -> list[Step]:
        steps = common_steps(self.w)
        mode = self.cursor.get("mode")
        if mode == EVERY_DAY:
            steps += resource_day_steps(self.w)
        elif mode == SUMMARY:
            steps += summary_steps(self.w)
        if self.cursor.get("needs"):
            needs = SeriesNeeds.from_json(self.needs())
            if mode == SUMMARY:  # every resource's days already carry what the series would
                steps += series_steps(needs.requests, self.w)
            steps += capacity_step(needs.capacity_accounts, self.needs().get("capacity_meters") or [], self.w)
        if self.cursor.get("drivers") is not None:
            steps += driver_steps([dt.date.fromisoformat(d) for d in self.cursor["drivers"]], self.w)
        return steps

    def save(self, total: int | None = None) -> None:
        if total is not None:
            self.cursor["total"] = total
        self.progress.save(self.cursor)

    def partial(self) -> dict[str, Any]:
        return assemble(self.plan(), self.cursor["done"], self.progress.get_part, self.w)

    def wait_or_give_up(self, what: str) -> bool:
        """Defer (saving when this wait began) until the scan answers; True once the wait has lasted too long."""
        began = self.cursor["waiting"].setdefault(what, self.clock())
        if self.clock() - began >= self.wait_for_scan:
            return True
        self.save()
        raise Deferred(f"cost collection waits for the scan's {what}", self.recheck)

    def inventory_needs(self, partial: dict[str, Any]) -> SeriesNeeds:
        """The dry run's answer over the inventory, waiting for it (at most WAIT_FOR_SCAN_S) when not final."""
        needs = self.progress.needs(partial)
        # A cost task often starts beside its subscription's inventory task, a second or two from done: wait for it
        # here a little rather than hand the task back for RECHECK_S.
        waited, most = 0.0, min(self.reader.inline_wait, INVENTORY_INLINE_S)
        while needs is None and waited < most:
            self.reader.sleep(INVENTORY_POLL_S)
            waited += INVENTORY_POLL_S
            needs = self.progress.needs(partial)
        if needs is None and self.wait_or_give_up("inventory"):
            needs = self.progress.needs(partial, final=True) or SeriesNeeds()
            needs.missing.setdefault("series", "the subscription's inventory was not ready in time")
        assert needs is not None
        return needs

    def choose_mode(self) -> None:
        """Read every resource's days (C1) where that is cheap enough, else the summary steps; T's rows (each a
        resource and meter category billed in the savings window) size C1, so no wait for the inventory."""
        pairs = int(self.cursor["done"]["totals"]["rows"])
        if reads_every_day(pairs, self.w, self.request.scan_subscriptions, self.every_day_max_pages):
            self.cursor["mode"] = EVERY_DAY
        else:
            self.cursor["mode"] = SUMMARY
            self.cursor["missing"][RESOURCE_DAYS] = (
                f"every resource's daily cost was not read (about {resource_day_pages(pairs, self.w)} pages of Cost "
                "Management queries), so the checks and trends that read a resource's daily cost (movers, new and "
                "stopped costs, drivers of shifts, run rates, week-on-week growth) leave its resources out, and an "
                f"anomalous day's drivers are looked for here only when it is one of the {DRIVER_SUBSCRIPTIONS} "
                "subscriptions whose spend moved most that day")
        self.save(len(self.plan()))

    def plan_needs(self) -> None:
        partial = self.partial()
        needs = self.inventory_needs(partial)
        accounts = set(needs.capacity_accounts)
        meters = partial["sections"].get("meters") or {"columns": [], "rows": []}
        names = [c["name"] for c in meters["columns"]]
        found: set[str] = set()
        if "ResourceId" in names and "Meter" in names:
            rid_at, meter_at = names.index("ResourceId"), names.index("Meter")
            found = {str(r[meter_at]) for r in meters["rows"] if str(r[rid_at] or "").lower() in accounts
                     and str(r[meter_at] or "").lower().endswith(CAPACITY_SUFFIX)}
        self.progress.put_part("needs", {**needs.to_json(), "capacity_meters": sorted(found)})
        self.cursor["missing"].update(needs.missing)
        self.cursor["needs"] = True
        self._needs = None
        self.save(len(self.plan()))

    def plan_drivers(self) -> None:
        days = self.progress.anomaly_days(self.partial())
        if days is None and self.wait_or_give_up("daily totals"):
            days = []
            self.cursor["missing"]["anomaly_days"] = "other subscriptions' daily totals were not ready in time"
        self.cursor["drivers"] = [d.isoformat() for d in days or []]
        self.save(len(self.plan()))

    def read(self, step: Step, total: int) -> None:
        read_step(self.reader, step, self.cursor, self.progress.put_part, lambda: self.save(total))

    def share_daily(self, steps: list[Step]) -> None:
        """Once this subscription's daily totals are in, write them where the other collections of the scan look."""
        mode = self.cursor.get("mode")
        sections = {"daily", "totals"} if mode == SUMMARY else {RESOURCE_DAYS}
        if self.cursor.get("shared") or mode is None or any(s.name not in self.cursor["done"] for s in steps
                                                           if s.section in sections):
            return
        self.progress.put_part("estate", daily_summary(self.partial(), self.request.subscription_id))
        self.cursor["shared"] = True
        self.save(len(steps))

    def run(self) -> Collected:
        while True:
            steps = self.plan()
            self.share_daily(steps)
            todo = next((s for s in steps if s.name not in self.cursor["done"]), None)
            if todo is not None:
                self.read(todo, len(steps))
            elif self.cursor.get("mode") is None:
                self.choose_mode()
            elif not self.cursor.get("needs"):
                self.plan_needs()
            elif self.cursor.get("drivers") is None and self.cursor["mode"] == SUMMARY:
                self.plan_drivers()
            else:
                return self.finish(steps)

    def finish(self, steps: list[Step]) -> Collected:
        requests = SeriesNeeds.from_json(self.needs()).to_json()["requests"]
        data = assemble(steps, self.cursor["done"], self.progress.get_part, self.w, requests=requests,
                        missing=self.cursor["missing"])
        rows = sum(len(s["rows"]) for s in data["sections"].values())
        return Collected(data=data, row_count=rows, api_versions={"costmanagement": API_VERSION})


def collect(request: CollectRequest, *, history_days: int, budget: QpuLedger,
            client: CostManagementClient | None = None, progress: CostProgress | None = None,
            sleep: Callable[[float], None] = time.sleep, today: dt.date | None = None,
            clock: Callable[[], float] = time.time, max_seconds: float = MAX_SECONDS,
            inline_wait: float | None = None, recheck: float = RECHECK_S, wait_for_scan: float = WAIT_FOR_SCAN_S,
            arm_endpoint: str | None = None, now: Callable[[], dt.datetime] | None = None,
            every_day_max_pages: int = EVERY_DAY_MAX_PAGES) -> Collected:
    """Read (or go on reading) the subscription's cost steps; Deferred when the rest must wait.

    Without `progress` the collection runs in one delivery in memory, sleeping through every turn that fits
    `max_seconds`. `budget` is the tenant's QPU ledger every instance shares (built by shared.services). The
    windows end the day before the scan's day (`request.day`), else `today`, else the day of `now()` (the
    composition root's clock), else the UTC date.
    """
    client = client or cost_management_client(request.credential)
    progress = progress or request.checkpoint
    if progress is None:
        progress, inline_wait = MemoryProgress(), max_seconds if inline_wait is None else inline_wait
    day = request.day or today or (now() if now else dt.datetime.now(dt.UTC)).date()
    host = urlsplit(arm_endpoint or get_settings().arm_endpoint).netloc
    reader = CostReader(client, request.subscription_id, request.tenant_id, budget,
                        owner_key(request.scan_id, request.subscription_id.lower(), "cost"), host, sleep=sleep,
                        clock=clock, deadline=clock() + max_seconds,
                        inline_wait=INLINE_WAIT_S if inline_wait is None else inline_wait)
    return _Run(request, windows_for(day, history_days), progress, reader, clock, recheck, wait_for_scan,
                every_day_max_pages).run()
