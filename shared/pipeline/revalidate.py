"""Revocation and re-validation: the customer's access state and what follows from it.

`mark_access_revoked` is called by the pipeline at the first refusal (AADSTS, 401/403 from ARM): the
customer becomes access_revoked with the plain reason, the audit log and the contact hear of it once, and
nothing more is scheduled. `revalidate` (POST /api/customers/{id}/validate) checks the principal again and,
when any subscription passes, makes the customer active again.
"""

from __future__ import annotations

import logging
from typing import Any

from shared import audit
from shared.errors import Conflict
from shared.notify import emails, send_quietly
from shared.storage.customers import Customer, get_customer, update_customer_state

logger = logging.getLogger(__name__)


def mark_access_revoked(customer_id: str, reason: str) -> bool:
    """Record the revocation; True for the call that moved the customer (audit + e-mail happen once)."""
    customer = get_customer(customer_id)
    if customer.state != "active":
        # Already revoked (another task got there first), or leaving: nothing to announce again.
        return False
    update_customer_state(customer_id, "access_revoked", reason)
    audit.record(customer_id, "access_revoked", {"reason": reason})
    send_quietly(emails.access_revoked(customer.contact_email, customer_id, reason))
    logger.warning("customer access revoked customer=%s", customer_id)
    return True


def revalidate(customer: Customer) -> dict[str, Any]:
    """Validate the principal again; active again when any subscription passes. Conflict when offboarding."""
    from shared.pipeline.onboard import revalidate_customer

    if customer.state in ("offboarding", "deleted"):
        raise Conflict(f"the customer is {customer.state}")
    validation = revalidate_customer(customer)
    usable = sum(1 for s in validation["subscriptions"] if s["ok"])
    update_customer_state(customer.customer_id, "active", None)
    audit.record(customer.customer_id, "validated", {"usable_subscriptions": usable,
                                                     "previous_state": customer.state})
    logger.info("customer re-validated customer=%s usable=%d", customer.customer_id, usable)
    return {"state": "active", "validation": validation}


def report_published(customer_id: str, scan_id: str, status: str, bundle: Any) -> None:
    """A scan's report is out: audit the scan's end and tell the contact (headline figures and a link only)."""
    try:
        customer = get_customer(customer_id)
    except Exception:
        logger.warning("report published for a customer that is gone customer=%s", customer_id)
        return
    audit.record(customer_id, "scan_ended", {"scan_id": scan_id, "status": status,
                                             "findings": int(bundle.findings_count)})
    send_quietly(emails.review_ready(customer.contact_email, customer_id, scan_id, int(bundle.findings_count),
                                     float(bundle.total_monthly_savings), str(bundle.currency), status))
