"""Deletion certificates: proof of a finished purge that holds no customer data.

A certificate names the customer only by the SHA-256 of its id, and carries the request and completion
times, the counts deleted per store and the verification (what each store held afterwards: nothing).
Its id is the purge request's random id, so the customer who offboarded can read it with that id alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError

from shared.errors import NotFound
from shared.ids import is_hex32
from shared.storage.retention import RetainedByDesign
from shared.storage.table import Table

CERTIFICATES_TABLE = "certificates"
PARTITION = "certificate"


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

    @property
    def verified(self) -> bool:
        """True when every store listed nothing for the customer after the purge."""
        return bool(self.verification) and not any(self.verification.values())

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape served to admins and the customer."""
        return {"certificate_id": self.certificate_id, "customer_sha256": self.customer_hash,
                "requested_at": self.requested_at, "deadline": self.deadline, "completed_at": self.completed_at,
                "deleted": self.deleted, "verification": {"remaining": self.verification,
                                                          "result": "nothing found" if self.verified else "failed"},
                "within_deadline": self.completed_at <= self.deadline}


def _from(entity: dict[str, Any]) -> DeletionCertificate:
    return DeletionCertificate(certificate_id=str(entity["RowKey"]), customer_hash=str(entity["customer_hash"]),
                               requested_at=str(entity["requested_at"]), deadline=str(entity["deadline"]),
                               completed_at=str(entity["completed_at"]), deleted=json.loads(entity["deleted"]),
                               verification=json.loads(entity["verification"]))


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
                  "verification": json.dumps(cert.verification, sort_keys=True)}
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
