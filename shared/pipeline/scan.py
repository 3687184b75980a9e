"""Request a scan (record it as queued, publish ScanRequested), and end a scan whose message cannot be read.

Requesting is idempotent while a scan is in flight, under concurrency too (one marker row per customer,
moved under ETag); only customers in a scannable state are scanned.
"""

from __future__ import annotations

import logging
import secrets
import time
from typing import Any

from shared.domain import IN_FLIGHT, Customer, ScanStatus
from shared.errors import Conflict, NotFound, TransientError
from shared.ids import is_hex32, is_scan_id
from shared.messages import ScanRequested
from shared.observability import log_context
from shared.services import Services

logger = logging.getLogger(__name__)
_MAX_ATTEMPTS = 20


def new_scan_id(now_ms: int | None = None) -> str:
    """A time-sortable opaque id: 12 hex digits of milliseconds, then 12 random hex digits."""
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    return f"{ms:012x}{secrets.token_hex(6)}"


def _live(services: Services, customer_id: str, scan_id: str) -> ScanStatus | None:
    """The scan if it is in flight and not stuck (so asking again should return it), else None."""
    try:
        scan = services.scans.get(customer_id, scan_id, with_tasks=True)
    except NotFound:
        return None
    fresh = services.clock() - scan.last_activity < services.stuck_after
    return scan if scan.in_flight and fresh else None


def _legacy_in_flight(services: Services, customer_id: str) -> str | None:
    """A scan in flight recorded before markers existed (so the first marker adopts it rather than doubling it)."""
    for existing in services.scans.for_customer(customer_id):
        if existing.status in IN_FLIGHT and services.clock() - existing.last_activity < services.stuck_after:
            return existing.scan_id
    return None


def _returned(services: Services, scan: ScanStatus) -> str:
    if scan.status == "queued":  # its ScanRequested may have been lost with a crash: send it again
        services.publish(ScanRequested(customer_id=scan.customer_id, scan_id=scan.scan_id))
    logger.info("scan already in flight customer=%s scan_id=%s status=%s", scan.customer_id, scan.scan_id,
                scan.status)
    return scan.scan_id


def request_scan(services: Services, customer: Customer, reason: str) -> str:
    """Record a queued scan of every subscription of the customer and publish ScanRequested; returns its id.

    While one scan of the customer is still in flight (and not stuck), asking again returns that scan rather
    than starting a second one that would spend the tenant's Cost Management quota twice. Concurrent requests
    (the API, the scheduler) race for the customer's marker (shared/storage/scan_marker.py): exactly one moves
    it to its new scan and publishes; every other one returns the winner's scan. Conflict unless the customer
    is active and has a subscription.
    """
    if not customer.is_active:
        raise Conflict(f"customer is {customer.state}; scans run only for active customers")
    if not customer.subscription_ids:
        raise Conflict("customer has no subscription to scan")
    cid = customer.customer_id
    for _ in range(_MAX_ATTEMPTS):
        marker = services.scans.marker.read(cid)
        if marker is not None and (live := _live(services, cid, marker.scan_id)) is not None:
            return _returned(services, live)
        if marker is None and (legacy := _legacy_in_flight(services, cid)) is not None:
            if services.scans.marker.claim(cid, legacy, None):
                return _returned(services, services.scans.get(cid, legacy))
            continue
        scan_id = new_scan_id(int(services.clock().timestamp() * 1000))
        # The row first, then the marker: whoever reads the marker finds its scan. A loser removes its row,
        # which was never published.
        services.scans.create(cid, scan_id, [s.lower() for s in customer.subscription_ids], reason)
        if not services.scans.marker.claim(cid, scan_id, marker):
            services.scans.discard(cid, scan_id)
            continue
        services.publish(ScanRequested(customer_id=cid, scan_id=scan_id))
        services.audit.record(cid, "scan_started", {"scan_id": scan_id, "reason": reason})
        log_context(logger, customer_id=cid).info("scan requested scan_id=%s subscriptions=%d reason=%s", scan_id,
                                                  len(customer.subscription_ids), reason)
        return scan_id
    raise TransientError("scan requests for this customer kept racing; try again")


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
