"""The watchdog (timer): no scan stays in flight forever.

- queued past the limit: the planner never ran (its message dead-lettered) -> failed.
- collecting with no progress past the limit: each task still pending is failed as lost; the normal fan-in
  then moves the scan to analysing (some task succeeded: the report ends partial) or failed.
- analysing past the limit: AnalyseScan is re-sent with the same message id, a bounded number of times,
  then the scan is failed.
"""

from __future__ import annotations

import logging

from shared.messages import AnalyseScan
from shared.observability import log_context
from shared.pipeline.complete import record_outcome
from shared.services import Services

logger = logging.getLogger(__name__)


def sweep(services: Services) -> dict[str, int]:
    """Finish or nudge every stuck scan; returns counts per action taken."""
    now = services.clock()
    counts = {"failed_queued": 0, "lost_tasks": 0, "analyse_resent": 0, "failed_analysis": 0}
    for scan in services.scans.in_flight():
        if now - scan.last_activity < services.stuck_after:
            continue
        log = log_context(logger, customer_id=scan.customer_id, scan_id=scan.scan_id)
        if scan.status == "queued":
            if services.scans.transition(scan.customer_id, scan.scan_id, {"queued"}, "failed",
                                         reason="the scan was never planned"):
                counts["failed_queued"] += 1
                log.warning("stuck in queued: failed")
        elif scan.status == "collecting":
            pending = [t for t in scan.tasks if t.outcome == "pending"]
            for task in pending:
                record_outcome(services, scan.customer_id, scan.scan_id, task.subscription_id, task.source,
                               "failed", "collection did not finish in time (lost or kept failing)")
            counts["lost_tasks"] += len(pending)
            log.warning("stuck in collecting: %d task(s) ended as lost", len(pending))
        elif scan.analyse_sends >= services.max_analyse_sends:
            if services.scans.transition(scan.customer_id, scan.scan_id, {"analysing"}, "failed",
                                         reason="the analysis did not complete"):
                counts["failed_analysis"] += 1
                log.warning("analysis never completed: failed")
        elif services.scans.note_analyse_resent(scan.customer_id, scan.scan_id):
            services.publish(AnalyseScan(customer_id=scan.customer_id, scan_id=scan.scan_id))
            counts["analyse_resent"] += 1
            log.warning("stuck in analysing: analysis re-requested")
    return counts
