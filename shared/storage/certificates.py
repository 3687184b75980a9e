"""Deletion certificates: proof of a finished purge that holds no customer data.

A certificate names the customer only by the SHA-256 of its id, and carries the request and completion
times, the counts deleted per store and the verification (what each store held afterwards: nothing).
Its id is the purge request's random id, so the customer who offboarded can read it with that id alone.

"Nothing found" covers what Caleta can read. The platform keeps two kinds of deleted copy it cannot list, and
the certificate says when each ends: Blob Storage soft delete keeps the deleted container and blobs for
SOFT_DELETE_DAYS, and Key Vault would keep a deleted secret for KEY_VAULT_SOFT_DELETE_DAYS, but the purge also
purges it. tests/infra/test_deletion_budget.py keeps both numbers equal to infra/. (Azurite keeps no deleted
copy at all, so the local stack cannot show them.)
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError

from shared.errors import NotFound
from shared.ids import is_hex32
from shared.storage.retention import RetainedByDesign
from shared.storage.table import Table

CERTIFICATES_TABLE = "certificates"
PARTITION = "certificate"
# infra/modules/storage.bicep blobSoftDeleteDays and containerSoftDeleteDays (the longer of the two).
SOFT_DELETE_DAYS = 1
# infra/modules/keyvault.bicep softDeleteRetentionInDays; purge protection is off, so the purge can purge.
KEY_VAULT_SOFT_DELETE_DAYS = 7


def soft_deleted_copies(completed_at: dt.datetime, secrets_deleted: int) -> dict[str, Any]:
    """What the platform still keeps after the purge, and until when (part of the certificate)."""
    until = (completed_at + dt.timedelta(days=SOFT_DELETE_DAYS)).isoformat()
    secret_note = (f"Key Vault keeps a deleted secret for {KEY_VAULT_SOFT_DELETE_DAYS} days unless it is purged; "
                   f"the purge deleted and purged every client secret ({secrets_deleted}), so no copy remains."
                   if secrets_deleted else "No client secret was held (federated sign-in).")
    return {
        "storage": {"retention_days": SOFT_DELETE_DAYS, "expires_by": until,
                    "note": f"Azure Blob Storage soft delete keeps the deleted container and its blobs for "
                            f"{SOFT_DELETE_DAYS} day(s), readable by no application and restorable only by an "
                            f"operator of Caleta's storage account; the platform erases them by {until}."},
        "client_secret": {"retention_days": KEY_VAULT_SOFT_DELETE_DAYS, "purged": bool(secrets_deleted),
                          "note": secret_note},
    }


@dataclass(frozen=True)
class DeletionCertificate:
    """What a purge proved: no customer data, only a hash, times and counts."""

    certificate_id: str
    customer_hash: str
    requested_at: str
    deadline: str
    completed_at: str
    deleted: dict[str, int]
    verification: dict[str, int]
    soft_deleted: dict[str, Any] = field(default_factory=dict)

    @property
    def verified(self) -> bool:
        """True when every store listed nothing for the customer after the purge."""
        return bool(self.verification) and not any(self.verification.values())

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape served to admins and the customer."""
        return {"certificate_id": self.certificate_id, "customer_sha256": self.customer_hash,
                "requested_at": self.requested_at, "deadline": self.deadline, "completed_at": self.completed_at,
                "deleted": self.deleted, "verification": {"remaining": self.verification,
                                                          "result": "nothing found" if self.verified else "failed",
                                                          "scope": "every store Caleta can read"},
                "soft_deleted_copies": self.soft_deleted,
                "within_deadline": self.completed_at <= self.deadline}


def _from(entity: dict[str, Any]) -> DeletionCertificate:
    return DeletionCertificate(certificate_id=str(entity["RowKey"]), customer_hash=str(entity["customer_hash"]),
                               requested_at=str(entity["requested_at"]), deadline=str(entity["deadline"]),
                               completed_at=str(entity["completed_at"]), deleted=json.loads(entity["deleted"]),
                               verification=json.loads(entity["verification"]),
                               soft_deleted=json.loads(str(entity.get("soft_deleted") or "{}")))


class CertificateStore:
    """Deletion certificates: issued once per purge, read by id (the customer) or all (admins)."""

    name = "table:certificates"
    declaration = RetainedByDesign(
        holds="the SHA-256 of a purged customer's id, the request and completion times, counts per store",
        reason="it proves the deletion to the customer and to auditors; a hash, times and counts are no "
               "customer data")

    def __init__(self, table: Table) -> None:
        self._table = table

    def issue(self, cert: DeletionCertificate) -> bool:
        """Store the certificate; False when one with this id exists already (a rerun), which is kept."""
        entity = {"PartitionKey": PARTITION, "RowKey": cert.certificate_id, "customer_hash": cert.customer_hash,
                  "requested_at": cert.requested_at, "deadline": cert.deadline, "completed_at": cert.completed_at,
                  "deleted": json.dumps(cert.deleted, sort_keys=True),
                  "verification": json.dumps(cert.verification, sort_keys=True),
                  "soft_deleted": json.dumps(cert.soft_deleted, sort_keys=True)}
        try:
            self._table.create_entity(entity)
            return True
        except ResourceExistsError:
            return False

    def get(self, certificate_id: str) -> DeletionCertificate:
        """One certificate; NotFound when there is none (yet)."""
        if not is_hex32(certificate_id):
            raise NotFound("no such certificate")
        try:
            return _from(dict(self._table.get_entity(PARTITION, certificate_id)))
        except ResourceNotFoundError:
            raise NotFound("no such certificate") from None

    def list_all(self) -> list[DeletionCertificate]:
        """Every certificate, newest completion first (admins)."""
        rows = self._table.query_entities("PartitionKey eq @pk", parameters={"pk": PARTITION})
        return sorted((_from(dict(r)) for r in rows), key=lambda c: c.completed_at, reverse=True)
