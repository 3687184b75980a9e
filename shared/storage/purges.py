"""Open purge requests: one row per offboarding customer until its deletion certificate is issued.

PartitionKey "purge", RowKey the customer id. The row keeps the request time (the deadline's start) through
any crash, what each store has had deleted so far, when the first purge pass ended (the second runs once
every invocation in flight then has ended), and the contact address and tenant the purge still needs once
the customer row is gone. The purge deletes it as its very last act.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError

from shared.domain import Customer
from shared.storage.retention import PurgeSubject, RetainedByDesign
from shared.storage.table import Table

PURGES_TABLE = "purges"
PARTITION = "purge"


@dataclass(frozen=True)
class PurgeRequest:
    """One open purge: who asked, when, by when it must be done, and what has been deleted so far."""

    customer_id: str
    request_id: str
    requested_at: str
    requested_by: str
    deadline: str
    contact_email: str
    tenant_id: str
    deleted: dict[str, int] = field(default_factory=dict)
    first_pass_at: dt.datetime | None = None

    @property
    def deadline_at(self) -> dt.datetime:
        """The deadline as a datetime."""
        return dt.datetime.fromisoformat(self.deadline)

    @property
    def subject(self) -> PurgeSubject:
        """Who the stores purge."""
        return PurgeSubject(customer_id=self.customer_id, tenant_id=self.tenant_id)


def _from_entity(entity: Mapping[str, Any]) -> PurgeRequest:
    return PurgeRequest(customer_id=str(entity["RowKey"]), request_id=str(entity["request_id"]),
                        requested_at=str(entity["requested_at"]), requested_by=str(entity.get("requested_by", "")),
                        deadline=str(entity["deadline"]), contact_email=str(entity.get("contact_email", "")),
                        tenant_id=str(entity.get("tenant_id", "")),
                        deleted=json.loads(str(entity.get("deleted") or "{}")),
                        first_pass_at=_time(entity.get("first_pass_at")))


def _time(value: Any) -> dt.datetime | None:
    return dt.datetime.fromisoformat(str(value)) if value else None


class PurgeStore:
    """Purge requests: opened once per offboarding, updated step by step, closed when certified."""

    name = "table:purges"
    declaration = RetainedByDesign(
        holds="the open purge's request row: customer id, contact e-mail, tenant, request time and deadline",
        reason="the purge needs it to resume after a crash and to send the certificate; the purge deletes it as "
               "its last act, right after the certificate is issued")

    def __init__(self, table: Table) -> None:
        self._table = table

    def open(self, customer: Customer, requested_by: str, now: dt.datetime,
             deadline: dt.timedelta) -> tuple[PurgeRequest, bool]:
        """The customer's purge request, created when absent; (request, created)."""
        entity = {"PartitionKey": PARTITION, "RowKey": customer.customer_id, "request_id": secrets.token_hex(16),
                  "requested_at": now.isoformat(), "requested_by": requested_by,
                  "deadline": (now + deadline).isoformat(), "contact_email": customer.contact_email,
                  "tenant_id": customer.tenant_id, "deleted": "{}"}
        try:
            self._table.create_entity(entity)
            return _from_entity(entity), True
        except ResourceExistsError:
            found = self.get(customer.customer_id)
            if found is None:  # closed in between: open again
                return self.open(customer, requested_by, now, deadline)
            return found, False

    def get(self, customer_id: str) -> PurgeRequest | None:
        """The open request of a customer, or None."""
        try:
            return _from_entity(dict(self._table.get_entity(PARTITION, customer_id)))
        except ResourceNotFoundError:
            return None

    def record_deleted(self, customer_id: str, deleted: dict[str, int]) -> None:
        """Keep the counts deleted so far (a resumed purge adds to them)."""
        self._table.update_entity({"PartitionKey": PARTITION, "RowKey": customer_id,
                                   "deleted": json.dumps(deleted, sort_keys=True)})

    def record_first_pass(self, customer_id: str, at: dt.datetime) -> None:
        """Note that the first purge pass ended at `at` (the second waits for in-flight work from there)."""
        self._table.update_entity({"PartitionKey": PARTITION, "RowKey": customer_id, "first_pass_at": at.isoformat()})

    def close(self, customer_id: str) -> None:
        """Delete the request: the last trace of the customer id."""
        self._table.delete_entity(PARTITION, customer_id)

    def open_requests(self) -> list[PurgeRequest]:
        """Every open request."""
        rows = self._table.query_entities("PartitionKey eq @pk", parameters={"pk": PARTITION})
        return [_from_entity(dict(r)) for r in rows]
