"""Plan a scan (scan-requests trigger): one CollectTask per (subscription x source), scan -> collecting."""

from __future__ import annotations

import logging

from shared.domain import PLANNABLE
from shared.errors import NotFound
from shared.messages import SOURCES, CollectTask, ScanRequested
from shared.observability import log_context
from shared.services import Services

logger = logging.getLogger(__name__)


def plan_tasks(message: ScanRequested, subscription_ids: tuple[str, ...]) -> list[CollectTask]:
    """The collect tasks of a scan, in a stable order (ids are deterministic, so a re-plan re-sends the same)."""
    return [CollectTask(customer_id=message.customer_id, scan_id=message.scan_id, subscription_id=sub.lower(),
                        source=source)
            for sub in sorted({s.lower() for s in subscription_ids}) for source in SOURCES]


def plan_scan(message: ScanRequested, services: Services) -> list[CollectTask]:
    """Create the task rows, move the scan to collecting and publish its pending tasks; returns what was sent.

    Redelivery is safe: task rows are created only if absent, and only tasks still pending are re-sent (with
    the same message ids, so the broker's duplicate detection drops those it has already seen).
    """
    log = log_context(logger, customer_id=message.customer_id, scan_id=message.scan_id)
    try:
        scan = services.scans.get(message.customer_id, message.scan_id, with_tasks=False)
    except NotFound:
        log.warning("scan request for an unknown scan: dropped")
        return []
    if scan.status not in PLANNABLE:
        log.info("scan already %s: nothing to plan", scan.status)
        return []
    try:
        customer = services.customers.get(message.customer_id)
    except NotFound:
        customer = None
    if customer is None or not customer.is_active:
        state = customer.state if customer else "deleted"
        services.scans.transition(message.customer_id, message.scan_id, PLANNABLE, "failed",
                                  reason=f"customer is {state}: scan cancelled")
        log.warning("customer not active (%s): scan cancelled", state)
        return []
    tasks = plan_tasks(message, scan.subscription_ids)
    services.scans.ensure_tasks(message.customer_id, message.scan_id,
                                [(t.subscription_id, t.source) for t in tasks])
    services.scans.transition(message.customer_id, message.scan_id, {"queued"}, "collecting")
    done = {(t.subscription_id, t.source) for t in services.scans.tasks(message.customer_id, message.scan_id)
            if t.outcome != "pending"}
    pending = [t for t in tasks if (t.subscription_id, t.source) not in done]
    services.publish(*pending)
    log.info("planned %d task(s), %d sent", len(tasks), len(pending))
    return pending
