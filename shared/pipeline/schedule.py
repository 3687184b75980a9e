"""Recurring scans: each active customer gets one scheduled scan per period (ISO week or calendar month).

The timer may fire twice, late, or after downtime: a claim per (customer, period) is created with an insert
that fails when it exists, so exactly one firing requests the period's scan. A failed request releases its
claim so the next firing tries again. Only scannable (`active`) customers are scheduled: access_revoked
waits for re-validation, offboarding and deleted never scan again.
"""

from __future__ import annotations

import datetime as dt
import logging

from shared.pipeline.scan import request_scan
from shared.services import Services

logger = logging.getLogger(__name__)


def period_key(schedule: str, now: dt.datetime) -> str | None:
    """The period `now` falls in for a schedule: `2026-W48` weekly, `2026-11` monthly, None for none."""
    if schedule == "weekly":
        year, week, _ = now.isocalendar()
        return f"{year}-W{week:02d}"
    if schedule == "monthly":
        return f"{now.year}-{now.month:02d}"
    return None


def schedule_due(services: Services) -> dict[str, int]:
    """Request the scan of every active customer whose period has none yet; returns counts per outcome."""
    now = services.clock()
    counts = {"requested": 0, "already_done": 0, "not_active": 0, "unscheduled": 0, "failed": 0}
    for customer in services.customers.list_all():
        key = period_key(customer.schedule, now)
        if key is None:
            counts["unscheduled"] += 1
            continue
        if not customer.is_active:
            counts["not_active"] += 1
            continue
        if not services.schedules.claim(customer.customer_id, key, now):
            counts["already_done"] += 1
            continue
        try:
            scan_id = request_scan(services, customer, f"schedule {key}")
        except Exception:
            # Release the claim, so the next firing (or the next day's) tries this period again.
            logger.exception("scheduled scan request failed customer=%s period=%s", customer.customer_id, key)
            services.schedules.release(customer.customer_id, key)
            counts["failed"] += 1
            continue
        services.schedules.record_scan(customer.customer_id, key, scan_id)
        counts["requested"] += 1
        logger.info("scheduled scan requested customer=%s period=%s scan_id=%s", customer.customer_id, key, scan_id)
    return counts
