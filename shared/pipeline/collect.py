"""Collect one source for one subscription (collect-tasks trigger), write the raw blob, record completion.

Outcomes: data written -> succeeded; ARM refused the principal (AccessDenied) -> failed with a plain reason, no
retry; the customer is marked access_revoked only when sign-in itself was refused (here), or when every
subscription of the scan was refused (complete.settle); a source this subscription cannot serve (NotCollectable)
-> failed with its reason, no retry; progress saved and the rest to come later (Deferred, the cost collection) ->
a continuation message scheduled for then, with its own id; anything transient -> raise, so Service Bus
redelivers and, after maxDeliveryCount, dead-letters (the watchdog then ends the task). Writing the blob before
recording the outcome makes a crash in between harmless: the redelivery overwrites the same blob and records once.
"""

from __future__ import annotations

import datetime as dt
import logging

from shared.collectors import CollectRequest
from shared.collectors.cost_state import Superseded
from shared.collectors.errors import SIGN_IN_REFUSED
from shared.errors import AccessDenied, Deferred, NotCollectable, NotFound
from shared.messages import CollectTask
from shared.observability import log_context
from shared.pipeline.complete import record_outcome, settle
from shared.pipeline.cost_progress import CustomerLeft, ScanCostProgress
from shared.pipeline.guard import write_checked
from shared.pipeline.revalidate import mark_access_revoked
from shared.rawdata import RawEnvelope, encode
from shared.services import Services
from shared.storage.quota import principal_row

logger = logging.getLogger(__name__)


def collect_task(task: CollectTask, services: Services) -> str:
    """Run one collect task; returns what happened (succeeded, failed, duplicate, dropped)."""
    log = log_context(logger, customer_id=task.customer_id, scan_id=task.scan_id,
                      subscription_id=task.subscription_id, source=task.source)
    try:
        scan = services.scans.get(task.customer_id, task.scan_id, with_tasks=False)
        row = services.scans.task(task.customer_id, task.scan_id, task.subscription_id, task.source)
    except NotFound:
        log.warning("task of an unknown scan: dropped")
        return "dropped"
    if row.outcome != "pending":
        settle(services, task.customer_id, task.scan_id)
        log.info("task already %s: duplicate delivery", row.outcome)
        return "duplicate"
    if scan.status != "collecting":
        log.info("scan is %s: task dropped", scan.status)
        return "dropped"
    try:
        customer = services.customers.get(task.customer_id)
    except NotFound:
        log.warning("customer gone: task dropped")
        return "dropped"
    if customer.is_leaving:
        log.info("customer %s: task dropped", customer.state)
        return "dropped"
    if not customer.is_active:
        # Access was revoked earlier in this scan: fail fast instead of asking the tenant again.
        record_outcome(services, task.customer_id, task.scan_id, task.subscription_id, task.source, "failed",
                       f"not collected: customer access is {customer.state}")
        return "failed"
    checkpoint = None
    if task.source == "cost":
        checkpoint = ScanCostProgress(services, task.customer_id, task.scan_id, task.subscription_id,
                                      scan.subscription_ids)
        if task.hop < int((checkpoint.load() or {}).get("hop", 0)):
            log.info("continuation %d superseded by a later one: dropped", task.hop)
            return "duplicate"
    request = CollectRequest(scan_id=task.scan_id, subscription_id=task.subscription_id,
                             tenant_id=customer.tenant_id, credential=services.credentials.for_customer(customer),
                             day=scan.created_at.astimezone(dt.UTC).date(), checkpoint=checkpoint,
                             scan_subscriptions=len(scan.subscription_ids),
                             principal=principal_row(customer.tenant_id, customer.client_id))
    try:
        collected = services.collectors[task.source](request)
    except Deferred as exc:
        return _continue_later(services, task, checkpoint, exc.resume_after, log)
    except Superseded:
        log.info("another delivery of this task is collecting: stopped")
        return "duplicate"
    except CustomerLeft:
        log.info("customer left while collecting: nothing more kept, task dropped")
        return "dropped"
    except AccessDenied as exc:
        log.warning("access denied (%s): %s", exc.code, exc.reason)
        record_outcome(services, task.customer_id, task.scan_id, task.subscription_id, task.source, "failed",
                       exc.reason, denied=exc.code != SIGN_IN_REFUSED)
        if exc.code == SIGN_IN_REFUSED:
            mark_access_revoked(services, task.customer_id, exc.reason)
        return "failed"
    except NotCollectable as exc:
        # This source cannot be read for this subscription (e.g. an offer without cost data): no retry.
        log.warning("not collectable: %s", exc.reason)
        record_outcome(services, task.customer_id, task.scan_id, task.subscription_id, task.source, "failed",
                       exc.reason)
        return "failed"
    envelope = RawEnvelope(source=task.source, scan_id=task.scan_id, subscription_id=task.subscription_id,
                           collected_at=services.clock(), api_versions=collected.api_versions,
                           row_count=collected.row_count, data=collected.data)
    if not _write_raw(services, task, encode(envelope)):
        log.info("customer left while collecting: nothing kept, task dropped")
        return "dropped"
    log.info("collected %d row(s)", collected.row_count)
    record_outcome(services, task.customer_id, task.scan_id, task.subscription_id, task.source, "succeeded")
    if checkpoint is not None:
        checkpoint.clear()  # after the outcome: a redelivery before it still finds the pages it needs
    return "succeeded"


def _write_raw(services: Services, task: CollectTask, data: bytes) -> bool:
    """Write the raw blob unless the customer left meanwhile (the write-time check, shared/pipeline/guard.py)."""
    blobs = services.blobs.for_customer(task.customer_id)
    written = write_checked(services, task.customer_id,
                            lambda: blobs.put_raw(task.scan_id, task.subscription_id, task.source, data), blobs.delete)
    return written is not None


def _continue_later(services: Services, task: CollectTask, checkpoint: ScanCostProgress | None, seconds: float,
                    log: logging.LoggerAdapter) -> str:  # type: ignore[type-arg]
    """Schedule the next delivery for when the work can go on: publish first, then record its hop (a crash in
    between leaves the old hop, whose redelivery publishes the same continuation id again)."""
    if checkpoint is None:
        raise RuntimeError("only a checkpointed collection may defer")
    cursor = checkpoint.load() or {}
    hop = max(task.hop, int(cursor.get("hop", 0))) + 1
    resume_at = services.clock() + dt.timedelta(seconds=max(0.0, seconds))
    services.publish(task.model_copy(update={"hop": hop, "not_before": resume_at}))
    try:
        checkpoint.save({**cursor, "hop": hop}, resume_at=resume_at)
    except Superseded:
        log.info("another delivery saved meanwhile: its continuation and this one meet at the cursor")
    log.info("continues at hop %d in %.0f s", hop, seconds)
    return "deferred"
