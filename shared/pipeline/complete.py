"""Fan-in: record a task's outcome under ETag; the completion that ends the last task hands over exactly once.

A task moves pending -> succeeded|failed once (If-Match). Then, whoever sees every task final tries the one
scan transition collecting -> analysing (or -> failed when no task succeeded) under ETag: exactly one caller
wins it, and only the winner publishes AnalyseScan (whose id is deterministic as well). A duplicate or late
delivery finds the task final or the scan moved on and changes nothing. A cost task that spans many deliveries
records its outcome once, after its last window. When no task succeeded and ARM refused the principal on every
subscription of the scan, the customer is marked access_revoked (one subscription refused is not revocation).
"""

from __future__ import annotations

import logging
from typing import Literal

from shared.messages import AnalyseScan
from shared.observability import log_context
from shared.pipeline.revalidate import mark_access_revoked
from shared.services import Services

logger = logging.getLogger(__name__)


def record_outcome(services: Services, customer_id: str, scan_id: str, subscription_id: str, source: str,
                   outcome: Literal["succeeded", "failed"], reason: str | None = None, *, denied: bool = False) -> bool:
    """Record one task's outcome, then settle the scan; True when this call published AnalyseScan. `denied`: ARM
    refused the principal on this subscription."""
    log = log_context(logger, customer_id=customer_id, scan_id=scan_id, subscription_id=subscription_id,
                      source=source)
    if services.scans.finish_task(customer_id, scan_id, subscription_id, source, outcome, reason, denied=denied):
        log.info("task %s", outcome)
    else:
        log.info("task already final: duplicate delivery")
    # Settle even on a duplicate: the first delivery may have crashed between the task update and this step.
    return settle(services, customer_id, scan_id)


def settle(services: Services, customer_id: str, scan_id: str) -> bool:
    """If every task is final, move the scan on (once); True when this call published AnalyseScan."""
    log = log_context(logger, customer_id=customer_id, scan_id=scan_id)
    if services.scans.has_pending(customer_id, scan_id):
        return False  # the common case, answered without reading every task row
    tasks = services.scans.tasks(customer_id, scan_id)
    if not tasks or any(t.outcome == "pending" for t in tasks):
        return False
    if not any(t.outcome == "succeeded" for t in tasks):
        if services.scans.transition(customer_id, scan_id, {"collecting"}, "failed",
                                     reason="every collection task failed"):
            log.warning("scan failed: no task succeeded")
        denied = services.scans.denied_subscriptions(customer_id, scan_id)
        if denied and denied >= {t.subscription_id for t in tasks}:
            mark_access_revoked(services, customer_id, "every subscription refused the principal")
        return False
    if not services.scans.transition(customer_id, scan_id, {"collecting"}, "analysing"):
        return False
    services.publish(AnalyseScan(customer_id=customer_id, scan_id=scan_id))
    log.info("collection finished (%d tasks): analysis requested", len(tasks))
    return True
