"""The purge: delete every byte held about an offboarded customer, twice, verify, and issue the certificate.

The stores come from the registry (Services.purged_stores(): every store that declares it may hold data
about a customer), so a new store is purged and verified without touching this module. Each store's
deletion is idempotent and its count is recorded in the purge request, so a crash at any point is resumed
by the next PurgeCustomer delivery or the daily backstop.

Work already running when the customer leaves may still write. So the purge runs in two passes:

1. First pass: lay the tombstone (every writer checks it as it writes, shared/pipeline/guard.py), delete
   every store but the customer row (which stays `offboarding`, keeping every message dropped), and
   schedule the second pass (Service Bus scheduled enqueue) for the end of the grace: FUNCTION_TIMEOUT_SECONDS
   + SERVICEBUS_LOCK_SECONDS, the longest any invocation that began before the tombstone can still run.
   Nothing sleeps: the message comes back when it is due, or the daily backstop runs the pass.
2. Second pass, once the grace has run: delete everything again, the customer row last, and count what every
   store still holds. Only when all answer 0 is the certificate issued and the purge request (the last trace
   of the id) deleted; otherwise the pass is scheduled again.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from shared.domain import CAN_OFFBOARD
from shared.errors import NotFound
from shared.ids import customer_hash
from shared.messages import PurgeCustomer
from shared.notify import emails, send_quietly
from shared.pipeline import sweep
from shared.services import Services
from shared.storage.certificates import DeletionCertificate, soft_deleted_copies
from shared.storage.purges import PurgeRequest
from shared.storage.retention import Purged, PurgedStore

logger = logging.getLogger(__name__)

ALERT_BEFORE_DEADLINE = dt.timedelta(hours=24)
# A second pass that still found something (a message not yet dropped) tries again this soon at most.
SECOND_PASS_RETRY = dt.timedelta(minutes=5)


def _mark_offboarding(services: Services, customer_id: str) -> None:
    """Make sure the pipeline drops the customer's messages while the purge runs (an offboarding cut short)."""
    try:
        services.customers.transition(customer_id, CAN_OFFBOARD, "offboarding", "offboarding requested")
    except NotFound:
        return


def _delete_everything(services: Services, request: PurgeRequest, stores: list[PurgedStore]) -> dict[str, int]:
    """Run each store's deletion in turn, recording the counts after each (a crash resumes from there)."""
    deleted = dict(request.deleted)
    for store in stores:
        deleted[store.name] = deleted.get(store.name, 0) + store.delete_customer(request.subject)
        services.purges.record_deleted(request.customer_id, deleted)
    return deleted


def verify(services: Services, request: PurgeRequest, stores: list[PurgedStore] | None = None) -> dict[str, int]:
    """What every purged store (or those given) still holds about the customer (all zero when done)."""
    return {store.name: store.count_customer(request.subject) for store in stores or services.purged_stores()}


def _first_pass(services: Services, request: PurgeRequest) -> None:
    """Tombstone, then everything but the customer row; the second pass scheduled once the grace has run."""
    now = services.clock()
    services.tombstones.set(request.customer_id, now)
    stores = [s for s in services.purged_stores() if not (isinstance(s.declaration, Purged) and s.declaration.last)]
    deleted = _delete_everything(services, request, stores)
    left = {name: count for name, count in verify(services, request, stores).items() if count}
    done = services.clock()
    due = done + services.purge_grace
    # Scheduled before it is recorded: a crash in between repeats this pass and schedules again, never neither.
    services.publish_at(PurgeCustomer(customer_id=request.customer_id, request_id=request.request_id), due)
    services.purges.record_first_pass(request.customer_id, done)
    logger.info("purge first pass done customer=%s deleted=%d left=%s second pass at %s", request.customer_id,
                sum(deleted.values()), sorted(left), due.isoformat())


def _second_pass(services: Services, request: PurgeRequest) -> DeletionCertificate | None:
    """Everything again, the customer row last; the certificate when every store then holds nothing."""
    deleted = _delete_everything(services, request, services.purged_stores())
    left = verify(services, request)
    if any(left.values()):
        retry = services.clock() + min(services.purge_grace, SECOND_PASS_RETRY)
        logger.warning("purge verification found data left customer=%s stores=%s: again at %s",
                       request.customer_id, sorted(k for k, v in left.items() if v), retry.isoformat())
        services.publish_at(PurgeCustomer(customer_id=request.customer_id, request_id=request.request_id), retry)
        return None
    now = services.clock()
    cert = DeletionCertificate(certificate_id=request.request_id, customer_hash=customer_hash(request.customer_id),
                               requested_at=request.requested_at, deadline=request.deadline,
                               completed_at=now.isoformat(), deleted=deleted, verification=left,
                               soft_deleted=soft_deleted_copies(now, deleted.get(services.secrets.name, 0)))
    if services.certificates.issue(cert):
        hashed = customer_hash(request.customer_id)
        services.audit.record(hashed, "purge_done", {"stores": len(left)})
        services.audit.record(hashed, "certificate_issued", {"certificate_id": cert.certificate_id})
        send_quietly(emails.certificate_issued(request.contact_email, cert.certificate_id, now), services.notifier)
    services.purges.close(request.customer_id)
    logger.info("purge complete customer=%s certificate=%s", request.customer_id, cert.certificate_id)
    return cert


def purge_customer(services: Services, customer_id: str) -> DeletionCertificate | None:
    """Run (or resume) the purge's next pass; the certificate once issued, else None.

    No pass yet: the first pass. Before its grace has run: nothing (a redelivery, a repeated request or the
    backstop came early; the scheduled message is on its way). After: the second pass, which issues the
    certificate only when every store holds nothing, and otherwise schedules itself again.
    """
    request = services.purges.get(customer_id)
    if request is None:
        logger.info("no open purge customer=%s: nothing to do", customer_id)
        return None
    _mark_offboarding(services, customer_id)
    if request.first_pass_at is None:
        _first_pass(services, request)
        return None
    due = request.first_pass_at + services.purge_grace
    if services.clock() < due:
        logger.info("purge second pass not due customer=%s until %s", customer_id, due.isoformat())
        return None
    return _second_pass(services, request)


def overdue(services: Services) -> list[dict[str, Any]]:
    """Open purges within 24 hours of (or past) their deadline: the admin view's alert list (no customer data)."""
    now = services.clock()
    return [{"customer_sha256": customer_hash(r.customer_id), "request_id": r.request_id, "deadline": r.deadline,
             "past_deadline": now > r.deadline_at}
            for r in services.purges.open_requests() if now >= r.deadline_at - ALERT_BEFORE_DEADLINE]


def run_backstop(services: Services) -> dict[str, int]:
    """The daily backstop (and admin "purge now"): reopen lost requests, run every open purge's next pass, alert
    on late ones, then sweep what no purge names: crashed onboardings and data under ids without a customer."""
    now = services.clock()
    counts = {"completed": 0, "waiting": 0, "failed": 0, "reopened": 0, "alerts": 0}
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
            done = purge_customer(services, request.customer_id) is not None
            counts["completed" if done else "waiting"] += 1
        except Exception:
            counts["failed"] += 1
            logger.exception("backstop purge failed request=%s", request.request_id)
    counts["abandoned_onboardings"] = sweep.abandoned_onboardings(services)
    counts["orphans"] = sweep.orphans(services)
    return counts
