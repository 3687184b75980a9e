"""Plan a scan (scan-requests trigger): one CollectTask per (subscription x source), scan -> collecting."""

from __future__ import annotations

import logging

from shared.errors import NotFound
from shared.messages import SOURCES, CollectTask, ScanRequested
from shared.observability import log_context
from shared.pipeline.deps import Pipeline

logger = logging.getLogger(__name__)


def plan_tasks(message: ScanRequested, subscription_ids: tuple[str, ...]) -> list[CollectTask]:
    """The collect tasks of a scan, in a stable order (ids are deterministic, so a re-plan re-sends the same)."""
    return [CollectTask(customer_id=message.customer_id, scan_id=message.scan_id, subscription_id=sub.lower(),
                        source=source)
            for sub in sorted({s.lower() for s in subscription_ids}) for source in SOURCES]


def plan_scan(message: ScanRequested, pipeline: Pipeline) -> list[CollectTask]:
    """Create the task rows, move the scan to collecting and publish its pending tasks; returns what was sent.

    Redelivery is safe: task rows are created only if absent, and only tasks still pending are re-sent (with
    the same message ids, so the broker's duplicate detection drops those it has already seen).
    """
    log = log_context(logger, customer_id=message.customer_id, scan_id=message.scan_id)
    try:
        scan = pipeline.scans.get(message.customer_id, message.scan_id, with_tasks=False)
    except NotFound:
        log.warning("scan request for an unknown scan: dropped")
        return []
    if scan.status not in ("queued", "collecting"):
        log.info("scan already %s: nothing to plan", scan.status)
        return []
    try:
        customer = pipeline.customers.get(message.customer_id)
    except NotFound:
        customer = None
    if customer is None or customer.state != "active":
        state = customer.state if customer else "deleted"
        pipeline.scans.transition(message.customer_id, message.scan_id, {"queued", "collecting"}, "failed",
                                  reason=f"customer is {state}: scan cancelled")
        log.warning("customer not active (%s): scan cancelled", state)
        return []
    tasks = plan_tasks(message, scan.subscription_ids)
    pipeline.scans.ensure_tasks(message.customer_id, message.scan_id,
                                [(t.subscription_id, t.source) for t in tasks])
    pipeline.scans.transition(message.customer_id, message.scan_id, {"queued"}, "collecting")
    done = {(t.subscription_id, t.source) for t in pipeline.scans.tasks(message.customer_id, message.scan_id)
            if t.outcome != "pending"}
    pending = [t for t in tasks if (t.subscription_id, t.source) not in done]
    pipeline.publish(*pending)
    log.info("planned %d task(s), %d sent", len(tasks), len(pending))
    return pending
