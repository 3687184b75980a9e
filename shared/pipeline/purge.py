"""The purge: delete every byte held about an offboarded customer, verify, and issue the certificate.

Steps, each idempotent and each recorded in the purge row, so a crash at any point is resumed by the next
PurgeCustomer delivery or the daily backstop: the customer's container (raw data, reports, exports), its rows
in every table partitioned by customer (scans, audit, schedules), the cost-quota ledger of its tenant (unless
another customer shares the tenant), the stored secret (purged from Key Vault's soft-deleted state), its
dead-lettered messages, and last the customer row. Then every store is listed again and must hold nothing;
only then is the certificate issued and the purge row (the last trace of the id) deleted.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from azure.core.exceptions import ResourceNotFoundError

from shared import audit
from shared.errors import TransientError
from shared.notify import Notifier, emails, send_quietly
from shared.pipeline.certificates import CertificateTable, DeletionCertificate, issue
from shared.pipeline.offboard import PURGE_PARTITION
from shared.secrets import SecretStore, secret_name

logger = logging.getLogger(__name__)

ALERT_BEFORE_DEADLINE = dt.timedelta(hours=24)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class PurgeDeps:
    """Every store the purge empties, and where its bookkeeping lives."""

    purges: Any                      # TableClient: PK "purge", RK customer id
    customers: Any                   # TableClient: PK "customer", RK customer id
    partitioned: Mapping[str, Any]   # table name -> TableClient whose PartitionKey is the customer id
    quota: Any                       # TableClient: PK tenant id
    container: Callable[[str], Any]  # customer id -> ContainerClient of its container
    secrets: SecretStore
    certificates: CertificateTable
    drain_dead_letters: Callable[[str], int]
    count_dead_letters: Callable[[str], int]
    notifier: Notifier | None = None
    audit_store: Any = None
    clock: Callable[[], dt.datetime] = field(default=_utcnow)


def default_deps() -> PurgeDeps:
    """The real stores."""
    from shared.collectors.quota import QUOTA_TABLE
    from shared.pipeline import deadletters
    from shared.pipeline.certificates import CERTIFICATES_TABLE
    from shared.pipeline.offboard import PURGES_TABLE
    from shared.pipeline.schedule import SCHEDULES_TABLE
    from shared.secrets import secret_store
    from shared.storage.blobs import container_name
    from shared.storage.clients import blob_service, table
    from shared.storage.customers import CUSTOMERS_TABLE
    from shared.storage.scans import SCANS_TABLE

    return PurgeDeps(
        purges=table(PURGES_TABLE), customers=table(CUSTOMERS_TABLE),
        partitioned={name: table(name) for name in (SCANS_TABLE, audit.AUDIT_TABLE, SCHEDULES_TABLE)},
        quota=table(QUOTA_TABLE),
        container=lambda cid: blob_service().get_container_client(container_name(cid)),
        secrets=secret_store(), certificates=table(CERTIFICATES_TABLE),
        drain_dead_letters=deadletters.drain, count_dead_letters=deadletters.count_for)


def _rows(table: Any, partition: str) -> list[dict[str, Any]]:
    return [dict(r) for r in table.query_entities("PartitionKey eq @pk", parameters={"pk": partition},
                                                  select=["PartitionKey", "RowKey"])]


def _exists(table: Any, partition: str, row: str) -> bool:
    try:
        table.get_entity(partition, row)
        return True
    except ResourceNotFoundError:
        return False


def _blob_names(deps: PurgeDeps, customer_id: str) -> list[str]:
    try:
        return [b.name for b in deps.container(customer_id).list_blobs()]
    except ResourceNotFoundError:
        return []


def _tenant_shared(deps: PurgeDeps, customer_id: str, tenant_id: str) -> bool:
    rows = deps.customers.query_entities("PartitionKey eq 'customer' and tenant_id eq @t",
                                         parameters={"t": tenant_id}, select=["RowKey"])
    return any(str(r["RowKey"]) != customer_id for r in rows)


class Purge:
    """One customer's purge, step by step, with the counts kept in its purge row."""

    def __init__(self, customer_id: str, row: dict[str, Any], deps: PurgeDeps) -> None:
        self.customer_id, self.row, self.deps = customer_id, row, deps
        self.deleted: dict[str, int] = json.loads(row.get("deleted") or "{}")

    def _count(self, store: str, n: int) -> None:
        self.deleted[store] = self.deleted.get(store, 0) + n
        self.deps.purges.update_entity({"PartitionKey": PURGE_PARTITION, "RowKey": self.customer_id,
                                        "deleted": json.dumps(self.deleted, sort_keys=True)})

    def blobs(self) -> None:
        """Delete the container (raw data, reports, exports)."""
        names = _blob_names(self.deps, self.customer_id)
        with contextlib.suppress(ResourceNotFoundError):
            self.deps.container(self.customer_id).delete_container()
        self._count("blobs", len(names))

    def tables(self) -> None:
        """Delete the customer's partition in every customer-partitioned table, and its tenant's quota ledger."""
        for name, table in self.deps.partitioned.items():
            rows = _rows(table, self.customer_id)
            for row in rows:
                table.delete_entity(row["PartitionKey"], row["RowKey"])
            self._count(f"table:{name}", len(rows))
        tenant = str(self.row.get("tenant_id") or "")
        if tenant and not _tenant_shared(self.deps, self.customer_id, tenant):
            rows = _rows(self.deps.quota, tenant)
            for row in rows:
                self.deps.quota.delete_entity(row["PartitionKey"], row["RowKey"])
            self._count("table:costquota", len(rows))

    def secret(self) -> None:
        """Delete the stored secret and purge every recoverable copy."""
        name = secret_name(self.customer_id)
        present = self.deps.secrets.exists(name)
        self.deps.secrets.delete(name)
        self._count("secret", int(present))

    def dead_letters(self) -> None:
        """Remove dead-lettered messages naming the customer."""
        self._count("dead_letters", self.deps.drain_dead_letters(self.customer_id))

    def customer_row(self) -> None:
        """Delete the customer row last: until now it keeps every message for the customer dropped."""
        present = _exists(self.deps.customers, "customer", self.customer_id)
        self.deps.customers.delete_entity("customer", self.customer_id)
        self._count("table:customers", int(present))

    def verify(self) -> dict[str, int]:
        """List every store for the customer again: what is left in each (all zero when done)."""
        left = {"blobs": len(_blob_names(self.deps, self.customer_id)),
                "secret": int(self.deps.secrets.exists(secret_name(self.customer_id))),
                "dead_letters": self.deps.count_dead_letters(self.customer_id),
                "table:customers": int(_exists(self.deps.customers, "customer", self.customer_id))}
        for name, table in self.deps.partitioned.items():
            left[f"table:{name}"] = len(_rows(table, self.customer_id))
        tenant = str(self.row.get("tenant_id") or "")
        if tenant and not _tenant_shared(self.deps, self.customer_id, tenant):
            left["table:costquota"] = len(_rows(self.deps.quota, tenant))
        return left


STEPS = ("blobs", "tables", "secret", "dead_letters", "customer_row")


def _mark_offboarding(customer_id: str, deps: PurgeDeps) -> None:
    """Make sure the pipeline drops the customer's messages while the purge runs (an offboarding cut short)."""
    try:
        state = deps.customers.get_entity("customer", customer_id).get("state")
    except ResourceNotFoundError:
        return
    if state != "offboarding":
        deps.customers.update_entity({"PartitionKey": "customer", "RowKey": customer_id, "state": "offboarding",
                                      "state_reason": "offboarding requested"})


def purge_customer(customer_id: str, deps: PurgeDeps) -> DeletionCertificate | None:
    """Run (or resume) the purge; the certificate, or None when there is no open purge for the customer.

    Raises TransientError when verification still finds data (a late write raced the purge): the message is
    redelivered, or the backstop runs it again, and the purge repeats until every store is empty.
    """
    try:
        row = dict(deps.purges.get_entity(PURGE_PARTITION, customer_id))
    except ResourceNotFoundError:
        logger.info("no open purge customer=%s: nothing to do", customer_id)
        return None
    purge = Purge(customer_id, row, deps)
    _mark_offboarding(customer_id, deps)
    for step in STEPS:
        getattr(purge, step)()
    left = purge.verify()
    if any(left.values()):
        logger.warning("purge verification found data left customer=%s stores=%s", customer_id,
                       sorted(k for k, v in left.items() if v))
        raise TransientError("purge verification found data left")
    now = deps.clock()
    cert = DeletionCertificate(certificate_id=str(row["request_id"]), customer_hash=audit.customer_hash(customer_id),
                               requested_at=str(row["requested_at"]), deadline=str(row["deadline"]),
                               completed_at=now.isoformat(), deleted=purge.deleted, verification=left)
    if issue(cert, store=deps.certificates):
        hashed = audit.customer_hash(customer_id)
        audit.record(hashed, "purge_done", {"stores": len(left)}, store=deps.audit_store)
        audit.record(hashed, "certificate_issued", {"certificate_id": cert.certificate_id}, store=deps.audit_store)
        send_quietly(emails.certificate_issued(str(row["contact_email"]), cert.certificate_id, now), deps.notifier)
    deps.purges.delete_entity(PURGE_PARTITION, customer_id)
    logger.info("purge complete customer=%s certificate=%s", customer_id, cert.certificate_id)
    return cert


def overdue(deps: PurgeDeps) -> list[dict[str, Any]]:
    """Open purges within 24 hours of (or past) their deadline: the admin view's alert list (no customer data)."""
    now = deps.clock()
    out = []
    for row in deps.purges.query_entities("PartitionKey eq @pk", parameters={"pk": PURGE_PARTITION}):
        deadline = dt.datetime.fromisoformat(str(row["deadline"]))
        if now >= deadline - ALERT_BEFORE_DEADLINE:
            out.append({"customer_sha256": audit.customer_hash(str(row["RowKey"])), "request_id": row["request_id"],
                        "deadline": row["deadline"], "past_deadline": now > deadline})
    return out


def run_backstop(deps: PurgeDeps) -> dict[str, int]:
    """The daily backstop (and admin "purge now"): reopen lost requests, run every open purge, alert on late ones."""
    from shared.pipeline.offboard import open_purge
    from shared.storage.customers import _from_entity

    now = deps.clock()
    counts = {"completed": 0, "failed": 0, "reopened": 0, "alerts": 0}
    offboarding = deps.customers.query_entities("PartitionKey eq 'customer' and state eq 'offboarding'")
    for entity in offboarding:
        # A crash between marking the customer and writing its purge row must not lose the request.
        _, created = open_purge(_from_entity(dict(entity)), "backstop", now, deps.purges)
        counts["reopened"] += int(created)
    for alert in overdue(deps):
        counts["alerts"] += 1
        logger.error("ALERT purge not finished 24 hours before its deadline request=%s deadline=%s past=%s",
                     alert["request_id"], alert["deadline"], alert["past_deadline"])
    rows = list(deps.purges.query_entities("PartitionKey eq @pk", parameters={"pk": PURGE_PARTITION}))
    for row in rows:
        try:
            if purge_customer(str(row["RowKey"]), deps) is not None:
                counts["completed"] += 1
        except Exception:
            counts["failed"] += 1
            logger.exception("backstop purge failed request=%s", row.get("request_id"))
    return counts
