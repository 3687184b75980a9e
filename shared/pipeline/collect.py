"""Collect one source for one subscription (collect-tasks trigger), write the raw blob, record completion.

Outcomes: data written -> succeeded; the customer's tenant refused us (AccessDenied) -> failed with a plain
reason, no retry, and the customer marked access_revoked when the refusal covers the whole customer (sign-in
refused, or ARM refusing the token itself); ARM refusing one subscription (a role missing there, Cost Management
refusing its billing data) fails that task only, marked denied, and revokes the customer only when every
subscription of the scan refused and nothing was read (complete.settle; audit B5); a source this subscription
cannot serve (NotCollectable) -> failed with its reason, no retry; anything transient -> raise, so Service Bus
redelivers and, after maxDeliveryCount, dead-letters (the watchdog then ends the task). Writing the blob before
recording the outcome makes a crash in between harmless: the redelivery overwrites the same blob and records
once.
"""

from __future__ import annotations

import logging

from shared.collectors import CollectRequest
from shared.collectors.errors import SIGN_IN_REFUSED
from shared.errors import AccessDenied, NotCollectable, NotFound
from shared.messages import CollectTask
from shared.observability import log_context
from shared.pipeline.complete import record_outcome, settle
from shared.pipeline.guard import write_checked
from shared.pipeline.revalidate import mark_access_revoked
from shared.rawdata import RawEnvelope, encode
from shared.services import Services

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
    request = CollectRequest(scan_id=task.scan_id, subscription_id=task.subscription_id,
                             tenant_id=customer.tenant_id, credential=services.credentials.for_customer(customer))
    try:
        collected = services.collectors[task.source](request)
    except AccessDenied as exc:
        whole_customer = exc.code == SIGN_IN_REFUSED
        log.warning("access denied (%s): %s", "sign-in" if whole_customer else "this subscription", exc.reason)
        record_outcome(services, task.customer_id, task.scan_id, task.subscription_id, task.source, "failed",
                       exc.reason, denied=not whole_customer)
        if whole_customer:
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
    return "succeeded"


def _write_raw(services: Services, task: CollectTask, data: bytes) -> bool:
    """Write the raw blob unless the customer left meanwhile (the write-time check, shared/pipeline/guard.py)."""
    blobs = services.blobs.for_customer(task.customer_id)
    written = write_checked(services, task.customer_id,
                            lambda: blobs.put_raw(task.scan_id, task.subscription_id, task.source, data), blobs.delete)
    return written is not None
