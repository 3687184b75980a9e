"""The purge: delete every byte held about an offboarded customer, verify, and issue the certificate.

The stores come from the registry (Services.purged_stores(): every store that declares it may hold data
about a customer), so a new store is purged and verified without touching this module. Each store's
deletion is idempotent and its count is recorded in the purge request, so a crash at any point is resumed
by the next PurgeCustomer delivery or the daily backstop; the customer row goes last, keeping every message
for the customer dropped until then. Then every store counts what it still holds and must answer 0; only
then is the certificate issued and the purge request (the last trace of the id) deleted.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from shared.domain import CAN_OFFBOARD
from shared.errors import NotFound, TransientError
from shared.ids import customer_hash
from shared.notify import emails, send_quietly
from shared.services import Services
from shared.storage.certificates import DeletionCertificate
from shared.storage.purges import PurgeRequest

logger = logging.getLogger(__name__)

ALERT_BEFORE_DEADLINE = dt.timedelta(hours=24)


def _mark_offboarding(services: Services, customer_id: str) -> None:
    """Make sure the pipeline drops the customer's messages while the purge runs (an offboarding cut short)."""
    try:
        services.customers.transition(customer_id, CAN_OFFBOARD, "offboarding", "offboarding requested")
    except NotFound:
        return


def _delete_everything(services: Services, request: PurgeRequest) -> dict[str, int]:
    """Run each store's deletion in turn, recording the counts after each (a crash resumes from there)."""
    deleted = dict(request.deleted)
    steps = tuple((store.name, store.delete_customer) for store in services.purged_stores())
    for name, delete in steps:
        deleted[name] = deleted.get(name, 0) + delete(request.subject)
        services.purges.record_deleted(request.customer_id, deleted)
    return deleted


def verify(services: Services, request: PurgeRequest) -> dict[str, int]:
    """What every purged store still holds about the customer (all zero when done)."""
    return {store.name: store.count_customer(request.subject) for store in services.purged_stores()}


def purge_customer(services: Services, customer_id: str) -> DeletionCertificate | None:
    """Run (or resume) the purge; the certificate, or None when there is no open purge for the customer.

    Raises TransientError when verification still finds data (a late write raced the purge, or a queued
    message is not yet dropped): the message is redelivered, or the backstop runs it again, and the purge
    repeats until every store is empty.
    """
    request = services.purges.get(customer_id)
    if request is None:
        logger.info("no open purge customer=%s: nothing to do", customer_id)
        return None
    _mark_offboarding(services, customer_id)
    deleted = _delete_everything(services, request)
    left = verify(services, request)
    if any(left.values()):
        logger.warning("purge verification found data left customer=%s stores=%s", customer_id,
                       sorted(k for k, v in left.items() if v))
        raise TransientError("purge verification found data left")
    now = services.clock()
    cert = DeletionCertificate(certificate_id=request.request_id, customer_hash=customer_hash(customer_id),
                               requested_at=request.requested_at, deadline=request.deadline,
                               completed_at=now.isoformat(), deleted=deleted, verification=left)
    if services.certificates.issue(cert):
        hashed = customer_hash(customer_id)
        services.audit.record(hashed, "purge_done", {"stores": len(left)})
        services.audit.record(hashed, "certificate_issued", {"certificate_id": cert.certificate_id})
        send_quietly(emails.certificate_issued(request.contact_email, cert.certificate_id, now), services.notifier)
    services.purges.close(customer_id)
    logger.info("purge complete customer=%s certificate=%s", customer_id, cert.certificate_id)
    return cert


def overdue(services: Services) -> list[dict[str, Any]]:
    """Open purges within 24 hours of (or past) their deadline: the admin view's alert list (no customer data)."""
    now = services.clock()
    return [{"customer_sha256": customer_hash(r.customer_id), "request_id": r.request_id, "deadline": r.deadline,
             "past_deadline": now > r.deadline_at}
            for r in services.purges.open_requests() if now >= r.deadline_at - ALERT_BEFORE_DEADLINE]


def run_backstop(services: Services) -> dict[str, int]:
    """The daily backstop (and admin "purge now"): reopen lost requests, run every open purge, alert on late ones."""
    now = services.clock()
    counts = {"completed": 0, "failed": 0, "reopened": 0, "alerts": 0}
    for customer in services.customers.in_state("offboarding"):
        # A crash between marking the customer and writing its purge request must not lose the request.
        _, created = services.purges.open(customer, "backstop", now, services.deletion_deadline)
        counts["reopened"] += int(created)
    for alert in overdue(services):
        counts["alerts"] += 1
        logger.error("ALERT purge not finished 24 hours before its deadline request=%s deadline=%s past=%s",
                     alert["request_id"], alert["deadline"], alert["past_deadline"])
    for request in services.purges.open_requests():
        try:
            if purge_customer(services, request.customer_id) is not None:
                counts["completed"] += 1
        except Exception:
            counts["failed"] += 1
            logger.exception("backstop purge failed request=%s", request.request_id)
    return counts
