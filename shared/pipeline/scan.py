"""Request a scan (record it as queued, publish ScanRequested), and end a scan whose message cannot be read.

Requesting is idempotent while a scan is in flight; only customers in a scannable state are scanned.
"""

from __future__ import annotations

import logging
import secrets
import time
from typing import Any

from shared.domain import IN_FLIGHT, Customer
from shared.errors import Conflict, NotFound
from shared.ids import is_hex32, is_scan_id
from shared.messages import ScanRequested
from shared.observability import log_context
from shared.services import Services

logger = logging.getLogger(__name__)


def new_scan_id(now_ms: int | None = None) -> str:
    """A time-sortable opaque id: 12 hex digits of milliseconds, then 12 random hex digits."""
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    return f"{ms:012x}{secrets.token_hex(6)}"


def request_scan(services: Services, customer: Customer, reason: str) -> str:
    """Record a queued scan of every subscription of the customer and publish ScanRequested; returns its id.

    While one scan of the customer is still in flight (and not stuck), asking again returns that scan rather
    than starting a second one that would spend the tenant's Cost Management quota twice. Conflict unless the
    customer is active and has a subscription.
    """
    log = log_context(logger, customer_id=customer.customer_id)
    if not customer.is_active:
        raise Conflict(f"customer is {customer.state}; scans run only for active customers")
    if not customer.subscription_ids:
        raise Conflict("customer has no subscription to scan")
    now = services.clock()
    for existing in services.scans.for_customer(customer.customer_id):
        if existing.status in IN_FLIGHT and now - existing.last_activity < services.stuck_after:
            if existing.status == "queued":
                services.publish(ScanRequested(customer_id=customer.customer_id, scan_id=existing.scan_id))
            log.info("scan already in flight scan_id=%s status=%s", existing.scan_id, existing.status)
            return existing.scan_id
    scan_id = new_scan_id(int(now.timestamp() * 1000))
    services.scans.create(customer.customer_id, scan_id, [s.lower() for s in customer.subscription_ids], reason)
    services.publish(ScanRequested(customer_id=customer.customer_id, scan_id=scan_id))
    services.audit.record(customer.customer_id, "scan_started", {"scan_id": scan_id, "reason": reason})
    log.info("scan requested scan_id=%s subscriptions=%d reason=%s", scan_id, len(customer.subscription_ids),
             reason)
    return scan_id


def fail_unreadable(services: Services, body: Any, why: str) -> bool:
    """Best effort: if an unreadable message still names a scan in flight, end that scan as failed.

    The scan would otherwise wait for a message that will only ever dead-letter. True when a scan was ended.
    """
    if not isinstance(body, dict):
        return False
    customer_id, scan_id = body.get("customer_id"), body.get("scan_id")
    if not (isinstance(customer_id, str) and isinstance(scan_id, str) and is_hex32(customer_id)
            and is_scan_id(scan_id)):
        return False
    try:
        return services.scans.transition(customer_id, scan_id, IN_FLIGHT, "failed",
                                         reason=f"a pipeline message could not be read ({why})")
    except NotFound:
        logger.warning("unreadable message names no known scan")
        return False
