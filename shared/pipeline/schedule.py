"""Recurring scans: each active customer gets one scheduled scan per period (ISO week or calendar month).

The timer may fire twice, late, or after downtime: a claim row per (customer, period) is created with an
insert that fails when it exists, so exactly one firing requests the period's scan. A failed request
releases its claim so the next firing tries again. Only `active` customers are scheduled: access_revoked
waits for re-validation, offboarding and deleted never scan again.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from azure.core.exceptions import ResourceExistsError

from shared.storage.customers import Customer

logger = logging.getLogger(__name__)

SCHEDULES_TABLE = "schedules"  # PartitionKey = customer id (purged with the customer), RowKey = "period-<key>"


class ClaimTable(Protocol):
    """The part of TableClient the scheduler uses."""

    def create_entity(self, entity: dict[str, Any], **kwargs: Any) -> Any: ...
    def update_entity(self, entity: dict[str, Any], *args: Any, **kwargs: Any) -> Any: ...
    def delete_entity(self, partition_key: str, row_key: str, **kwargs: Any) -> None: ...


def period_key(schedule: str, now: dt.datetime) -> str | None:
    """The period `now` falls in for a schedule: `2026-W48` weekly, `2026-11` monthly, None for none."""
    if schedule == "weekly":
        year, week, _ = now.isocalendar()
        return f"{year}-W{week:02d}"
    if schedule == "monthly":
        return f"{now.year}-{now.month:02d}"
    return None


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class ScheduleDeps:
    """Where customers come from, where claims go, how a scan is requested."""

    customers: Callable[[], Iterable[Customer]]
    claims: ClaimTable
    request_scan: Callable[[Customer, str], str]
    clock: Callable[[], dt.datetime] = field(default=_utcnow)


def default_deps() -> ScheduleDeps:
    """The real adapters."""
    from shared.pipeline.scan import request_scan
    from shared.storage.clients import table
    from shared.storage.customers import list_customers

    return ScheduleDeps(customers=list_customers, claims=table(SCHEDULES_TABLE), request_scan=request_scan)


def schedule_due(deps: ScheduleDeps) -> dict[str, int]:
    """Request the scan of every active customer whose period has none yet; returns counts per outcome."""
    now = deps.clock()
    counts = {"requested": 0, "already_done": 0, "not_active": 0, "unscheduled": 0, "failed": 0}
    for customer in deps.customers():
        key = period_key(customer.schedule, now)
        if key is None:
            counts["unscheduled"] += 1
            continue
        if customer.state != "active":
            counts["not_active"] += 1
            continue
        row_key = f"period-{key}"
        try:
            deps.claims.create_entity({"PartitionKey": customer.customer_id, "RowKey": row_key,
                                       "claimed_at": now.isoformat(), "scan_id": ""})
        except ResourceExistsError:
            counts["already_done"] += 1
            continue
        try:
            scan_id = deps.request_scan(customer, f"schedule {key}")
        except Exception:
            # Release the claim, so the next firing (or the next day's) tries this period again.
            logger.exception("scheduled scan request failed customer=%s period=%s", customer.customer_id, key)
            deps.claims.delete_entity(customer.customer_id, row_key)
            counts["failed"] += 1
            continue
        deps.claims.update_entity({"PartitionKey": customer.customer_id, "RowKey": row_key, "scan_id": scan_id})
        counts["requested"] += 1
        logger.info("scheduled scan requested customer=%s period=%s scan_id=%s", customer.customer_id, key, scan_id)
    return counts
