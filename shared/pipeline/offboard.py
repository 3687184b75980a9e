"""Offboarding: the customer (DELETE), an admin or an account closure asks; Caleta stops and the purge starts.

The customer becomes `offboarding` (no new scans; messages for it are dropped on receipt), its scans in
flight are failed, a purge request records the request and its deadline (request + DELETION_DEADLINE_DAYS),
and a PurgeCustomer message starts the purge at once. Asking again changes nothing and answers the same
request. The certificate follows the purge's second pass, once work already running has ended (about 15
minutes as deployed; shared/pipeline/purge.py).
"""

from __future__ import annotations

import logging
from typing import Literal

from shared.api.responses import OffboardingAccepted
from shared.domain import CAN_OFFBOARD, IN_FLIGHT
from shared.errors import NotFound
from shared.messages import PurgeCustomer
from shared.notify import emails, send_quietly
from shared.services import Services
from shared.storage.purges import PurgeRequest

logger = logging.getLogger(__name__)

RequestedBy = Literal["customer", "admin", "closure", "backstop"]


def _answer(request: PurgeRequest) -> OffboardingAccepted:
    return OffboardingAccepted(state="offboarding", request_id=request.request_id, deadline=request.deadline,
                               certificate=f"/api/deletion-certificates/{request.request_id}")


def _cancel_scans(services: Services, customer_id: str) -> int:
    cancelled = 0
    for scan in services.scans.for_customer(customer_id):
        if scan.in_flight and services.scans.transition(customer_id, scan.scan_id, IN_FLIGHT, "failed",
                                                        reason="the customer is offboarding"):
            cancelled += 1
    return cancelled


def request_offboarding(services: Services, customer_id: str, requested_by: RequestedBy) -> OffboardingAccepted:
    """Start offboarding (idempotent); the answer names the request (= certificate id) and the deadline."""
    try:
        customer = services.customers.get(customer_id)
    except NotFound:
        # Purged already, or a purge request without its customer row (finishing): answer the open request.
        open_request = services.purges.get(customer_id)
        if open_request is None:
            raise NotFound("no such customer") from None
        return _answer(open_request)
    # The purge request first: it keeps the request time (the deadline's start) through a crash right after
    # it; the purge itself marks the customer offboarding if this call dies before the next line.
    request, created = services.purges.open(customer, requested_by, services.clock(), services.deletion_deadline)
    services.customers.transition(customer_id, CAN_OFFBOARD, "offboarding", f"offboarding requested ({requested_by})")
    if created:
        cancelled = _cancel_scans(services, customer_id)
        services.audit.record(customer_id, "offboarding_requested", {"requested_by": requested_by,
                                                                     "request_id": request.request_id,
                                                                     "scans_cancelled": cancelled})
        send_quietly(emails.offboarding_confirmed(customer.contact_email, request.request_id, request.deadline_at,
                                                  customer_id=customer_id), services.notifier)
        logger.info("offboarding requested customer=%s by=%s", customer_id, requested_by)
    services.publish(PurgeCustomer(customer_id=customer_id, request_id=request.request_id))
    return _answer(request)
