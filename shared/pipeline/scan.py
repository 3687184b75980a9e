"""Request a scan: record it as queued and publish ScanRequested. Idempotent while a scan is in flight."""

from __future__ import annotations

import logging
import secrets
import time

from shared.errors import Conflict
from shared.messages import ScanRequested
from shared.observability import log_context
from shared.pipeline.deps import CustomerLike, Pipeline, default_pipeline

logger = logging.getLogger(__name__)


def new_scan_id(now_ms: int | None = None) -> str:
    """A time-sortable opaque id: 12 hex digits of milliseconds, then 12 random hex digits."""
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    return f"{ms:012x}{secrets.token_hex(6)}"


def request_scan(customer: CustomerLike, reason: str, *, pipeline: Pipeline | None = None) -> str:
    """Record a queued scan of every subscription of the customer and publish ScanRequested; returns its id.

    While one scan of the customer is still in flight (and not stuck), asking again returns that scan rather
    than starting a second one that would spend the tenant's Cost Management quota twice.
    """
    p = pipeline or default_pipeline()
    log = log_context(logger, customer_id=customer.customer_id)
    if customer.state != "active":
        raise Conflict(f"customer is {customer.state}; scans run only for active customers")
    if not customer.subscription_ids:
        raise Conflict("customer has no subscription to scan")
    now = p.clock()
    for existing in p.scans.for_customer(customer.customer_id):
        if existing.status in ("queued", "collecting", "analysing") and now - existing.last_activity < p.stuck_after:
            if existing.status == "queued":
                p.publish(ScanRequested(customer_id=customer.customer_id, scan_id=existing.scan_id))
            log.info("scan already in flight scan_id=%s status=%s", existing.scan_id, existing.status)
            return existing.scan_id
    scan_id = new_scan_id(int(now.timestamp() * 1000))
    p.scans.create(customer.customer_id, scan_id, [s.lower() for s in customer.subscription_ids], reason)
    p.publish(ScanRequested(customer_id=customer.customer_id, scan_id=scan_id))
    if p.audit is not None:
        p.audit(customer.customer_id, "scan_started", {"scan_id": scan_id, "reason": reason})
    log.info("scan requested scan_id=%s subscriptions=%d reason=%s", scan_id, len(customer.subscription_ids),
             reason)
    return scan_id
