"""Offboarding: the customer (DELETE), an admin or an account closure asks; Caleta stops and the purge starts.

The customer becomes `offboarding` (no new scans; messages for it are dropped on receipt), its scans in
flight are failed, a purge row records the request and its deadline (request + DELETION_DEADLINE_DAYS), and a
PurgeCustomer message starts the purge at once. Asking again changes nothing and answers the same request.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from typing import Any, Literal

from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError

from shared import audit
from shared.errors import NotFound
from shared.messages import PurgeCustomer
from shared.notify import emails, send_quietly
from shared.storage.customers import Customer, get_customer, update_customer_state

logger = logging.getLogger(__name__)

PURGES_TABLE = "purges"  # PartitionKey "purge", RowKey customer id; deleted when the certificate is issued
PURGE_PARTITION = "purge"
RequestedBy = Literal["customer", "admin", "closure", "backstop"]


def _purges() -> Any:
    from shared.storage.clients import table

    return table(PURGES_TABLE)


def open_purge(customer: Customer, requested_by: str, now: dt.datetime, purges: Any) -> tuple[dict[str, Any], bool]:
    """The purge row of the customer, created when absent; (row, created)."""
    from shared.config import get_settings

    row = {"PartitionKey": PURGE_PARTITION, "RowKey": customer.customer_id, "request_id": secrets.token_hex(16),
           "requested_at": now.isoformat(), "requested_by": requested_by,
           "deadline": (now + dt.timedelta(days=get_settings().deletion_deadline_days)).isoformat(),
           "contact_email": customer.contact_email, "tenant_id": customer.tenant_id, "deleted": "{}"}
    try:
        purges.create_entity(row)
        return row, True
    except ResourceExistsError:
        return dict(purges.get_entity(PURGE_PARTITION, customer.customer_id)), False


def _cancel_scans(customer_id: str) -> int:
    from shared.storage.scans import ACTIVE_STATES, list_scans, scan_store

    store, cancelled = scan_store(), 0
    for scan in list_scans(customer_id):
        if scan.status in ACTIVE_STATES and store.transition(customer_id, scan.scan_id, set(ACTIVE_STATES),
                                                             "failed", reason="the customer is offboarding"):
            cancelled += 1
    return cancelled


def request_offboarding(customer_id: str, requested_by: RequestedBy, *, purges: Any = None) -> dict[str, Any]:
    """Start offboarding (idempotent); the answer names the request (= certificate id) and the deadline."""
    from shared.bus import publish

    table = purges if purges is not None else _purges()
    try:
        customer = get_customer(customer_id)
    except NotFound:
        # Purged already, or a purge row without its customer row (finishing): answer the open request if any.
        try:
            row = dict(table.get_entity(PURGE_PARTITION, customer_id))
        except ResourceNotFoundError:
            raise NotFound("no such customer") from None
        return {"state": "offboarding", "request_id": row["request_id"], "deadline": row["deadline"]}
    now = dt.datetime.now(dt.UTC)
    # The purge row first: it keeps the request time (the deadline's start) through a crash right after it;
    # the purge itself marks the customer offboarding if this call dies before the next line.
    row, created = open_purge(customer, requested_by, now, table)
    if customer.state != "offboarding":
        update_customer_state(customer_id, "offboarding", f"offboarding requested ({requested_by})")
    if created:
        cancelled = _cancel_scans(customer_id)
        audit.record(customer_id, "offboarding_requested", {"requested_by": requested_by,
                                                            "request_id": row["request_id"],
                                                            "scans_cancelled": cancelled})
        send_quietly(emails.offboarding_confirmed(customer.contact_email, row["request_id"],
                                                  dt.datetime.fromisoformat(row["deadline"])))
        logger.info("offboarding requested customer=%s by=%s", customer_id, requested_by)
    publish(PurgeCustomer(customer_id=customer_id, request_id=row["request_id"]))
    return {"state": "offboarding", "request_id": row["request_id"], "deadline": row["deadline"],
            "certificate": f"/api/deletion-certificates/{row['request_id']}"}
